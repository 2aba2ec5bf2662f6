import { randomUUID } from 'node:crypto';
import type { DatabasePool } from 'slonik';
import type { Settings } from '../config/settings.js';
import { recordFinish, recordStart } from '../db/runs.js';
import { setSessionZone } from '../db/session.js';
import { discover } from '../discover/discover.js';
import { asOfFor } from '../domain/asOf.js';
import { evaluatorVersion } from '../paths.js';
import type { Defect } from '../domain/defect.js';
import type { MetricValue } from '../domain/metric.js';
import { exitCodeOf } from '../errors.js';

/** The outcome of `canonical-tests check`: the gate and every signal resolved, nothing written. */
export interface CheckResult {
  /** 0 every definition passes and every source answers; 1 a source query failed; 3 the gate found a defect. */
  exitCode: 0 | 1 | 3;
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
 * @returns exit code 0 when every test passes, 1 when a source query fails, 3 when any defect is found.
 */
export async function checkDefinitions(pool: DatabasePool, date: string, settings: Settings): Promise<CheckResult> {
  return pool.connect(async (conn) => {
    const runId = randomUUID();
    await setSessionZone(conn, settings.zone);
    // The ledger row is best effort: a CI check may run as a read-only role.
    const recorded = await recordStart(conn, runId, date, 'check').then(
      () => true,
      () => false,
    );
    const finish = (f: Parameters<typeof recordFinish>[2]) => (recorded ? recordFinish(conn, runId, f).catch(() => undefined) : undefined);
    try {
      const snapshot = await discover(conn, {
        asOf: asOfFor(date, settings.zone, settings.runTime),
        runTime: settings.runTime,
        resolutionGraceDays: settings.resolutionGraceDays,
        evaluatorVersion: evaluatorVersion(),
        evidenceDir: settings.evidenceDir,
        reportsDir: settings.reportsDir,
        runId,
        mode: 'check',
      });
      // One value per key: the as-of instant's when a test needs it there, else a close's.
      const signals = new Map<string, MetricValue>();
      for (const byKey of snapshot.metrics.values())
        for (const m of byKey.values()) if (!signals.has(m.key) || m.status === 'ERROR') signals.set(m.key, m);
      const sorted = [...signals.values()].sort((a, b) => a.key.localeCompare(b.key));
      const result: CheckResult = {
        exitCode: snapshot.gate.defects.length > 0 ? 3 : sorted.some((m) => m.status === 'ERROR') ? 1 : 0,
        testsChecked: snapshot.tests.map((t) => t.test_code),
        defects: snapshot.gate.defects,
        signals: sorted,
      };
      await finish({
        outcome: result.exitCode === 3 ? 'HALTED' : 'DONE',
        exitCode: result.exitCode,
        testsEvaluated: result.testsChecked.length,
      });
      return result;
    } catch (error) {
      await finish({ outcome: 'FAILED', exitCode: exitCodeOf(error), error: (error as Error).message });
      throw error;
    }
  });
}
