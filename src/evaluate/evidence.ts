import { compare, type CriteriaResult } from '../domain/criteria.js';
import type { Definition } from '../domain/definition.js';
import { recordEvaluation, type BundleWrite } from '../domain/bundle.js';
import { canonicalJson, sha256Hex } from '../domain/canonicalJson.js';
import { evidenceFilePath } from '../domain/fileNames.js';
import type { MetricsSnapshot } from '../domain/metricsSnapshot.js';
import type { MetricValue } from '../domain/metric.js';
import type { FileWrite } from '../domain/plan.js';
import type { TestContext } from './context.js';
import type { Escalation } from './escalation.js';

/** The runbook's `metrics_snapshot`: per key the value, status, baseline, target and whether it is met. */
export function metricsSnapshot(metrics: readonly MetricValue[], definition: Definition): MetricsSnapshot {
  const snapshot: MetricsSnapshot = {};
  for (const m of metrics) {
    const target = definition.targets[m.key] ?? null;
    snapshot[m.key] = {
      value: m.value,
      status: m.status,
      pending_reason: m.pendingReason,
      baseline: definition.baseline[m.key] ?? null,
      target,
      target_met: target && m.value !== null ? compare(m.value, target.op, target.value) : null,
      aggregation: m.aggregation,
      source: `${m.source.schema}.${m.source.table}.${m.source.column}`,
      as_of_exact: m.asOfExact,
      ...(m.status === 'ERROR' ? { error: m.error ?? null } : {}),
    };
  }
  return snapshot;
}

/** What one evaluation contributes to its evidence bundle beyond the test's identity and definition. */
export interface EvidenceBody {
  /** `before`, `open` or `closing`. */
  phase: string;
  /** The instant the metrics were resolved for (the as-of instant, or `end_ts` at a close); null before the window. */
  metricsAsOf: string | null;
  /** At a close: the instant the verdict was evaluated as of (`end_ts`); null otherwise. */
  verdictAsOf: string | null;
  progress: { days_elapsed: number; days_remaining: number; is_overdue: boolean; required_days: number | null; day_number: number };
  metrics: readonly MetricValue[];
  conditions: { success_criteria: CriteriaResult; failure_criteria: CriteriaResult } | null;
  escalation: Escalation | null;
  close: Record<string, unknown> | null;
  actions: string[];
  verdict: string;
}

/** The definition columns as read, recorded in the bundle and hashed. */
function definitionAsRead(row: TestContext['row']): Record<string, unknown> {
  return {
    start_ts: row.start_ts,
    end_ts: row.end_ts,
    required_days: row.required_days,
    mid_test_checkpoint: row.mid_test_checkpoint,
    baseline_definition: row.baseline_definition,
    target_metrics: row.target_metrics,
    success_criteria: row.success_criteria,
    failure_criteria: row.failure_criteria,
    escalation_path: row.escalation_path,
  };
}

/** The registry rows the test's metrics were resolved through, by key. */
function registryEntries(sources: TestContext['sources']): Record<string, unknown>[] {
  return Object.values(sources)
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((s) => ({
      signal_key: s.key,
      source_schema: s.schema,
      source_table: s.table,
      source_column: s.column,
      time_column: s.timeColumn,
      aggregation: s.aggregation,
    }));
}

/** Each metric with its value, source, aggregation, rows used and `as_of_exact`. */
function metricEntries(metrics: readonly MetricValue[]): Record<string, unknown>[] {
  return metrics.map((m) => ({
    key: m.key,
    value: m.value,
    status: m.status,
    pending_reason: m.pendingReason,
    ...(m.status === 'ERROR' ? { error: m.error ?? null } : {}),
    source: { schema: m.source.schema, table: m.source.table, column: m.source.column, time_column: m.source.timeColumn },
    aggregation: m.aggregation,
    rows_used: m.rowsUsed,
    window: m.window,
    latest_row_at: m.latestRowAt,
    as_of_exact: m.asOfExact,
  }));
}

/** The escalation decision, with the time-based condition it started from; null when none was decided. */
function escalationEntry(ctx: TestContext, body: EvidenceBody): Record<string, unknown> | null {
  const e = body.escalation;
  if (!e) return null;
  return {
    previous_state: e.previousState,
    state: e.state,
    reasons: e.reasons,
    reason_keys: e.reasonKeys,
    since: e.since,
    recommended_actions: e.recommendedActions,
    time_based: { should_escalate: ctx.window.should_escalate, reason: ctx.window.escalation_reason, applied: body.phase === 'open' },
  };
}

/** The bundle's content for a given run id and previous hash (both known only once the record is consulted). */
function bundleContent(ctx: TestContext, body: EvidenceBody) {
  const { row, snapshot } = ctx;
  const { asOf } = snapshot;
  const definition = definitionAsRead(row);
  return (runId: string, previousSha256: string | null): Record<string, unknown> => ({
    schema: 'canonical-test-evidence/3',
    evaluator_version: snapshot.evaluatorVersion,
    run_id: runId,
    test_id: row.test_id,
    test_code: row.test_code,
    test_name: row.test_name,
    as_of_date: asOf.date,
    as_of_instant: asOf.instant,
    zone: asOf.zone,
    phase: body.phase,
    metrics_as_of: body.metricsAsOf,
    verdict_as_of: body.verdictAsOf,
    definition,
    definition_sha256: sha256Hex(canonicalJson(definition)),
    registry: registryEntries(ctx.sources),
    progress: body.progress,
    metrics: metricEntries(body.metrics),
    conditions: body.conditions,
    escalation: escalationEntry(ctx, body),
    close: body.close,
    verdict: body.verdict,
    actions: body.actions,
    live_state_before: { status: row.status, verdict: row.verdict, last_evaluated_date: row.last_evaluated_date },
    live_state_updated: ctx.movesLive,
    previous_bundle_sha256: previousSha256,
  });
}

/**
 * The evidence bundle of one test and date (README "The record"), recorded
 * through {@link recordEvaluation}: identical to the date's newest revision →
 * nothing new (that revision's run id and hash); otherwise a new revision
 * chained to the test's newest bundle.
 *
 * @returns the run id and SHA-256 the rows carry, the file to write, and the bundle to insert (null when nothing changed).
 */
export function evidenceFile(ctx: TestContext, body: EvidenceBody): { runId: string; file: FileWrite; bundle: BundleWrite | null } {
  const { row, snapshot } = ctx;
  const { asOf } = snapshot;
  const path = evidenceFilePath(snapshot.evidenceDir, row.test_code, asOf.compactDate);
  const recorded = recordEvaluation(bundleContent(ctx, body), snapshot.records.get(row.test_id), {
    testId: row.test_id,
    testCode: row.test_code,
    runDate: asOf.date,
    runId: snapshot.runId,
  });
  const file: FileWrite =
    recorded.text === null
      ? { path, content: null, sha256: recorded.sha256, recorded: { testId: row.test_id, runDate: asOf.date, revision: recorded.revision } }
      : { path, content: recorded.text, sha256: recorded.sha256 };
  return { runId: recorded.runId, file, bundle: recorded.bundle };
}
