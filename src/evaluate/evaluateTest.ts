import { asOfFor } from '../domain/asOf.js';
import type { CriteriaResult, FinalVerdict } from '../domain/criteria.js';
import type { GatedTest } from '../domain/gate.js';
import { NEXT_STEP } from '../domain/nextStep.js';
import type { MetricValue } from '../domain/metric.js';
import { evaluateConditions } from '../domain/recompute.js';
import type { Snapshot } from '../domain/snapshot.js';
import { decideAtClose, type CloseDecision } from '../domain/verdict.js';
import { metricsInstant, showInstant, windowLengthDays, windowPhase, type WindowPhase } from '../domain/window.js';
import {
  checkpointAlert,
  escalationAlert,
  escalationClearedAlert,
  metricsPendingAlert,
  resolutionAlert,
  signalErrorAlert,
  verdictDriftAlert,
} from './alerts.js';
import { assemble, type TestPlan } from './assemble.js';
import { metricsAt, testContext, type TestContext } from './context.js';
import { decideEscalation } from './escalation.js';
import { metricsSnapshot } from './evidence.js';

export type { TestPlan } from './assemble.js';

/**
 * Evaluates one test that passed the gate (docs/verdicts.md), pure: before its
 * window only a Day 0 row; a test using a failed source goes to SYSTEM_ERROR
 * for the date; otherwise the criteria on its metrics, escalation, the
 * checkpoint and, at the close, the verdict as of `end_ts` (waiting for late
 * data during the resolution grace).
 */
export function evaluateTest(test: GatedTest, snapshot: Snapshot): TestPlan {
  const ctx = testContext(test, snapshot);
  const bounds = { start_ts: test.definition.startTs, end_ts: test.definition.endTs, verdict: test.row.verdict, status: test.row.status };
  const phase = windowPhase(bounds, snapshot.asOf);
  if (phase.kind === 'before') return beforeWindowPlan(ctx);
  const instant = metricsInstant(bounds, snapshot.asOf)!;
  const metrics = metricsAt(test, snapshot, instant);
  const failed = metrics.filter((m) => m.status === 'ERROR');
  if (failed.length > 0) return signalErrorPlan(ctx, phase, metrics, failed, instant);
  return windowPlan(ctx, phase, metrics, instant);
}

/** Not started: a Day 0 row saying when the window opens; no metric, escalation or alert. */
function beforeWindowPlan(ctx: TestContext): TestPlan {
  const opens = showInstant(ctx.definition.startTs, ctx.snapshot.asOf.zone);
  return assemble(ctx, {
    state: 'NONE',
    escalationReasons: [],
    escalatedSince: null,
    raiseCeoAction: false,
    progress: { daysElapsed: 0, daysRemaining: ctx.window.days_remaining, isOverdue: false },
    dayNumber: 0,
    verdict: 'PENDING',
    notes: [`Window opens ${opens}; nothing is evaluated before then.`],
    metricsSnapshot: {},
    pendingMetrics: [],
    alerts: [],
    evidence: { phase: 'before', metricsAsOf: null, verdictAsOf: null, metrics: [], conditions: null, escalation: null, close: null },
  });
}

/** A source the test uses failed: SYSTEM_ERROR for this date with a CRITICAL SIGNAL_ERROR alert; nothing else decided. */
function signalErrorPlan(ctx: TestContext, phase: WindowPhase, metrics: MetricValue[], failed: MetricValue[], instant: string): TestPlan {
  return assemble(ctx, {
    state: 'SYSTEM_ERROR',
    escalationReasons: [],
    escalatedSince: null,
    raiseCeoAction: true,
    progress: { daysElapsed: ctx.window.days_elapsed, daysRemaining: ctx.window.days_remaining, isOverdue: ctx.window.is_overdue },
    dayNumber: dayNumberOf(ctx, phase),
    verdict: 'PENDING',
    notes: [
      `Not evaluated: ${failed.map((m) => `signal ${m.key} (${m.source.schema}.${m.source.table}) failed: ${m.error ?? 'query failed'}`).join('; ')}.`,
    ],
    metricsSnapshot: metricsSnapshot(metrics, ctx.definition),
    pendingMetrics: [],
    alerts: [signalErrorAlert(ctx, failed)],
    evidence: { phase: phase.kind, metricsAsOf: instant, verdictAsOf: null, metrics, conditions: null, escalation: null, close: null },
  });
}

function dayNumberOf(ctx: TestContext, phase: WindowPhase): number {
  return phase.kind === 'closing'
    ? windowLengthDays({ ...ctx.row, start_ts: ctx.definition.startTs, end_ts: ctx.definition.endTs }, ctx.snapshot.asOf.zone)
    : ctx.window.days_elapsed;
}

/**
 * The mid-test checkpoint is reached on the first evaluation at or after it:
 * this as-of instant is at or after it and the previous evaluation's was before it.
 */
function checkpointReached(ctx: TestContext): boolean {
  const checkpoint = ctx.row.mid_test_checkpoint;
  const { asOf, runTime } = ctx.snapshot;
  if (checkpoint === null || Date.parse(asOf.instant) < Date.parse(checkpoint)) return false;
  const previous = ctx.history.previous;
  return previous === null || Date.parse(asOfFor(previous.run_date, asOf.zone, runTime).instant) < Date.parse(checkpoint);
}

