import { sql, type DatabaseTransactionConnection } from 'slonik';
import type { Plan } from '../evaluate/plan.js';

const json = (rows: unknown[]) => sql.jsonb(rows as Parameters<typeof sql.jsonb>[0]);

/**
 * Applies the database part of a plan inside the caller's transaction (SPEC §3
 * "Atomic"): evaluator-owned columns (only where the as-of date is on or after
 * `last_evaluated_date`), window resolutions, runbook rows (replacing the
 * test's row of that date) and alerts (one per test, type and date; an
 * acknowledged alert is never rewritten). Each table takes one statement.
 * Rows whose content is unchanged are not touched, so a re-run is a no-op.
 */
export async function applyPlan(tx: DatabaseTransactionConnection, plan: Plan): Promise<void> {
  if (plan.stateUpdates.length > 0) {
    await tx.query(sql.unsafe`
      UPDATE fhq_calendar.canonical_test_events AS e SET
        days_elapsed = CASE WHEN u.has_progress THEN u.days_elapsed ELSE e.days_elapsed END,
        days_remaining = CASE WHEN u.has_progress THEN u.days_remaining ELSE e.days_remaining END,
        is_overdue = CASE WHEN u.has_progress THEN u.is_overdue ELSE e.is_overdue END,
        escalation_state = u.escalation_state,
        ceo_action_required = e.ceo_action_required OR u.raise_ceo_action,
        last_evaluated_date = u.last_evaluated_date
      FROM jsonb_to_recordset(${json(plan.stateUpdates.map((u) => ({
        test_id: u.testId, has_progress: u.progress !== null, days_elapsed: u.progress?.daysElapsed ?? null,
        days_remaining: u.progress?.daysRemaining ?? null, is_overdue: u.progress?.isOverdue ?? null,
        escalation_state: u.escalationState, raise_ceo_action: u.raiseCeoAction, last_evaluated_date: u.lastEvaluatedDate,
      })))}) AS u(test_id uuid, has_progress boolean, days_elapsed integer, days_remaining integer, is_overdue boolean,
                   escalation_state text, raise_ceo_action boolean, last_evaluated_date date)
      WHERE e.test_id = u.test_id
        AND (e.last_evaluated_date IS NULL OR e.last_evaluated_date <= u.last_evaluated_date)`);
  }
  if (plan.resolutions.length > 0) {
    await tx.query(sql.unsafe`
      SELECT fhq_calendar.resolve_test_window(r.test_id, r.verdict, r.as_of, r.evidence)
      FROM jsonb_to_recordset(${json(plan.resolutions.map((r) => ({
        test_id: r.testId, verdict: r.verdict, as_of: r.asOf, evidence: r.evidence,
      })))}) AS r(test_id uuid, verdict text, as_of timestamptz, evidence jsonb)`);
  }
  if (plan.runbook.length > 0) {
    await tx.query(sql.unsafe`
      INSERT INTO fhq_calendar.test_runbook_entries AS t
        (test_id, run_date, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
         metrics_snapshot, verdict, notes, evidence_path, evidence_sha256)
      SELECT test_id, run_date, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
             metrics_snapshot, verdict, notes, evidence_path, evidence_sha256
      FROM jsonb_to_recordset(${json(plan.runbook.map((r) => ({
        test_id: r.testId, run_date: r.runDate, run_id: r.runId, day_number: r.dayNumber, required_days: r.requiredDays,
        status: r.status, escalation_state: r.escalationState, ceo_action_required: r.ceoActionRequired,
        metrics_snapshot: r.metricsSnapshot, verdict: r.verdict, notes: r.notes, evidence_path: r.evidencePath,
        evidence_sha256: r.evidenceSha256,
      })))}) AS r(test_id uuid, run_date date, run_id uuid, day_number integer, required_days integer, status text,
                   escalation_state text, ceo_action_required boolean, metrics_snapshot jsonb, verdict text, notes text,
                   evidence_path text, evidence_sha256 text)
      ON CONFLICT (test_id, run_date) DO UPDATE SET
        run_id = EXCLUDED.run_id, day_number = EXCLUDED.day_number, required_days = EXCLUDED.required_days,
        status = EXCLUDED.status, escalation_state = EXCLUDED.escalation_state,
        ceo_action_required = EXCLUDED.ceo_action_required, metrics_snapshot = EXCLUDED.metrics_snapshot,
        verdict = EXCLUDED.verdict, notes = EXCLUDED.notes, evidence_path = EXCLUDED.evidence_path,
        evidence_sha256 = EXCLUDED.evidence_sha256, created_at = now()
      WHERE (t.run_id, t.day_number, t.required_days, t.status, t.escalation_state, t.ceo_action_required,
             t.metrics_snapshot, t.verdict, t.notes, t.evidence_path, t.evidence_sha256)
        IS DISTINCT FROM
            (EXCLUDED.run_id, EXCLUDED.day_number, EXCLUDED.required_days, EXCLUDED.status, EXCLUDED.escalation_state,
             EXCLUDED.ceo_action_required, EXCLUDED.metrics_snapshot, EXCLUDED.verdict, EXCLUDED.notes,
             EXCLUDED.evidence_path, EXCLUDED.evidence_sha256)`);
  }
  if (plan.alerts.length > 0) {
    await tx.query(sql.unsafe`
      INSERT INTO fhq_calendar.ceo_calendar_alerts AS a
        (test_id, run_date, severity, alert_type, title, message, recommended_actions)
      SELECT test_id, run_date, severity, alert_type, title, message, recommended_actions
      FROM jsonb_to_recordset(${json(plan.alerts.map((a) => ({
        test_id: a.testId, run_date: a.runDate, severity: a.severity, alert_type: a.alertType, title: a.title,
        message: a.message, recommended_actions: a.recommendedActions,
      })))}) AS r(test_id uuid, run_date date, severity text, alert_type text, title text, message text,
                   recommended_actions jsonb)
      ON CONFLICT (test_id, alert_type, run_date) DO UPDATE SET
        severity = EXCLUDED.severity, title = EXCLUDED.title, message = EXCLUDED.message,
        recommended_actions = EXCLUDED.recommended_actions
      WHERE a.acknowledged_at IS NULL
        AND (a.severity, a.title, a.message, a.recommended_actions)
            IS DISTINCT FROM (EXCLUDED.severity, EXCLUDED.title, EXCLUDED.message, EXCLUDED.recommended_actions)`);
  }
}
