/**
 * The evaluation both references perform for one test and date, pure: the
 * criteria on the resolved values, escalation (time-based from the database
 * plus failure criteria met), the verdict when the window has closed, and the
 * evidence JSON (about 2 KB for 5 metrics) with its SHA-256.
 */
import { createHash } from 'node:crypto';
import type { SignalValue } from './registry.js';
import type { Condition, Criteria, TestDefinition } from './tests.js';

/** Progress and time-based escalation of a test as of an instant. */
export interface WindowState {
  days_elapsed: number;
  days_remaining: number;
  is_overdue: boolean;
  should_escalate: boolean;
  escalation_reason: string | null;
}

/** What is written for one test and date. */
export interface Evaluation {
  escalationState: 'NONE' | 'ESCALATED';
  verdict: 'PENDING' | 'SUCCESS' | 'FAILURE' | 'INCONCLUSIVE';
  ceoActionRequired: boolean;
  notes: string;
  metricsSnapshot: Record<string, unknown>;
  evidence: string;
  evidenceSha256: string;
}

function compare(a: number | boolean, op: Condition['op'], b: number | boolean): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    default:
      return a !== b;
  }
}

function holds(c: Condition, values: Map<string, SignalValue>, baseline: Record<string, number | boolean>): boolean | null {
  const current = values.get(c.metric)?.value ?? null;
  if (current === null) return null;
  const base = baseline[c.metric];
  const threshold = c.value ?? (c.baseline_delta !== undefined ? Number(base) + c.baseline_delta : Number(base) * c.baseline_ratio!);
  return compare(current, c.op, threshold);
}

/** Whether a CRITERIA holds: true, false, or null when a metric it needs is pending. */
export function criteriaHold(
  criteria: Criteria,
  values: Map<string, SignalValue>,
  baseline: Record<string, number | boolean>,
): boolean | null {
  const outcomes = ('all' in criteria ? criteria.all : criteria.any).map((c) => holds(c, values, baseline));
  if ('all' in criteria) return outcomes.includes(false) ? false : outcomes.includes(null) ? null : true;
  return outcomes.includes(true) ? true : outcomes.includes(null) ? null : false;
}

/** Evaluates one test as of `asOf` (UTC ISO) for `date`, given its window state and its metrics. */
export function evaluate(
  test: TestDefinition,
  date: string,
  asOf: string,
  runId: string,
  window: WindowState,
  values: Map<string, SignalValue>,
): Evaluation {
  const success = criteriaHold(test.success_criteria, values, test.baseline_definition);
  const failure = criteriaHold(test.failure_criteria, values, test.baseline_definition);
  const closing = window.is_overdue;
  const verdict = !closing ? 'PENDING' : failure ? 'FAILURE' : success ? 'SUCCESS' : 'INCONCLUSIVE';
  const reasons = [
    ...(failure ? ['failure criteria met'] : []),
    ...(window.should_escalate && !closing ? [window.escalation_reason ?? 'time-based condition'] : []),
  ];
  const escalationState = reasons.length > 0 ? 'ESCALATED' : 'NONE';
  const metricsSnapshot: Record<string, unknown> = {};
  for (const [key, v] of values) {
    const target = test.target_metrics[key] ?? null;
    metricsSnapshot[key] = {
      value: v.value,
      baseline: test.baseline_definition[key] ?? null,
      target,
      target_met: target && v.value !== null ? compare(v.value, target.op, target.value) : null,
    };
  }
  const notes = `${escalationState === 'ESCALATED' ? `Escalated: ${reasons.join('; ')}.` : 'No escalation.'} Verdict ${verdict}.`;
  const evidence = `${JSON.stringify({
    run_id: runId,
    test_id: test.test_id,
    test_code: test.test_code,
    test_name: test.test_name,
    as_of_date: date,
    as_of_instant: asOf,
    definition: {
      start_ts: test.start_ts,
      end_ts: test.end_ts,
      required_days: test.required_days,
      baseline_definition: test.baseline_definition,
      target_metrics: test.target_metrics,
      success_criteria: test.success_criteria,
      failure_criteria: test.failure_criteria,
      escalation_path: test.escalation_path,
    },
    progress: { days_elapsed: window.days_elapsed, days_remaining: window.days_remaining, is_overdue: window.is_overdue },
    metrics: [...values].map(([key, v]) => ({ key, value: v.value, rows_used: v.rowsUsed, latest_row_at: v.latestAt })),
    conditions: { success_criteria: success, failure_criteria: failure },
    escalation: { state: escalationState, reasons },
    verdict,
  })}\n`;
  return {
    escalationState,
    verdict,
    ceoActionRequired: escalationState === 'ESCALATED' || closing,
    notes,
    metricsSnapshot,
    evidence,
    evidenceSha256: createHash('sha256').update(evidence).digest('hex'),
  };
}
