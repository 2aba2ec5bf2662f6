import { compare, type CriteriaResult, type FinalVerdict } from '../domain/criteria.js';
import type { MetricValue } from '../domain/metric.js';
import { NEXT_STEP } from '../domain/nextStep.js';
import type { AlertWrite } from '../domain/plan.js';
import { showInstant } from '../domain/window.js';
import type { TestContext } from './context.js';
import type { Escalation } from './escalation.js';

const RESOLUTION_SEVERITY = { SUCCESS: 'INFO', FAILURE: 'CRITICAL', INCONCLUSIVE: 'WARNING' } as const;

/** A metric against its target, e.g. `brier_score 0.19 (target <= 0.25: met)`. */
export function metricAgainstTarget(ctx: TestContext, m: MetricValue): string {
  const target = ctx.definition.targets[m.key];
  if (m.value === null) return `${m.key} pending${target ? ` (target ${target.op} ${String(target.value)})` : ''}`;
  if (!target) return `${m.key} ${String(m.value)}`;
  return `${m.key} ${String(m.value)} (target ${target.op} ${String(target.value)}: ${compare(m.value, target.op, target.value) ? 'met' : 'not met'})`;
}

/** WARNING METRICS_PENDING naming each pending key and why; `extra` says what waits on them. */
export function metricsPendingAlert(ctx: TestContext, pending: readonly MetricValue[], extra = ''): AlertWrite {
  return ctx.alert(
    'WARNING',
    'METRICS_PENDING',
    `${ctx.row.test_code}: ${pending.length} metric(s) pending`,
    `${pending.map((m) => `${m.key}: ${m.pendingReason ?? 'pending'}`).join('; ')}${extra}`,
    ['Check that the source tables named in test_signal_registry are being loaded'],
  );
}

/** ESCALATION: CRITICAL when the failure criteria hold, WARNING for a time-based condition alone. */
export function escalationAlert(ctx: TestContext, escalation: Escalation, failure: CriteriaResult): AlertWrite {
  return ctx.alert(
    failure.outcome === 'MET' ? 'CRITICAL' : 'WARNING',
    'ESCALATION',
    `${ctx.row.test_code}: escalated to the CEO`,
    `${escalation.reasons.join('; ')} (escalated since ${escalation.since ?? ctx.snapshot.asOf.date})`,
    escalation.recommendedActions,
  );
}

/** INFO ESCALATION_CLEARED: no condition holds any more. */
export function escalationClearedAlert(ctx: TestContext, previousState: string): AlertWrite {
  return ctx.alert(
    'INFO',
    'ESCALATION_CLEARED',
    `${ctx.row.test_code}: escalation cleared`,
    `No escalation condition holds as of ${ctx.snapshot.asOf.date}; the state returns from ${previousState} to NONE.`,
    [],
  );
}

/** WARNING CHECKPOINT: progress and every metric against its target, times in the zone. */
export function checkpointAlert(ctx: TestContext, metrics: readonly MetricValue[], dayNumber: number): AlertWrite {
  const { zone } = ctx.snapshot.asOf;
  const checkpoint = showInstant(ctx.row.mid_test_checkpoint!, zone);
  return ctx.alert(
    'WARNING',
    'CHECKPOINT',
    `${ctx.row.test_code}: mid-test checkpoint reached`,
    `Checkpoint ${checkpoint} reached: Day ${dayNumber} of ${ctx.row.required_days ?? '?'}, ${ctx.window.days_remaining} day(s) remaining. ${metrics.map((m) => metricAgainstTarget(ctx, m)).join('; ')}.`,
    [
      'Review the checkpoint metrics with the test owner',
      `Acknowledge when reviewed: canonical-tests ack --test ${ctx.row.test_code} --by NAME`,
    ],
  );
}

/** RESOLUTION: the verdict, how both criteria came out as of the close, what was missing, and the next step. */
export function resolutionAlert(
  ctx: TestContext,
  verdict: FinalVerdict,
  success: CriteriaResult,
  failure: CriteriaResult,
  missing: readonly string[],
): AlertWrite {
  const closedAt = showInstant(ctx.row.end_ts!, ctx.snapshot.asOf.zone);
  return ctx.alert(
    RESOLUTION_SEVERITY[verdict],
    'RESOLUTION',
    `${ctx.row.test_code}: window closed, verdict ${verdict}`,
    `Evaluated as of the close (${closedAt}): success criteria ${success.outcome}, failure criteria ${failure.outcome}${missing.length ? `; missing as of the close: ${missing.join(', ')}` : ''}.`,
    [NEXT_STEP[verdict]],
  );
}

/** CRITICAL SIGNAL_ERROR: each failing key, its table and the database's message. */
export function signalErrorAlert(ctx: TestContext, failed: readonly MetricValue[]): AlertWrite {
  return ctx.alert(
    'CRITICAL',
    'SIGNAL_ERROR',
    `${ctx.row.test_code}: signal source failed, not evaluated`,
    failed.map((m) => `signal ${m.key} (${m.source.schema}.${m.source.table}): ${m.error ?? 'query failed'}`).join('\n'),
    ['Fix the source named above (or its registry row)', `Re-run the date: canonical-tests run --date ${ctx.snapshot.asOf.date}`],
  );
}

/** CRITICAL VERDICT_DRIFT: a RESOLVED test re-evaluated with the data as it is now closes with another verdict; a person decides. */
export function verdictDriftAlert(ctx: TestContext, verdict: FinalVerdict, success: CriteriaResult, failure: CriteriaResult): AlertWrite {
  const closedAt = showInstant(ctx.row.end_ts!, ctx.snapshot.asOf.zone);
  return ctx.alert(
    'CRITICAL',
    'VERDICT_DRIFT',
    `${ctx.row.test_code}: re-evaluated verdict ${verdict} differs from the recorded ${ctx.row.verdict}`,
    `Re-evaluated as of the close (${closedAt}) with the data as it is now: success criteria ${success.outcome}, failure criteria ${failure.outcome}, verdict ${verdict}. The live verdict stays ${ctx.row.verdict}.`,
    ['Find which source rows changed since the window resolved (canonical-tests history)', 'Decide whether the recorded verdict stands'],
  );
}
