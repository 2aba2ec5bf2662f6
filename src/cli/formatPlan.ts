import { relative } from 'node:path';
import { describeDefect } from '../domain/defect.js';
import type { PlanOutline } from '../domain/plan.js';
import { displayTestCode } from '../domain/testCode.js';

const rel = (path: string) => relative(process.cwd(), path) || path;

/** `camelCase` → `snake_case` (a key already in snake_case is unchanged). */
const snakeKey = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A copy of `value` whose object keys are all snake_case, the one key style of
 * every `--json` document. The values of the keys in `opaque` (maps keyed by
 * data, such as a runbook row's `metricsSnapshot`, keyed by signal key) are
 * copied as they are: only their own key is converted.
 */
export function toSnakeCase(value: unknown, opaque: ReadonlySet<string> = new Set(['metricsSnapshot'])): unknown {
  if (Array.isArray(value)) return value.map((v) => toSnakeCase(v, opaque));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [snakeKey(k), opaque.has(k) ? v : toSnakeCase(v, opaque)]),
  );
}

/**
 * The plan as the JSON document of `--json`: files by path, size and hash,
 * bundles without their text (an outline holds no contents), every key in snake_case (the signal keys of a metrics
 * snapshot stay as registered).
 */
export function planToJson(plan: PlanOutline): Record<string, unknown> {
  return toSnakeCase(plan) as Record<string, unknown>;
}

/** Every write of a plan, one per line, for `--dry-run`. */
export function describePlan(plan: PlanOutline): string[] {
  const lines: string[] = [];
  for (const u of plan.stateUpdates) {
    const progress = u.progress
      ? `days_elapsed=${u.progress.daysElapsed} days_remaining=${u.progress.daysRemaining} is_overdue=${u.progress.isOverdue} `
      : '';
    lines.push(
      `UPDATE canonical_test_events ${displayTestCode(u.testCode)}: ${progress}escalation_state=${u.escalationState}${u.raiseCeoAction ? ' ceo_action_required=true' : ''} last_evaluated_date=${u.lastEvaluatedDate}`,
    );
  }
  for (const r of plan.resolutions)
    lines.push(`CALL resolve_test_window ${displayTestCode(r.testCode)}: verdict=${r.verdict} resolved_at=${r.asOf}`);
  for (const r of plan.runbook)
    lines.push(
      `UPSERT test_runbook_entries ${displayTestCode(r.testCode)} ${r.runDate}: day ${r.dayNumber ?? '-'} ${r.status} ${r.escalationState} verdict=${r.verdict}`,
    );
  for (const a of plan.alerts)
    lines.push(
      `UPSERT ceo_calendar_alerts ${a.testCode === null ? '(run)' : displayTestCode(a.testCode)} ${a.alertType} ${a.severity}: ${a.title}`,
    );
  for (const f of plan.files) lines.push(`WRITE ${rel(f.path)} (sha256 ${f.sha256})`);
  lines.push(`RENDER ${rel(plan.reportPath)}`);
  return lines;
}

/** The human summary of a run: one line per test, then defects of a halt. */
export function summarisePlan(plan: PlanOutline): string[] {
  const lines = [`${plan.asOf.date} (as of ${plan.asOf.instant}, ${plan.asOf.zone}) run ${plan.runId}${plan.halted ? ' HALTED' : ''}`];
  for (const o of plan.outcomes) {
    const pending = o.pendingMetrics.length ? ` pending: ${o.pendingMetrics.join(', ')}` : '';
    lines.push(
      `  ${displayTestCode(o.testCode)}  day ${o.dayNumber ?? '-'}  ${o.escalationState}  ${o.verdict}${o.resolved ? ' (resolved)' : ''}${pending}${o.liveStateUpdated ? '' : ' [live state kept]'}`,
    );
  }
  if (plan.outcomes.length === 0) lines.push('  no ACTIVE tests');
  for (const d of plan.defects) lines.push(`  DEFECT ${describeDefect(d)}`);
  return lines;
}
