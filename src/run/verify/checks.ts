import { canonicalJson, sha256Hex } from '../../domain/canonicalJson.js';
import { describeMismatch, recomputeBundle } from '../../domain/recompute.js';

/** The kinds of problem `canonical-tests verify` reports (docs/record.md). */
export const PROBLEM_KINDS = ['content-hash', 'chain', 'recomputed-verdict', 'file-missing', 'file-mismatch', 'runbook-row'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** One problem found in the record, its files or the runbook. `revision` is null for a runbook row with no bundle. */
export interface Problem {
  test_code: string;
  run_date: string;
  revision: number | null;
  kind: ProblemKind;
  detail: string;
}

/** What the checks need of a recorded bundle (a row of `fhq_calendar.evidence_bundles` with its test code). */
export interface BundleRow {
  test_id: string;
  test_code: string;
  run_date: string;
  revision: number;
  recorded_order: number;
  content: Record<string, unknown>;
  sha256: string;
  previous_sha256: string | null;
  is_current: boolean;
}

/** What the checks need of a runbook row. */
export interface RunbookRow {
  test_id: string;
  test_code: string;
  run_date: string;
  evidence_path: string | null;
  evidence_sha256: string | null;
}

/** Which dates are reported (`YYYY-MM-DD`, inclusive; either may be open). */
export interface DateRange {
  from?: string;
  to?: string;
}

/** Whether `date` lies in `range`. */
export function inRange(date: string, range: DateRange): boolean {
  return (range.from === undefined || date >= range.from) && (range.to === undefined || date <= range.to);
}

const short = (hash: string | null | undefined) => (typeof hash === 'string' ? hash.slice(0, 12) : String(hash ?? null));

const problemOf = (b: BundleRow, kind: ProblemKind, detail: string): Problem => ({
  test_code: b.test_code,
  run_date: b.run_date,
  revision: b.revision,
  kind,
  detail,
});

/** `content-hash`: the SHA-256 of the content's canonical JSON differs from the recorded `sha256`. */
export function checkContentHash(bundle: BundleRow): Problem[] {
  const actual = sha256Hex(canonicalJson(bundle.content));
  return actual === bundle.sha256
    ? []
    : [problemOf(bundle, 'content-hash', `content hashes to ${short(actual)}…, recorded sha256 ${short(bundle.sha256)}…`)];
}

/**
 * `chain`: per test, in recording order, each bundle's `previous_sha256` is the
 * `sha256` of the bundle recorded just before it (NULL for the first), and its
 * content's `previous_bundle_sha256` equals its `previous_sha256`. Give every
 * bundle of each test (the whole chain); only problems of bundles in `range` are returned.
 */
export function checkChains(bundles: readonly BundleRow[], range: DateRange = {}): Problem[] {
  const problems: Problem[] = [];
  const byTest = new Map<string, BundleRow[]>();
  for (const b of bundles) byTest.set(b.test_id, [...(byTest.get(b.test_id) ?? []), b]);
  for (const chain of byTest.values()) {
    chain.sort((a, b) => a.recorded_order - b.recorded_order);
    chain.forEach((b, i) => {
      if (!inRange(b.run_date, range)) return;
      const before = chain[i - 1];
      const expected = before?.sha256 ?? null;
      if (b.previous_sha256 !== expected) {
        problems.push(
          problemOf(
            b,
            'chain',
            before
              ? `previous_sha256 ${short(b.previous_sha256)}… is not the sha256 ${short(expected)}… of the bundle recorded before it (${before.run_date} r${before.revision})`
              : `previous_sha256 ${short(b.previous_sha256)}… on the test's first bundle (expected NULL)`,
          ),
        );
      }
      const linked = b.content.previous_bundle_sha256 ?? null;
      if (linked !== b.previous_sha256)
        problems.push(
          problemOf(
            b,
            'chain',
            `content previous_bundle_sha256 ${short(linked as string | null)}… differs from the previous_sha256 column ${short(b.previous_sha256)}…`,
          ),
        );
    });
  }
  return problems;
}

/** `recomputed-verdict`: the bundle's conditions (and a close's verdict) recomputed from its own definition and metric values differ from what it recorded. */
export function checkRecomputed(bundle: BundleRow): Problem[] {
  const result = recomputeBundle(bundle.content);
  if (result.kind === 'skipped' || result.mismatches.length === 0) return [];
  return [problemOf(bundle, 'recomputed-verdict', result.mismatches.map(describeMismatch).join('; '))];
}

/** `file-missing` / `file-mismatch`: the bundle's exported file (its bytes as read, or null when absent) against its `sha256`. */
export function checkFile(bundle: BundleRow, path: string, bytes: Buffer | null): Problem[] {
  if (bytes === null) return [problemOf(bundle, 'file-missing', `${path} does not exist`)];
  const actual = sha256Hex(bytes);
  return actual === bundle.sha256
    ? []
    : [problemOf(bundle, 'file-mismatch', `${path} hashes to ${short(actual)}…, recorded sha256 ${short(bundle.sha256)}…`)];
}

/** Whether a runbook row points at a halt file (`ORCHESTRATOR_HALT_…`), not at a bundle. */
export function isHaltPath(path: string | null): boolean {
  return path !== null && /(^|[\\/])ORCHESTRATOR_HALT_[^\\/]*$/.test(path);
}

/**
 * `runbook-row`: each runbook row that does not point at a halt file carries the
 * `sha256` of its test and date's newest bundle, and such a bundle exists.
 */
export function checkRunbookRows(rows: readonly RunbookRow[], bundles: readonly BundleRow[]): Problem[] {
  const newest = new Map<string, BundleRow>();
  for (const b of bundles) {
    const key = `${b.test_id} ${b.run_date}`;
    const seen = newest.get(key);
    if (!seen || b.revision > seen.revision) newest.set(key, b);
  }
  const problems: Problem[] = [];
  for (const row of rows) {
    if (isHaltPath(row.evidence_path)) continue;
    const bundle = newest.get(`${row.test_id} ${row.run_date}`);
    const base = { test_code: row.test_code, run_date: row.run_date };
    if (!bundle)
      problems.push({ ...base, revision: null, kind: 'runbook-row', detail: 'runbook row has no recorded bundle for its test and date' });
    else if (row.evidence_sha256 !== bundle.sha256)
      problems.push({
        ...base,
        revision: bundle.revision,
        kind: 'runbook-row',
        detail: `evidence_sha256 ${short(row.evidence_sha256)}… is not the sha256 ${short(bundle.sha256)}… of the newest revision r${bundle.revision}`,
      });
  }
  return problems;
}

/** Problems in a stable order: date, test code, revision, kind. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      a.run_date.localeCompare(b.run_date) ||
      a.test_code.localeCompare(b.test_code) ||
      (a.revision ?? 0) - (b.revision ?? 0) ||
      PROBLEM_KINDS.indexOf(a.kind) - PROBLEM_KINDS.indexOf(b.kind),
  );
}

/** A problem as one line: `EC-022 2026-03-05 r2 file-mismatch: …`. */
export function describeProblem(p: Problem): string {
  return `${p.test_code} ${p.run_date} ${p.revision === null ? 'r-' : `r${p.revision}`} ${p.kind}: ${p.detail}`;
}
