import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { asOfFor } from '../domain/asOf.js';
import { evaluateRun } from '../evaluate/evaluateRun.js';
import type { Plan } from '../evaluate/plan.js';
import { applyPlan } from '../execute/applyPlan.js';
import { writeFileAtomic } from '../execute/atomicWrite.js';
import { loadReportData, renderReport } from '../execute/report.js';
import type { Settings } from '../config/settings.js';
import { LockHeldError } from '../errors.js';
import { discover } from './discover.js';

/** Options of one run for one as-of date (SPEC §4 `run`). */
export interface RunOptions {
  /** As-of date `YYYY-MM-DD` in `settings.zone`. */
  date: string;
  settings: Settings;
  /** Print-only: evaluate and return the plan, write nothing, take no lock. */
  dryRun?: boolean;
  /** `--test CODE ...`: only these ACTIVE tests. */
  testCodes?: readonly string[];
  /** Fixed run id (tests); default a fresh UUID. */
  runId?: string;
}

/** What a run did: its plan, and which files it wrote (empty on a dry run). */
export interface RunResult {
  plan: Plan;
  /** 0 done, 3 halted by the gate (SPEC §4). */
  exitCode: 0 | 3;
  filesWritten: string[];
  reportPath: string | null;
}

/** The advisory lock that keeps runs one at a time per database (SPEC §3). */
export const RUN_LOCK = sql.fragment`hashtextextended('fhq_calendar.canonical-tests.run', 0)`;

/**
 * One run for one as-of date (SPEC §1): under the run lock, discover, evaluate
 * (pure), then apply the plan in one transaction, write the evidence files and
 * render the runbook from the database rows of the date. A halt writes its
 * SYSTEM_ERROR rows, alerts and halt file and returns exit code 3.
 *
 * @throws LockHeldError (exit 5) when another run holds the lock.
 * @throws UsageError for an unknown `--test` code; SignalResolutionError when a source query fails.
 */
export async function runDate(pool: DatabasePool, options: RunOptions): Promise<RunResult> {
  const { settings } = options;
  const asOf = asOfFor(options.date, settings.zone, settings.runTime);
  return pool.connect(async (conn) => {
    // Calendar days and date/timestamp source columns are read in the configured zone.
    await conn.query(sql.unsafe`SELECT set_config('TimeZone', ${settings.zone}, false), set_config('lock_timeout', '10s', false)`);
    if (!options.dryRun) {
      const locked = await conn.oneFirst(sql.type(z.object({ locked: z.boolean() }))`SELECT pg_try_advisory_lock(${RUN_LOCK}) AS locked`);
      if (!locked) throw new LockHeldError('another canonical-tests run holds the run lock on this database; nothing was written');
    }
    try {
      const snapshot = await discover(conn, {
        asOf,
        evidenceDir: settings.evidenceDir,
        reportsDir: settings.reportsDir,
        testCodes: options.testCodes,
        runId: options.runId,
      });
      const plan = evaluateRun(snapshot);
      const exitCode = plan.halted ? 3 : 0;
      if (options.dryRun) return { plan, exitCode, filesWritten: [], reportPath: null };
      await conn.transaction((tx) => applyPlan(tx, plan));
      const filesWritten = plan.files.filter((file) => writeFileAtomic(file.path, file.content)).map((file) => file.path);
      const report = renderReport(await loadReportData(conn, asOf.date));
      if (writeFileAtomic(plan.reportPath, report)) filesWritten.push(plan.reportPath);
      return { plan, exitCode, filesWritten, reportPath: plan.reportPath };
    } finally {
      if (!options.dryRun) await conn.query(sql.unsafe`SELECT pg_advisory_unlock(${RUN_LOCK})`);
    }
  });
}
