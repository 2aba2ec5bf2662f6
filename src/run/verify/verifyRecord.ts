import { existsSync, readFileSync } from 'node:fs';
import type { DatabasePool } from 'slonik';
import { loadBundles } from '../../db/bundles.js';
import { loadRunbookEvidence } from '../../db/runbook.js';
import { readOnlySnapshot, setSessionZone } from '../../db/session.js';
import { unknownTestCodes } from '../../db/tests.js';
import { UsageError } from '../../errors.js';
import { bundleFilePath } from '../../execute/export.js';
import {
  checkChains,
  checkContentHash,
  checkFile,
  checkRecomputed,
  checkRunbookRows,
  inRange,
  sortProblems,
  type DateRange,
  type Problem,
} from './checks.js';

/** Options of `canonical-tests verify`. */
export interface VerifyOptions extends DateRange {
  /** Only these test codes. */
  testCodes?: readonly string[];
  /** The evidence folder the files were exported to (`settings.evidenceDir`). */
  evidenceDir: string;
  /** The session time zone (`settings.zone`). */
  zone: string;
}

/** What `canonical-tests verify` found: every problem, and how much it checked. */
export interface VerifyResult {
  ok: boolean;
  problems: Problem[];
  checked: {
    tests: number;
    bundles: number;
    chain_links: number;
    recomputed: number;
    files: number;
    runbook_rows: number;
  };
}

/**
 * Audits the record (docs/record.md "verify"): each bundle's content against
 * its hash, each test's chain in recording order, each bundle's conditions and
 * close verdict recomputed from its own definition and metric values, each
 * exported file against its bundle, and each runbook row against its test and
 * date's newest bundle. Read-only: one READ ONLY snapshot, no ledger row, so a
 * role that may only SELECT can run it. The whole chain of each test is read
 * to check links; only problems of dates in the range are reported.
 *
 * @throws UsageError (exit 2) for an unknown `--test` code.
 */
export async function verifyRecord(pool: DatabasePool, options: VerifyOptions): Promise<VerifyResult> {
  const range: DateRange = { from: options.from, to: options.to };
  const { bundles, runbook } = await pool.connect(async (conn) => {
    await setSessionZone(conn, options.zone);
    return conn.transaction(async (tx) => {
      await readOnlySnapshot(tx);
      if (options.testCodes?.length) {
        const unknown = await unknownTestCodes(tx, options.testCodes);
        if (unknown.length > 0) throw new UsageError('--test', `no test has the code ${unknown.map((c) => JSON.stringify(c)).join(', ')}`);
      }
      return {
        bundles: await loadBundles(tx, { testCodes: options.testCodes }),
        runbook: await loadRunbookEvidence(tx, { ...range, testCodes: options.testCodes }),
      };
    });
  });
  const inScope = bundles.filter((b) => inRange(b.run_date, range));
  const problems: Problem[] = [...checkChains(bundles, range), ...checkRunbookRows(runbook, bundles)];
  let recomputed = 0;
  for (const bundle of inScope) {
    problems.push(...checkContentHash(bundle));
    const found = checkRecomputed(bundle);
    if (bundle.content.conditions != null) recomputed += 1;
    problems.push(...found);
    const path = bundleFilePath(bundle, options.evidenceDir);
    problems.push(...checkFile(bundle, path, existsSync(path) ? readFileSync(path) : null));
  }
  const sorted = sortProblems(problems);
  return {
    ok: sorted.length === 0,
    problems: sorted,
    checked: {
      tests: new Set(inScope.map((b) => b.test_id)).size,
      bundles: inScope.length,
      chain_links: inScope.length,
      recomputed,
      files: inScope.length,
      runbook_rows: runbook.length,
    },
  };
}
