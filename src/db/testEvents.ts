import { sql, type DatabaseTransactionConnection } from 'slonik';
import type { Resolution, StateUpdate } from '../domain/plan.js';
import { jsonRows } from './json.js';

/**
 * Writes the evaluator-owned columns of `canonical_test_events`, one statement
 * for all tests, only where the as-of date is on or after `last_evaluated_date`
 * (a backfill never moves live state backwards). `ceo_action_required` is only
 * ever set here, never cleared.
 */
export async function updateTestStates(tx: DatabaseTransactionConnection, stateUpdates: readonly StateUpdate[]): Promise<void> {
  if (stateUpdates.length === 0) return;
  await tx.query(sql.unsafe`
      UPDATE fhq_calendar.canonical_test_events AS e SET
        days_elapsed = CASE WHEN u.has_progress THEN u.days_elapsed ELSE e.days_elapsed END,
        days_remaining = CASE WHEN u.has_progress THEN u.days_remaining ELSE e.days_remaining END,
        is_overdue = CASE WHEN u.has_progress THEN u.is_overdue ELSE e.is_overdue END,
        escalation_state = u.escalation_state,
        ceo_action_required = e.ceo_action_required OR u.raise_ceo_action,
        last_evaluated_date = u.last_evaluated_date
      FROM jsonb_to_recordset(${jsonRows(
        stateUpdates.map((u) => ({
          test_id: u.testId,
          has_progress: u.progress !== null,
          days_elapsed: u.progress?.daysElapsed ?? null,
          days_remaining: u.progress?.daysRemaining ?? null,
          is_overdue: u.progress?.isOverdue ?? null,
          escalation_state: u.escalationState,
          raise_ceo_action: u.raiseCeoAction,
          last_evaluated_date: u.lastEvaluatedDate,
        })),
      )}) AS u(test_id uuid, has_progress boolean, days_elapsed integer, days_remaining integer, is_overdue boolean,
                   escalation_state text, raise_ceo_action boolean, last_evaluated_date date)
      WHERE e.test_id = u.test_id
        AND (e.last_evaluated_date IS NULL OR e.last_evaluated_date <= u.last_evaluated_date)`);
}

/** Calls `fhq_calendar.resolve_test_window` for each resolution, in one statement. */
export async function resolveWindows(tx: DatabaseTransactionConnection, resolutions: readonly Resolution[]): Promise<void> {
  if (resolutions.length === 0) return;
  await tx.query(sql.unsafe`
      SELECT fhq_calendar.resolve_test_window(r.test_id, r.verdict, r.as_of, r.evidence)
      FROM jsonb_to_recordset(${jsonRows(
        resolutions.map((r) => ({
          test_id: r.testId,
          verdict: r.verdict,
          as_of: r.asOf,
          evidence: r.evidence,
        })),
      )}) AS r(test_id uuid, verdict text, as_of timestamptz, evidence jsonb)`);
}
