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
  // Per test, two index lookups on (test_id, run_date): the cost does not grow with the rows before `date`.
  const columns = sql.fragment`r.test_id, r.run_date::text AS run_date, r.run_id, r.escalation_state, r.escalation_reasons,
    r.escalated_since::text AS escalated_since, r.evidence_sha256`;
  const rows = await db.any(sql.type(runbookHistorySchema.extend({ is_current: z.boolean() }))`
    SELECT h.* FROM unnest(${sql.array([...testIds], 'uuid')}::uuid[]) AS t(test_id)
    CROSS JOIN LATERAL (
      (SELECT ${columns}, false AS is_current FROM fhq_calendar.test_runbook_entries AS r
       WHERE r.test_id = t.test_id AND r.run_date < ${date}::date ORDER BY r.run_date DESC LIMIT 1)
      UNION ALL
      (SELECT ${columns}, true AS is_current FROM fhq_calendar.test_runbook_entries AS r
       WHERE r.test_id = t.test_id AND r.run_date = ${date}::date)) AS h
  `);
  for (const { is_current, ...row } of rows) {
    const entry = history.get(row.test_id)!;
    if (is_current) entry.current = row;
    else entry.previous = row;
  }
  return history;
}
