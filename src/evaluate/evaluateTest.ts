import type { Scalar } from '../domain/definition.js';
import { compare, decideVerdict, describeCondition, evaluateCriteria, type FinalVerdict } from '../domain/criteria.js';
import type { GatedTest } from '../discover/gate.js';
import type { MetricValue } from '../discover/signals.js';
import { evidenceFilePath, jsonFile, stableBundle } from './fileNames.js';
import type { AlertWrite, EscalationState, FileWrite, Resolution, RunbookWrite, StateUpdate, TestOutcome } from './plan.js';
import { movesLiveState, type Snapshot } from './snapshot.js';

/** Everything one healthy test contributes to the plan. */
export interface TestPlan {
  stateUpdate: StateUpdate | null;
  resolution: Resolution | null;
  runbook: RunbookWrite;
  alerts: AlertWrite[];
  file: FileWrite;
  outcome: TestOutcome;
}

const NEXT_STEP: Record<FinalVerdict, string> = {
  SUCCESS: 'Promote the change: the success criteria held at the close of the window',
  FAILURE: 'Roll back the change: the failure criteria held at the close of the window',
  INCONCLUSIVE: 'Decide: extend the window, re-run the test or close it without a decision',
};
const RESOLUTION_SEVERITY = { SUCCESS: 'INFO', FAILURE: 'CRITICAL', INCONCLUSIVE: 'WARNING' } as const;

function formatScalar(value: Scalar | null): string {
  return value === null ? 'pending' : String(value);
}

/**
 * Evaluates one test that passed the gate (SPEC §3): criteria on the resolved
 * metrics, escalation (the DB function's time-based conditions plus failure
 * criteria already met), end-of-window verdict, and the rows, alerts and
 * evidence bundle that record it. Pure: reads only the snapshot.
 */
