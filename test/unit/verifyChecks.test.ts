import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/domain/canonicalJson.js';
import {
  checkChains,
  checkContentHash,
  checkFile,
  checkRunbookRows,
  describeProblem,
  isHaltPath,
  sortProblems,
  type BundleRow,
} from '../../src/run/verify/checks.js';

/** A chain of bundles of one test, linked as the evaluator records them. */
function chain(dates: string[]): BundleRow[] {
  const rows: BundleRow[] = [];
  const revisions = new Map<string, number>();
  dates.forEach((date, i) => {
    const previous = rows[i - 1]?.sha256 ?? null;
    const content = { as_of_date: date, previous_bundle_sha256: previous };
    const revision = (revisions.get(date) ?? 0) + 1;
    revisions.set(date, revision);
    rows.push({
      test_id: 't',
      test_code: 'EC-022',
      run_date: date,
      revision,
      recorded_order: i + 1,
      content,
      sha256: sha256Hex(canonicalJson(content)),
      previous_sha256: previous,
      is_current: true,
    });
  });
  return rows;
}

describe('checks of the record', () => {
  it('a clean chain recorded out of date order has no problem', () => {
    const rows = chain(['2026-03-05', '2026-03-07', '2026-03-06', '2026-03-05']);
    expect(checkChains(rows)).toEqual([]);
    expect(rows.flatMap(checkContentHash)).toEqual([]);
  });

  it('a broken link is reported for the bundle after it, only within the range', () => {
    const rows = chain(['2026-03-05', '2026-03-06', '2026-03-07']);
    rows[1] = { ...rows[1]!, previous_sha256: 'a'.repeat(64) };
    const problems = checkChains(rows);
    expect(problems.map(describeProblem)).toEqual([
      expect.stringMatching(/^EC-022 2026-03-06 r1 chain: previous_sha256 aaaaaaaaaaaa… is not the sha256 .* \(2026-03-05 r1\)$/),
      expect.stringMatching(/^EC-022 2026-03-06 r1 chain: content previous_bundle_sha256/),
    ]);
    expect(checkChains(rows, { from: '2026-03-07' })).toEqual([]);
  });

  it('content that no longer hashes to its sha256 is content-hash', () => {
    const [row] = chain(['2026-03-05']);
    expect(checkContentHash({ ...row!, content: { ...row!.content, as_of_date: 'x' } })).toMatchObject([
      { kind: 'content-hash', revision: 1 },
    ]);
  });

  it('files: missing, mismatching, matching', () => {
    const [row] = chain(['2026-03-05']);
    const bytes = Buffer.from(canonicalJson(row!.content));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row!.sha256);
    expect(checkFile(row!, '/e/f.json', bytes)).toEqual([]);
    expect(checkFile(row!, '/e/f.json', null)).toMatchObject([{ kind: 'file-missing' }]);
    expect(checkFile(row!, '/e/f.json', Buffer.from('x'))).toMatchObject([{ kind: 'file-mismatch' }]);
  });

  it('runbook rows: the newest revision, halt rows skipped, a row without a bundle', () => {
    const rows = chain(['2026-03-05', '2026-03-05']);
    const base = { test_id: 't', test_code: 'EC-022', run_date: '2026-03-05', evidence_path: '/e/ORCHESTRATOR_EC-022_20260305.json' };
    expect(checkRunbookRows([{ ...base, evidence_sha256: rows[1]!.sha256 }], rows)).toEqual([]);
    expect(checkRunbookRows([{ ...base, evidence_sha256: rows[0]!.sha256 }], rows)).toMatchObject([{ kind: 'runbook-row', revision: 2 }]);
    expect(checkRunbookRows([{ ...base, evidence_path: '/e/ORCHESTRATOR_HALT_20260305.json', evidence_sha256: null }], rows)).toEqual([]);
    expect(checkRunbookRows([{ ...base, run_date: '2026-03-06', evidence_sha256: null }], rows)).toMatchObject([{ revision: null }]);
    expect(isHaltPath('C:\\e\\ORCHESTRATOR_HALT_20260305.json')).toBe(true);
    expect(isHaltPath(null)).toBe(false);
  });

  it('problems sort by date, test, revision, kind', () => {
    const p = (run_date: string, kind: 'chain' | 'content-hash') => ({ test_code: 'A', run_date, revision: 1, kind, detail: '' });
    expect(sortProblems([p('2026-03-06', 'content-hash'), p('2026-03-05', 'chain'), p('2026-03-05', 'content-hash')])).toEqual([
      p('2026-03-05', 'content-hash'),
      p('2026-03-05', 'chain'),
      p('2026-03-06', 'content-hash'),
    ]);
  });
});
