import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { testCodeProblemMessage } from '../domain/testCodeSuggestions.js';
import { testRowSchema, type TestRow } from '../domain/testRow.js';
import { UsageError } from '../errors.js';

const TEST_COLUMNS = sql.fragment`
  test_id, test_code, test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
  baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path,
  days_elapsed, days_remaining, is_overdue, escalation_state, ceo_action_required, verdict,
  resolved_at, last_evaluated_date::text AS last_evaluated_date`;

/** Which tests a run of `date` evaluates: the WHERE condition of {@link loadActiveTests}. */
function evaluatedTests(codes: readonly string[] | undefined, options: { date?: string; includeResolved?: boolean }) {
  const named = codes && codes.length > 0;
  const filter = named ? sql.fragment`AND test_code = ANY(${sql.array([...codes], 'text')})` : sql.fragment``;
  const resolved =
    options.date !== undefined && (named || options.includeResolved)
      ? sql.fragment`OR (status = 'RESOLVED' AND resolved_at IS NOT NULL AND ${options.date}::date <= resolved_at::date)`
      : sql.fragment``;
  return sql.fragment`(status = 'ACTIVE' ${resolved}) ${filter}`;
}

/**
 * Loads the tests a run of `date` evaluates, `ORDER BY start_ts`, with no test
 * code hard-coded: every ACTIVE test, and — to re-evaluate the past — a
 * RESOLVED test named in `codes` or, with `includeResolved`, every RESOLVED
 * test, for dates up to the date it was resolved on (in the session's zone).
 * `codes`, when given, narrows the set to those codes (`run --test`).
 */
export async function loadActiveTests(
  db: CommonQueryMethods,
  codes?: readonly string[],
  options: { date?: string; includeResolved?: boolean } = {},
): Promise<readonly TestRow[]> {
  return db.any(sql.type(testRowSchema)`
    SELECT ${TEST_COLUMNS}
    FROM fhq_calendar.canonical_test_events
    WHERE ${evaluatedTests(codes, options)}
    ORDER BY start_ts NULLS LAST, test_code
  `);
}

/** The ids of the tests {@link loadActiveTests} loads, in its order: what a run reads in chunks (src/discover/chunks.ts). */
export async function loadActiveTestIds(
  db: CommonQueryMethods,
  codes?: readonly string[],
  options: { date?: string; includeResolved?: boolean } = {},
): Promise<readonly string[]> {
  return db.anyFirst(sql.type(z.object({ test_id: z.string() }))`
    SELECT test_id
    FROM fhq_calendar.canonical_test_events
    WHERE ${evaluatedTests(codes, options)}
    ORDER BY start_ts NULLS LAST, test_code
  `);
}

/** The tests with these ids, in the order of `ids` (an id of no test is left out). */
export async function loadTestsByIds(db: CommonQueryMethods, ids: readonly string[]): Promise<readonly TestRow[]> {
  return db.any(sql.type(testRowSchema)`
    SELECT ${TEST_COLUMNS}
    FROM unnest(${sql.array([...ids], 'uuid')}::uuid[]) WITH ORDINALITY AS wanted(test_id, n)
    JOIN fhq_calendar.canonical_test_events USING (test_id)
    ORDER BY wanted.n
  `);
}

/** The codes among `codes` that name no test at all (for a clear `--test` usage error). */
export async function unknownTestCodes(db: CommonQueryMethods, codes: readonly string[]): Promise<string[]> {
  const known = await db.anyFirst(sql.type(z.object({ test_code: z.string() }))`
    SELECT test_code FROM fhq_calendar.canonical_test_events WHERE test_code = ANY(${sql.array([...codes], 'text')})
  `);
  return codes.filter((code) => !known.includes(code));
}

/**
 * Refuses `--test` codes that name no test, or a test that can be neither
 * evaluated (ACTIVE) nor re-evaluated (RESOLVED), with near matches and the
 * ACTIVE codes ({@link testCodeProblemMessage}). Called once before a command
 * runs, and by discover for callers of a run that skip the command.
 *
 * @throws UsageError naming `--test` (exit 2).
 */
export async function requireEvaluableTestCodes(db: CommonQueryMethods, codes: readonly string[] | undefined): Promise<void> {
  if (!codes || codes.length === 0) return;
  const tests = await db.any(sql.type(z.object({ test_code: z.string(), status: z.string() }))`
    SELECT test_code, status::text AS status FROM fhq_calendar.canonical_test_events ORDER BY start_ts NULLS LAST, test_code
  `);
  const problem = testCodeProblemMessage(codes, tests);
  if (problem !== null) throw new UsageError('--test', problem);
}
