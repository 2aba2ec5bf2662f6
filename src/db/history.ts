import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { runbookHistorySchema, type TestHistory } from '../domain/history.js';

/**
 * Loads, for each test, its newest runbook row dated before `date` (the prior
 * escalation state and the evidence hash chain) and its row of `date` (so a
 * re-run can recognise that nothing changed). One query for all tests.
 */
export async function loadHistory(db: CommonQueryMethods, testIds: readonly string[], date: string): Promise<Map<string, TestHistory>> {
  const history = new Map<string, TestHistory>(testIds.map((id) => [id, { previous: null, current: null }]));
  if (testIds.length === 0) return history;
  const rows = await db.any(sql.type(runbookHistorySchema.extend({ is_current: z.boolean() }))`
    WITH r AS (
      SELECT test_id, run_date, run_id, escalation_state, escalation_reasons, escalated_since, evidence_sha256, run_date = ${date}::date AS is_current
      FROM fhq_calendar.test_runbook_entries
      WHERE test_id = ANY(${sql.array([...testIds], 'uuid')}) AND run_date <= ${date}::date
    )
    SELECT DISTINCT ON (test_id, is_current)
           test_id, run_date::text AS run_date, run_id, escalation_state, escalation_reasons, escalated_since::text AS escalated_since, evidence_sha256, is_current
    FROM r
    ORDER BY test_id, is_current, run_date DESC
  `);
  for (const { is_current, ...row } of rows) {
    const entry = history.get(row.test_id)!;
    if (is_current) entry.current = row;
    else entry.previous = row;
  }
  return history;
}
