import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { asOfFor } from '../domain/asOf.js';
import type { Defect } from '../discover/gate.js';
import type { MetricValue } from '../discover/signals.js';
import type { Settings } from '../config/settings.js';
import { exitCodeOf } from '../errors.js';
import { recordFinish, recordStart } from '../ledger/ledger.js';
import { discover } from './discover.js';

/** The outcome of `canonical-tests check` (SPEC §4): the gate and every signal resolved, nothing written. */
export interface CheckResult {
  exitCode: 0 | 3;
  testsChecked: string[];
  defects: Defect[];
  /** Each signal in use, resolved as of `date`'s as-of instant (proves every source query runs). */
  signals: MetricValue[];
}

/**
 * CI check: discovers all ACTIVE tests, runs the fail-closed gate with its
 * catalog lookups and, when it passes, resolves every signal. It writes none of
 * the evaluator's state; its own ledger row (mode `check`) is best effort.
 *
 * @param date the as-of date (`YYYY-MM-DD`) used to resolve signals.
 * @returns exit code 0 when every test passes, 3 when any defect is found.
 */
export async function checkDefinitions(pool: DatabasePool, date: string, settings: Settings): Promise<CheckResult> {
  return pool.connect(async (conn) => {
    const runId = randomUUID();
    await conn.query(sql.unsafe`SELECT set_config('TimeZone', ${settings.zone}, false)`);
    // The ledger row is best effort: a CI check may run as a read-only role.
    const recorded = await recordStart(conn, runId, date, 'check').then(() => true, () => false);
    const finish = (f: Parameters<typeof recordFinish>[2]) => (recorded ? recordFinish(conn, runId, f).catch(() => undefined) : undefined);
    try {
      const snapshot = await discover(conn, {
        asOf: asOfFor(date, settings.zone, settings.runTime),
        evidenceDir: settings.evidenceDir,
        reportsDir: settings.reportsDir,
        runId,
        mode: 'check',
      });
      const result: CheckResult = {
        exitCode: snapshot.gate.defects.length > 0 ? 3 : 0,
        testsChecked: snapshot.tests.map((t) => t.test_code),
        defects: snapshot.gate.defects,
        signals: [...snapshot.metrics.values()],
      };
      await finish({ outcome: result.exitCode === 3 ? 'HALTED' : 'DONE', exitCode: result.exitCode, testsEvaluated: result.testsChecked.length });
      return result;
    } catch (error) {
      await finish({ outcome: 'FAILED', exitCode: exitCodeOf(error), error: (error as Error).message });
      throw error;
    }
  });
}
