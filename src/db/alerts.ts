import { sql, type DatabaseTransactionConnection } from 'slonik';
import type { AlertWrite } from '../domain/plan.js';
import { jsonRows } from './json.js';

/**
 * Inserts alerts, at most one per test, type and date: a re-run updates the
 * unacknowledged alert of the same key when its text changed, and never
 * rewrites an acknowledged one.
 */
export async function upsertAlerts(tx: DatabaseTransactionConnection, alerts: readonly AlertWrite[]): Promise<void> {
  if (alerts.length === 0) return;
  await tx.query(sql.unsafe`
      INSERT INTO fhq_calendar.ceo_calendar_alerts AS a
        (test_id, run_date, severity, alert_type, title, message, recommended_actions)
      SELECT test_id, run_date, severity, alert_type, title, message, recommended_actions
      FROM jsonb_to_recordset(${jsonRows(
        alerts.map((a) => ({
          test_id: a.testId,
          run_date: a.runDate,
          severity: a.severity,
          alert_type: a.alertType,
          title: a.title,
          message: a.message,
          recommended_actions: a.recommendedActions,
        })),
      )}) AS r(test_id uuid, run_date date, severity text, alert_type text, title text, message text,
                   recommended_actions jsonb)
      ON CONFLICT (test_id, alert_type, run_date) DO UPDATE SET
        severity = EXCLUDED.severity, title = EXCLUDED.title, message = EXCLUDED.message,
        recommended_actions = EXCLUDED.recommended_actions
      WHERE a.acknowledged_at IS NULL
        AND (a.severity, a.title, a.message, a.recommended_actions)
            IS DISTINCT FROM (EXCLUDED.severity, EXCLUDED.title, EXCLUDED.message, EXCLUDED.recommended_actions)`);
}
