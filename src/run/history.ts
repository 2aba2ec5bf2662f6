import type { DatabasePool } from 'slonik';
import { loadBundles } from '../db/bundles.js';
import { readOnlySnapshot, setSessionZone } from '../db/session.js';
import { unknownTestCodes } from '../db/tests.js';
import { changedFields } from '../domain/revisions.js';
import { UsageError } from '../errors.js';

/** One recorded evaluation of a test, as `canonical-tests history` lists it. */
export interface HistoryEntry {
  run_date: string;
  revision: number;
  run_id: string;
  recorded_at: string;
  verdict: string | null;
  escalation_state: string | null;
  sha256: string;
  /** Whether this is the newest revision of its date. */
  is_current: boolean;
  /** Fields changed from the previous revision of the same date (empty for revision 1); see {@link changedFields}. */
  changed: string[];
}

/**
 * Every revision of a test's evaluations, oldest first (by date, then
 * revision), each with what changed from the date's previous revision. Read-only.
 *
 * @throws UsageError (exit 2) when no test has this code.
 */
export async function testHistory(pool: DatabasePool, testCode: string, zone: string): Promise<HistoryEntry[]> {
  const bundles = await pool.connect(async (conn) => {
    await setSessionZone(conn, zone);
    return conn.transaction(async (tx) => {
      await readOnlySnapshot(tx);
      if ((await unknownTestCodes(tx, [testCode])).length > 0)
        throw new UsageError('--test', `no test has the code ${JSON.stringify(testCode)}`);
      return loadBundles(tx, { testCodes: [testCode] });
    });
  });
  const ordered = [...bundles].sort((a, b) => a.run_date.localeCompare(b.run_date) || a.revision - b.revision);
  return ordered.map((b, i) => {
    const before = ordered[i - 1];
    const escalation = b.content.escalation as { state?: unknown } | null | undefined;
    return {
      run_date: b.run_date,
      revision: b.revision,
      run_id: b.run_id,
      recorded_at: b.recorded_at,
      verdict: typeof b.content.verdict === 'string' ? b.content.verdict : null,
      escalation_state: typeof escalation?.state === 'string' ? escalation.state : null,
      sha256: b.sha256,
      is_current: b.is_current,
      changed: before && before.run_date === b.run_date ? changedFields(before.content, b.content) : [],
    };
  });
}
