import { describeCondition, type CriteriaResult } from '../domain/criteria.js';
import type { EscalationState } from '../domain/plan.js';
import type { TestContext } from './context.js';

/** The escalation decided for one evaluation, and whether it deserves an ESCALATION alert. */
export interface Escalation {
  state: EscalationState;
  /** Readable reasons, with current values. */
  reasons: string[];
  /** One stable key per condition that holds: compared with the previous evaluation's to detect a change. */
  reasonKeys: string[];
  recommendedActions: string[];
  /** The date the escalation started (this one, or the previous evaluation's); null when not escalated. */
  since: string | null;
  /** True when the test became ESCALATED or a reason holds that did not before: only then is an ESCALATION alert raised. */
  changed: boolean;
  /** The escalation state of the previous evaluation (before this date). */
  previousState: string;
}

/**
 * Escalation of an open or closing window (docs/verdicts.md "Escalation"):
 * ESCALATED while the failure criteria hold or (open window only) the
 * database's time-based condition holds; NONE otherwise. An alert is due only
 * when the test becomes escalated or a new reason holds (one condition of
 * several no longer holding is no news), in daily runs and backfills alike.
 *
 * @param timeBased whether to apply `check_escalation_conditions` (not at a close, where the resolution supersedes it).
 */
export function decideEscalation(ctx: TestContext, failure: CriteriaResult, timeBased: boolean): Escalation {
  const reasons: string[] = [];
  const reasonKeys: string[] = [];
  const recommendedActions: string[] = [];
  if (failure.outcome === 'MET') {
    const met = failure.conditions.filter((c) => c.outcome === 'MET');
    reasons.push(`failure criteria met: ${met.map(describeCondition).join('; ')}`);
    reasonKeys.push(...met.map((c) => `failure: ${c.metric} ${c.op} ${String(c.threshold)}`));
    recommendedActions.push(
      'Decide whether to stop the test and roll back the change',
      `Review the metrics with ${ctx.definition.escalationPath.owner ?? 'the test owner'}`,
    );
  }
  if (timeBased && ctx.window.should_escalate) {
    reasons.push(ctx.window.escalation_reason ?? 'time-based escalation condition');
    reasonKeys.push(`time: ${ctx.window.escalation_reason ?? 'condition'}`);
    recommendedActions.push(...ctx.window.recommended_actions);
  }
  const previous = ctx.history.previous;
  const previousState = previous?.escalation_state ?? 'NONE';
  const state: EscalationState = reasons.length > 0 ? 'ESCALATED' : 'NONE';
  const wasEscalated = previousState === 'ESCALATED';
  const keys = [...reasonKeys].sort();
  return {
    state,
    reasons,
    reasonKeys: keys,
    recommendedActions,
    since: state === 'ESCALATED' ? (wasEscalated && previous?.escalated_since ? previous.escalated_since : ctx.snapshot.asOf.date) : null,
    changed: state === 'ESCALATED' && (!wasEscalated || keys.some((k) => !(previous?.escalation_reasons ?? []).includes(k))),
    previousState,
  };
}
