import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { displayTestCode } from '../domain/testCode.js';
import { testRowSchema, type TestRow } from '../domain/testRow.js';
import { UsageError } from '../errors.js';

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
  const named = codes && codes.length > 0;
  const filter = named ? sql.fragment`AND test_code = ANY(${sql.array([...codes], 'text')})` : sql.fragment``;
  const resolved =
    options.date !== undefined && (named || options.includeResolved)
      ? sql.fragment`OR (status = 'RESOLVED' AND resolved_at IS NOT NULL AND ${options.date}::date <= resolved_at::date)`
      : sql.fragment``;
  return db.any(sql.type(testRowSchema)`
    SELECT test_id, test_code, test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
           baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path,
           days_elapsed, days_remaining, is_overdue, escalation_state, ceo_action_required, verdict,
           resolved_at, last_evaluated_date::text AS last_evaluated_date
    FROM fhq_calendar.canonical_test_events
    WHERE (status = 'ACTIVE' ${resolved}) ${filter}
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

/** The status of each of `codes` that names a test (for `--test` usage errors), by code. */
export async function testStatuses(db: CommonQueryMethods, codes: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.any(sql.type(z.object({ test_code: z.string(), status: z.string() }))`
    SELECT test_code, status FROM fhq_calendar.canonical_test_events WHERE test_code = ANY(${sql.array([...codes], 'text')})`);
  return new Map(rows.map((r) => [r.test_code, r.status]));
}

/** How many ACTIVE codes a `--test` usage error lists at most. */
export const MAX_LISTED_CODES = 20;

/** Levenshtein distance of two strings, in code points. */
function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * The code among `candidates` that `code` was most likely meant to be: the
 * same code in another case, else the nearest one at most two edits away
 * (ignoring case, and at most a third of its length), the first listed
 * winning a tie; null when none is that close.
 *
 * @param candidates codes to choose from, the preferred (ACTIVE) ones first.
 */
export function nearestCode(code: string, candidates: readonly string[]): string | null {
  const wanted = code.toLowerCase();
  const sameLetters = candidates.find((c) => c.toLowerCase() === wanted);
  if (sameLetters !== undefined) return sameLetters;
  const limit = Math.min(2, Math.floor([...code].length / 3));
  let best: { code: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance <= limit && (best === null || distance < best.distance)) best = { code: candidate, distance };
  }
  return best?.code ?? null;
}

/** A test code and its status, for `--test` messages. */
export interface CodeStatus {
  test_code: string;
  status: string;
}

/**
 * The sentence of a `--test` usage error: which requested codes name no test
 * (with a near match: "did you mean EC-022?") or a test that is not ACTIVE,
 * then the ACTIVE codes (at most {@link MAX_LISTED_CODES}). Null when every
 * requested code names an ACTIVE test.
 *
 * @param requested the codes of `--test`, as typed.
 * @param tests every test's code and status (ACTIVE ones are suggested first).
 */
export function testCodeProblemMessage(requested: readonly string[], tests: readonly CodeStatus[]): string | null {
  const statusOf = new Map(tests.map((t) => [t.test_code, t.status]));
  const active = tests.filter((t) => t.status === 'ACTIVE').map((t) => t.test_code);
  const unknown = requested.filter((code) => !statusOf.has(code));
  // A RESOLVED test may be named: its past is re-evaluated, for dates up to its resolution.
  const inactive = requested.filter((code) => statusOf.has(code) && !['ACTIVE', 'RESOLVED'].includes(statusOf.get(code)!));
  if (unknown.length === 0 && inactive.length === 0) return null;
  const parts: string[] = [];
  if (unknown.length > 0) {
    const candidates = [...active, ...tests.map((t) => t.test_code).filter((c) => !active.includes(c))];
    const guesses = unknown.flatMap((code) => {
      const near = nearestCode(code, candidates);
      return near === null ? [] : [{ code, near }];
    });
    let sentence = `no test has the code ${unknown.map((c) => JSON.stringify(c)).join(', ')}`;
    if (guesses.length === 1 && unknown.length === 1) sentence += `; did you mean ${displayTestCode(guesses[0]!.near)}?`;
    else if (guesses.length > 0)
      sentence += `; did you mean ${guesses.map((g) => `${displayTestCode(g.near)} for ${JSON.stringify(g.code)}`).join(', ')}?`;
    parts.push(sentence);
  }
  if (inactive.length > 0) {
    parts.push(
      inactive
        .map((c) => `${JSON.stringify(c)} is ${statusOf.get(c) ?? 'unknown'}: only ACTIVE and RESOLVED tests can be evaluated`)
        .join(', '),
    );
  }
  const listed = active.slice(0, MAX_LISTED_CODES).map(displayTestCode).join(', ');
  parts.push(
    active.length === 0
      ? 'there is no ACTIVE test'
      : active.length > MAX_LISTED_CODES
        ? `ACTIVE tests (the first ${MAX_LISTED_CODES} of ${active.length}): ${listed}, …`
        : `ACTIVE tests: ${listed}`,
  );
  // "…; did you mean EC-022? ACTIVE tests: …": no semicolon after a question.
  return parts.reduce((text, part) => `${text}${text.endsWith('?') ? ' ' : '; '}${part}`);
}

/**
 * Refuses `--test` codes that name no test, or a test that is not ACTIVE,
 * before a run starts ({@link testCodeProblemMessage}).
 *
 * @throws UsageError naming `--test` (exit 2).
 */
export async function requireActiveTestCodes(db: CommonQueryMethods, codes: readonly string[] | undefined): Promise<void> {
  if (!codes || codes.length === 0) return;
  const tests = await db.any(sql.type(z.object({ test_code: z.string(), status: z.string() }))`
    SELECT test_code, status::text AS status FROM fhq_calendar.canonical_test_events ORDER BY start_ts NULLS LAST, test_code
  `);
  const problem = testCodeProblemMessage(codes, tests);
  if (problem !== null) throw new UsageError('--test', problem);
}
