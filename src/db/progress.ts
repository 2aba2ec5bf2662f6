import { sql, type CommonQueryMethods } from 'slonik';
import { windowStateSchema, type WindowState } from '../domain/windowState.js';

/**
 * Calls `compute_test_progress` and `check_escalation_conditions` for all
 * `testIds` in one set-based query.
 *
 * @param asOf the as-of instant, UTC ISO. @param zone IANA zone for calendar days.
 * @returns one state per test id.
 */
export async function loadWindowStates(
  db: CommonQueryMethods,
  testIds: readonly string[],
  asOf: string,
  zone: string,
): Promise<Map<string, WindowState>> {
  if (testIds.length === 0) return new Map();
  const rows = await db.any(sql.type(windowStateSchema)`
    SELECT t.test_id, p.days_elapsed, p.days_remaining, p.is_overdue,
           e.should_escalate, e.escalation_reason, e.recommended_actions
    FROM unnest(${sql.array([...testIds], 'uuid')}::uuid[]) AS t(test_id)
    CROSS JOIN LATERAL fhq_calendar.compute_test_progress(t.test_id, ${asOf}::timestamptz, ${zone}) AS p
    CROSS JOIN LATERAL fhq_calendar.check_escalation_conditions(t.test_id, ${asOf}::timestamptz) AS e
  `);
  return new Map(rows.map((row) => [row.test_id, row]));
}
