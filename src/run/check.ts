import { sql, type DatabasePool } from 'slonik';
import { asOfFor } from '../domain/asOf.js';
import type { Defect } from '../discover/gate.js';
import type { MetricValue } from '../discover/signals.js';
import type { Settings } from '../config/settings.js';
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
 * catalog lookups and, when it passes, resolves every signal — reads only.
 *
 * @param date the as-of date (`YYYY-MM-DD`) used to resolve signals.
 * @returns exit code 0 when every test passes, 3 when any defect is found.
 */
export async function checkDefinitions(pool: DatabasePool, date: string, settings: Settings): Promise<CheckResult> {
  return pool.connect(async (conn) => {
    await conn.query(sql.unsafe`SELECT set_config('TimeZone', ${settings.zone}, false)`);
    const snapshot = await discover(conn, {
      asOf: asOfFor(date, settings.zone, settings.runTime),
      evidenceDir: settings.evidenceDir,
      reportsDir: settings.reportsDir,
    });
    return {
      exitCode: snapshot.gate.defects.length > 0 ? 3 : 0,
      testsChecked: snapshot.tests.map((t) => t.test_code),
      defects: snapshot.gate.defects,
      signals: [...snapshot.metrics.values()],
    };
  });
}