export function evaluateTest(test: GatedTest, snapshot: Snapshot): TestPlan {
  const { row, definition, sources } = test;
  const { asOf } = snapshot;
  const window = snapshot.windowStates.get(row.test_id);
  if (!window) throw new Error(`no progress row for test ${row.test_code}`);
  const history = snapshot.history.get(row.test_id) ?? { previous: null, current: null };
  const keys = Object.keys(sources).sort();
  const metrics: MetricValue[] = keys.map((key) => snapshot.metrics.get(key)!);
  const valueOf = (key: string) => snapshot.metrics.get(key)?.value ?? null;
  const pending = metrics.filter((m) => m.status === 'PENDING');

  const success = evaluateCriteria(definition.success, valueOf, definition.baseline);
  const failure = evaluateCriteria(definition.failure, valueOf, definition.baseline);
  // The window closes on the first as-of instant after end_ts: the same test as is_overdue.
  const closing = window.is_overdue;
  const verdict: FinalVerdict | 'PENDING' = closing ? decideVerdict(success.outcome, failure.outcome) : 'PENDING';

  const reasons: string[] = [];
  const actions: string[] = [];
  if (failure.outcome === 'MET') {
    const met = failure.conditions.filter((c) => c.outcome === 'MET').map(describeCondition);
    reasons.push(`failure criteria met${closing ? '' : ' mid-window'}: ${met.join('; ')}`);
    actions.push('Decide whether to stop the test and roll back the change', `Review the metrics with ${definition.escalationPath.owner ?? 'the test owner'}`);
  }
  // When the window closes this run, the resolution supersedes the time-based "overdue" condition.
  if (window.should_escalate && !closing) {
    reasons.push(window.escalation_reason ?? 'time-based escalation condition');
    actions.push(...window.recommended_actions);
  }
  const escalationState: EscalationState = reasons.length > 0 ? 'ESCALATED' : 'NONE';
  const previousState = history.previous?.escalation_state ?? 'NONE';
  const raiseCeoAction = escalationState === 'ESCALATED' || closing;
  const movesLive = movesLiveState(row, asOf.date);

  const alerts: AlertWrite[] = [];
  const alert = (severity: AlertWrite['severity'], alertType: string, title: string, message: string, recommendedActions: string[]) =>
    alerts.push({ testId: row.test_id, testCode: row.test_code, runDate: asOf.date, severity, alertType, title, message, recommendedActions });
  if (pending.length > 0) {
    alert('WARNING', 'METRICS_PENDING', `${row.test_code}: ${pending.length} metric(s) pending`,
      pending.map((m) => `${m.key}: ${m.pendingReason}`).join('; '),
      ['Check that the source tables named in test_signal_registry are being loaded']);
  }
  // A backfilled date alerts on a change of state, not again on every day it holds (issue 3).
  const escalationAlreadyAlerted = snapshot.mode === 'backfill' && previousState === 'ESCALATED';
  if (escalationState === 'ESCALATED') {
    if (!escalationAlreadyAlerted) {
      alert(failure.outcome === 'MET' ? 'CRITICAL' : 'WARNING', 'ESCALATION', `${row.test_code}: escalated to the CEO`, reasons.join('; '), actions);
    }
  } else if (previousState !== 'NONE') {
    alert('INFO', 'ESCALATION_CLEARED', `${row.test_code}: escalation cleared`,
      `No escalation condition holds as of ${asOf.date}; the state returns from ${previousState} to NONE.`, []);
  }
  if (verdict !== 'PENDING') {
    alert(RESOLUTION_SEVERITY[verdict], 'RESOLUTION', `${row.test_code}: window closed, verdict ${verdict}`,
      `Success criteria ${success.outcome}, failure criteria ${failure.outcome}${pending.length ? `; pending: ${pending.map((m) => m.key).join(', ')}` : ''}.`,
      [NEXT_STEP[verdict]]);
  }

  const metricsSnapshot: Record<string, unknown> = {};
  for (const m of metrics) {
    const target = definition.targets[m.key] ?? null;
    metricsSnapshot[m.key] = {
      value: m.value,
      status: m.status,
      pending_reason: m.pendingReason,
      baseline: definition.baseline[m.key] ?? null,
      target,
      target_met: target && m.value !== null ? compare(m.value, target.op, target.value) : null,
      aggregation: m.aggregation,
      source: `${m.source.schema}.${m.source.table}.${m.source.column}`,
      as_of_exact: m.asOfExact,
    };
  }

  const actionsTaken = [
    movesLive
      ? `update canonical_test_events: days_elapsed=${window.days_elapsed}, days_remaining=${window.days_remaining}, is_overdue=${window.is_overdue}, escalation_state=${escalationState}${raiseCeoAction ? ', ceo_action_required=true' : ''}, last_evaluated_date=${asOf.date}`
      : `leave canonical_test_events as it is: last_evaluated_date ${row.last_evaluated_date} is after the as-of date`,
    ...alerts.map((a) => `alert ${a.alertType} (${a.severity})`),
    ...(verdict !== 'PENDING' && movesLive ? [`resolve_test_window(${verdict})`] : []),
  ];
  const notes = [
    pending.length ? `Metrics pending: ${pending.map((m) => `${m.key} (${m.pendingReason})`).join(', ')}.` : 'All metrics available.',
    escalationState === 'ESCALATED' ? `Escalated${escalationAlreadyAlerted ? ' (still holds; already alerted)' : ''}: ${reasons.join('; ')}.` : previousState !== 'NONE' ? `Escalation cleared (was ${previousState}).` : null,
    verdict !== 'PENDING' ? `Window closed: verdict ${verdict}. ${NEXT_STEP[verdict]}.` : null,
    movesLive ? null : `Backfill: live state kept (last evaluated ${row.last_evaluated_date}).`,
  ].filter(Boolean).join(' ');

  const path = evidenceFilePath(snapshot.evidenceDir, row.test_code, asOf.compactDate);
  const bundle = (runId: string) =>
    jsonFile(path, {
      schema: 'canonical-test-evidence/1',
      run_id: runId,
      test_id: row.test_id,
      test_code: row.test_code,
      test_name: row.test_name,
      as_of_date: asOf.date,
      as_of_instant: asOf.instant,
      zone: asOf.zone,
      definition: {
        status: row.status, verdict: row.verdict, start_ts: row.start_ts, end_ts: row.end_ts, required_days: row.required_days,
        mid_test_checkpoint: row.mid_test_checkpoint, baseline_definition: row.baseline_definition, target_metrics: row.target_metrics,
        success_criteria: row.success_criteria, failure_criteria: row.failure_criteria, escalation_path: row.escalation_path,
      },
      progress: { days_elapsed: window.days_elapsed, days_remaining: window.days_remaining, is_overdue: window.is_overdue, required_days: row.required_days },
      metrics: metrics.map((m) => ({
        key: m.key, value: m.value, status: m.status, pending_reason: m.pendingReason,
        source: { schema: m.source.schema, table: m.source.table, column: m.source.column, time_column: m.source.timeColumn },
        aggregation: m.aggregation, rows_used: m.rowsUsed, window: m.window, latest_row_at: m.latestRowAt, as_of_exact: m.asOfExact,
      })),
      conditions: { success_criteria: success, failure_criteria: failure },
      escalation: {
        previous_state: previousState, state: escalationState, reasons, recommended_actions: actions,
        time_based: { should_escalate: window.should_escalate, reason: window.escalation_reason, applied: !closing },
      },
      actions: actionsTaken,
      verdict,
      live_state_updated: movesLive,
      previous_bundle_sha256: history.previous?.evidence_sha256 ?? null,
    });
  const { runId, file } = stableBundle(bundle, snapshot.runId, [history.current]);

  const progress = { daysElapsed: window.days_elapsed, daysRemaining: window.days_remaining, isOverdue: window.is_overdue };
  return {
    stateUpdate: movesLive
      ? { testId: row.test_id, testCode: row.test_code, progress, escalationState, raiseCeoAction, lastEvaluatedDate: asOf.date }
      : null,
    resolution:
      verdict !== 'PENDING' && movesLive
        ? { testId: row.test_id, testCode: row.test_code, verdict, asOf: asOf.instant,
            evidence: { verdict, run_id: runId, evidence_path: file.path, evidence_sha256: file.sha256 } }
        : null,
    runbook: {
      testId: row.test_id, testCode: row.test_code, runDate: asOf.date, runId,
      dayNumber: window.days_elapsed, requiredDays: row.required_days,
      status: verdict !== 'PENDING' ? 'RESOLVED' : row.status,
      escalationState,
      ceoActionRequired: raiseCeoAction || (movesLive && row.ceo_action_required),
      metricsSnapshot, verdict, notes, evidencePath: file.path, evidenceSha256: file.sha256,
    },
    alerts,
    file,
    outcome: {
      testCode: row.test_code, dayNumber: window.days_elapsed, escalationState, verdict,
      pendingMetrics: pending.map((m) => m.key), resolved: verdict !== 'PENDING', liveStateUpdated: movesLive,
    },
  };
}
