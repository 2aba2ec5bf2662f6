import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { testRowSchema, type TestRow } from '../domain/testRow.js';

/**
 * Loads every ACTIVE test, `ORDER BY start_ts`, with no test code hard-coded. `codes`, when given, narrows
 * the set to those codes (`run --test`).
 */
export async function loadActiveTests(db: CommonQueryMethods, codes?: readonly string[]): Promise<readonly TestRow[]> {
  const filter = codes && codes.length > 0 ? sql.fragment`AND test_code = ANY(${sql.array([...codes], 'text')})` : sql.fragment``;
  return db.any(sql.type(testRowSchema)`
    SELECT test_id, test_code, test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
           baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path,
           days_elapsed, days_remaining, is_overdue, escalation_state, ceo_action_required, verdict,
           resolved_at, last_evaluated_date::text AS last_evaluated_date
    FROM fhq_calendar.canonical_test_events
    WHERE status = 'ACTIVE' ${filter}
    ORDER BY start_ts NULLS LAST, test_code
  `);
}

/** The codes among `codes` that name no test at all (for a clear `--test` usage error). */
export async function unknownTestCodes(db: CommonQueryMethods, codes: readonly string[]): Promise<string[]> {
  const known = await db.anyFirst(sql.type(z.object({ test_code: z.string() }))`
    SELECT test_code FROM fhq_calendar.canonical_test_events WHERE test_code = ANY(${sql.array([...codes], 'text')})
  `);
  return codes.filter((code) => !known.includes(code));
}
