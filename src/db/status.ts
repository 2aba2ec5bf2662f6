import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/** One ACTIVE test's current state. */
export const statusRowSchema = z.object({
  test_code: z.string(),
  test_name: z.string(),
  days_elapsed: z.number().int().nullable(),
  required_days: z.number().int().nullable(),
  days_remaining: z.number().int().nullable(),
  is_overdue: z.boolean().nullable(),
  escalation_state: z.string(),
  /** First date of the escalation that holds, when `escalation_state` is ESCALATED (from the runbook row of `last_evaluated_date`). */
  escalated_since: z.string().nullable(),
  ceo_action_required: z.boolean(),
  verdict: z.string(),
  last_evaluated_date: z.string().nullable(),
  pending_metrics: z.array(z.string()),
});
export type StatusRow = z.infer<typeof statusRowSchema>;

/**
 * The ACTIVE tests in discovery order, with the pending metrics of each test's
 * newest runbook row and, for an escalated test, the date its escalation began.
 */
export async function loadStatus(db: CommonQueryMethods): Promise<readonly StatusRow[]> {
  return db.any(sql.type(statusRowSchema)`
    SELECT e.test_code, e.test_name, e.days_elapsed, e.required_days, e.days_remaining, e.is_overdue,
           e.escalation_state,
           CASE WHEN e.escalation_state = 'ESCALATED' THEN
             (SELECT x.escalated_since::text FROM fhq_calendar.test_runbook_entries AS x
              WHERE x.test_id = e.test_id AND x.run_date = e.last_evaluated_date) END AS escalated_since,
           e.ceo_action_required, e.verdict, e.last_evaluated_date::text AS last_evaluated_date,
           coalesce((SELECT array_agg(m.key ORDER BY m.key)
                     FROM jsonb_each(r.metrics_snapshot) AS m(key, entry)
                     WHERE m.entry->>'status' = 'PENDING'), '{}') AS pending_metrics
    FROM fhq_calendar.canonical_test_events AS e
    LEFT JOIN LATERAL (
      SELECT metrics_snapshot FROM fhq_calendar.test_runbook_entries AS x
      WHERE x.test_id = e.test_id ORDER BY x.run_date DESC LIMIT 1
    ) AS r ON true
    WHERE e.status = 'ACTIVE'
    ORDER BY e.start_ts NULLS LAST, e.test_code`);
}
