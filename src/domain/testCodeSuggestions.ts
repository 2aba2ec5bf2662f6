import { displayTestCode } from './testCode.js';

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