/** Notes of the close: the verdict and what it was evaluated as of, or what the verdict waits for. */
function closeNotes(ctx: TestContext, decision: CloseDecision): string {
  const closedAt = showInstant(ctx.definition.endTs, ctx.snapshot.asOf.zone);
  if (decision.kind === 'waiting') {
    return `Window closed ${closedAt}; the verdict waits for late data on ${decision.missing.join(', ')} (${decision.graceDaysLeft} more day(s) of the ${ctx.snapshot.resolutionGraceDays}-day grace).`;
  }
  return `Window closed ${closedAt}: verdict ${decision.verdict}, evaluated as of the close${decision.missing.length ? `; missing: ${decision.missing.join(', ')}` : ''}. ${NEXT_STEP[decision.verdict]}.`;
}

/** The runbook notes of an open window or a close: pending metrics, escalation, checkpoint, close. */
function windowNotes(
  ctx: TestContext,
  phase: WindowPhase,
  pending: readonly MetricValue[],
  escalation: ReturnType<typeof decideEscalation>,
  checkpoint: boolean,
  decision: CloseDecision | null,
): string[] {
  return [
    pending.length
      ? `Metrics pending: ${pending.map((m) => `${m.key} (${m.pendingReason ?? 'pending'})`).join(', ')}.`
      : 'All metrics available.',
    escalation.state === 'ESCALATED'
      ? `Escalated since ${escalation.since}${escalation.changed ? '' : ' (still holds; already alerted)'}: ${escalation.reasons.join('; ')}.`
      : escalation.previousState !== 'NONE' && phase.kind === 'open'
        ? `Escalation cleared (was ${escalation.previousState}).`
        : null,
    checkpoint ? 'Mid-test checkpoint reached: the metrics are up for review.' : null,
    decision ? closeNotes(ctx, decision) : null,
  ].filter((n): n is string => n !== null);
}

/** An open window, or the close: criteria, escalation, checkpoint and verdict. */
function windowPlan(ctx: TestContext, phase: WindowPhase, metrics: MetricValue[], instant: string): TestPlan {
  const { definition, snapshot } = ctx;
  const valueOf = (key: string) => metrics.find((m) => m.key === key)?.value ?? null;
  const { success_criteria: success, failure_criteria: failure } = evaluateConditions(definition, valueOf);
  const pending = metrics.filter((m) => m.status === 'PENDING');
  const decision = phase.kind === 'closing' ? decideAtClose(success, failure, phase.daysAfterClose, snapshot.resolutionGraceDays) : null;
  const verdict = decision?.kind === 'verdict' ? decision.verdict : 'PENDING';
  const escalation = decideEscalation(ctx, failure, phase.kind === 'open');
  const checkpoint = phase.kind === 'open' && checkpointReached(ctx);
  const dayNumber = dayNumberOf(ctx, phase);
  const alerts = [
    ...(pending.length > 0 && verdict === 'PENDING' ? [metricsPendingAlert(ctx, pending)] : []),
    ...(phase.kind === 'open' ? escalationAlerts(ctx, escalation, failure) : []),
    ...(checkpoint ? [checkpointAlert(ctx, metrics, dayNumber)] : []),
    ...(decision?.kind === 'verdict' ? closeAlerts(ctx, decision.verdict, success, failure, decision.missing) : []),
  ];
  const notes = windowNotes(ctx, phase, pending, escalation, checkpoint, decision);
  return assemble(ctx, {
    state: escalation.state,
    escalationReasons: escalation.reasonKeys,
    escalatedSince: escalation.since,
    // Only what needs a new decision raises the flag, so a person's acknowledgement holds until something changes.
    raiseCeoAction: escalation.changed || checkpoint || verdict !== 'PENDING',
    progress: {
      daysElapsed: ctx.window.days_elapsed,
      daysRemaining: ctx.window.days_remaining,
      isOverdue: phase.kind === 'closing' ? false : ctx.window.is_overdue,
    },
    dayNumber,
    verdict,
    notes,
    metricsSnapshot: metricsSnapshot(metrics, definition),
    pendingMetrics: pending.map((m) => m.key),
    alerts,
    evidence: {
      phase: phase.kind,
      metricsAsOf: instant,
      verdictAsOf: decision?.kind === 'verdict' ? instant : null,
      metrics,
      conditions: { success_criteria: success, failure_criteria: failure },
      escalation,
      close: decision && {
        decision: decision.kind,
        missing: decision.missing,
        grace_days: snapshot.resolutionGraceDays,
        days_after_close: phase.kind === 'closing' ? phase.daysAfterClose : null,
      },
    },
  });
}

/** ESCALATION when the test becomes escalated or its reasons change; ESCALATION_CLEARED when it returns to NONE. */
function escalationAlerts(ctx: TestContext, escalation: ReturnType<typeof decideEscalation>, failure: CriteriaResult) {
  if (escalation.state === 'ESCALATED') return escalation.changed ? [escalationAlert(ctx, escalation, failure)] : [];
  return escalation.previousState !== 'NONE' ? [escalationClearedAlert(ctx, escalation.previousState)] : [];
}

/**
 * At a close: the RESOLUTION alert; when a RESOLVED test is re-evaluated, no
 * second RESOLUTION (its live verdict never changes) but a CRITICAL
 * VERDICT_DRIFT when the re-evaluated verdict differs from the live one.
 */
function closeAlerts(
  ctx: TestContext,
  verdict: FinalVerdict,
  success: CriteriaResult,
  failure: CriteriaResult,
  missing: readonly string[],
) {
  if (ctx.row.status !== 'RESOLVED') return [resolutionAlert(ctx, verdict, success, failure, missing)];
  if (verdict === ctx.row.verdict) return [];
  return [verdictDriftAlert(ctx, verdict, success, failure)];
}
