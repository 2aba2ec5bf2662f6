import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/** A row of `fhq_calendar.canonical_test_events` as read (SPEC §2.1); instants as UTC ISO strings. */
export const testRowSchema = z.object({
  test_id: z.string().uuid(),
  test_code: z.string(),
  test_name: z.string(),
  status: z.string(),
  start_ts: z.string().nullable(),
  end_ts: z.string().nullable(),
  required_days: z.number().int().nullable(),
  mid_test_checkpoint: z.string().nullable(),
  baseline_definition: z.unknown(),
  target_metrics: z.unknown(),
  success_criteria: z.unknown(),
  failure_criteria: z.unknown(),
  escalation_path: z.unknown(),
  days_elapsed: z.number().int().nullable(),
  days_remaining: z.number().int().nullable(),
  is_overdue: z.boolean().nullable(),
  escalation_state: z.string(),
  ceo_action_required: z.boolean(),
  verdict: z.string(),
  resolved_at: z.string().nullable(),
  last_evaluated_date: z.string().nullable(),
});
export type TestRow = z.infer<typeof testRowSchema>;

/**
 * Loads every ACTIVE test, `ORDER BY start_ts` (SPEC §1; NULL windows last,
 * then by code), with no test code hard-coded. `codes`, when given, narrows
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
