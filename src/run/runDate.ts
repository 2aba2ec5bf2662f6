import { randomUUID } from 'node:crypto';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { asOfFor } from '../domain/asOf.js';
import { evaluateRun } from '../evaluate/evaluateRun.js';
import type { Plan } from '../evaluate/plan.js';
import { applyPlan } from '../execute/applyPlan.js';
import { removeAbandonedTemporaries } from '../execute/atomicWrite.js';
import { stageFiles, writeStagedFiles } from '../execute/pendingFiles.js';
import { loadReportData, renderReport } from '../execute/report.js';
import type { Settings } from '../config/settings.js';
import { LockHeldError, exitCodeOf } from '../errors.js';
import { lockHolder, markAbandoned, recordFinish, recordStart, type RunMode } from '../ledger/ledger.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { describeDefect } from '../discover/gate.js';
import { discover } from './discover.js';
import { pausePoint } from '../pausePoints.js';

/** Options of one run for one as-of date (SPEC §4 `run`). */
export interface RunOptions {
  /** As-of date `YYYY-MM-DD` in `settings.zone`. */
  date: string;
  settings: Settings;
  /** Print-only: evaluate and return the plan, write nothing of the evaluation, take no lock. */
  dryRun?: boolean;
  /** `--test CODE ...`: only these ACTIVE tests. */
  testCodes?: readonly string[];
  /** Fixed run id (tests); default a fresh UUID. */
  runId?: string;
  /** `daily` (default) or `backfill`; a dry run is recorded as `dry-run`. */
  mode?: Exclude<RunMode, 'dry-run' | 'check'>;
  /** Structured log; every line carries the run id. Default: silent. */
  logger?: Logger;
}

/** What a run did: its plan, which files it wrote (empty on a dry run), and how long each phase took. */
export interface RunResult {
  plan: Plan;
  /** 0 done, 3 halted by the gate (SPEC §4). */
  exitCode: 0 | 3;
  filesWritten: string[];
  reportPath: string | null;
  /** Milliseconds per phase: discover, evaluate, execute, files. */
  phaseMs: Record<string, number>;
}

/**
 * Cleans up after a run that died (SIGKILL, power loss) holding the lock:
 * closes its ledger row, writes the files it had committed but not written,
 * and removes its temporary files. Call only while holding the run lock.
 */
async function recoverAbandonedRun(conn: CommonQueryMethods, settings: Settings, log: Logger): Promise<void> {
  await markAbandoned(conn);
  const recovered = await writeStagedFiles(conn, null);
  const swept = [...removeAbandonedTemporaries(settings.evidenceDir), ...removeAbandonedTemporaries(settings.reportsDir)];
  if (recovered.length > 0 || swept.length > 0) {
    log.warn({ event: 'recovered_abandoned_run', files_written: recovered, temporaries_removed: swept }, 'finished the file writes of a run that died');
  }
}

/** The advisory lock that keeps runs one at a time per database (SPEC §3). */
export const RUN_LOCK = sql.fragment`hashtextextended('fhq_calendar.canonical-tests.run', 0)`;

/**
 * One run for one as-of date (SPEC §1): under the run lock, discover, evaluate
 * (pure), then apply the plan in one transaction that also renders the runbook
 * from the date's rows and stages every file in `fhq_calendar.pending_files`;
 * after the commit the files are written atomically and unstaged. A run that
 * died after its commit is finished by the next one. A halt writes its
 * SYSTEM_ERROR rows, alerts and halt file and returns exit code 3. Every run
 * that gets the lock leaves a row in `fhq_calendar.evaluator_runs`, written
 * outside the run's transaction so a failed run still records its failure.
 *
 * @throws LockHeldError (exit 5) when another run holds the lock; nothing is written.
 * @throws UsageError for an unknown `--test` code; SignalResolutionError when a source query fails.
 */
export async function runDate(pool: DatabasePool, options: RunOptions): Promise<RunResult> {
  const { settings } = options;
  const asOf = asOfFor(options.date, settings.zone, settings.runTime);
  const runId = options.runId ?? randomUUID();
  const mode: RunMode = options.dryRun ? 'dry-run' : (options.mode ?? 'daily');
  const log = (options.logger ?? silentLogger).child({ run_id: runId, as_of_date: asOf.date, mode });
  return pool.connect(async (conn) => {
    // Calendar days and date/timestamp source columns are read in the configured zone;
    // statement_timeout and lock_timeout are set on every pooled connection (src/db/pool.ts).
    await conn.query(sql.unsafe`SELECT set_config('TimeZone', ${settings.zone}, false)`);
    if (!options.dryRun) {
      const locked = await conn.oneFirst(sql.type(z.object({ locked: z.boolean() }))`SELECT pg_try_advisory_lock(${RUN_LOCK}) AS locked`);
      if (!locked) {
        const holder = await lockHolder(conn);
        const by = holder ? `run ${holder.run_id} (${holder.mode} ${holder.as_of_date}, since ${holder.started_at})` : 'another session';
        log.warn({ event: 'lock_held', holder: holder?.run_id ?? null }, `run lock held by ${by}`);
        throw new LockHeldError(`another canonical-tests run holds the run lock on this database: ${by}; nothing was written`);
      }
    }
    const phaseMs: Record<string, number> = {};
    const timed = async <T>(phase: string, work: () => Promise<T> | T): Promise<T> => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        phaseMs[phase] = Math.round(performance.now() - started);
      }
    };
    try {
      if (!options.dryRun) await recoverAbandonedRun(conn, settings, log);
      await recordStart(conn, runId, asOf.date, mode);
      if (!options.dryRun) pausePoint('locked');
      log.info({ event: 'run_started', as_of_instant: asOf.instant, zone: asOf.zone }, 'run started');
      const snapshot = await timed('discover', () => discover(conn, {
        asOf, evidenceDir: settings.evidenceDir, reportsDir: settings.reportsDir, testCodes: options.testCodes, runId, mode,
      }));
      pausePoint('discovered');
      const plan = await timed('evaluate', () => evaluateRun(snapshot));
      const exitCode = plan.halted ? 3 : 0;
      for (const defect of plan.defects) log.error({ event: 'gate_defect', test_code: defect.testCode, field: defect.field }, describeDefect(defect));
      let filesWritten: string[] = [];
      let reportPath: string | null = null;
      if (!options.dryRun) {
        await timed('execute', () => conn.transaction(async (tx) => {
          await applyPlan(tx, plan);
          // The report is rendered from this date's rows as the transaction sees them,
          // and every file is staged with the rows, so a kill after COMMIT loses no file.
          const report = { path: plan.reportPath, content: renderReport(await loadReportData(tx, asOf.date)) };
          await stageFiles(tx, runId, [...plan.files, report]);
          pausePoint('in-transaction');
        }));
        pausePoint('committed');
        filesWritten = await timed('files', () => writeStagedFiles(conn, runId));
        reportPath = plan.reportPath;
        pausePoint('files-written');
      }
      await recordFinish(conn, runId, {
        outcome: plan.halted ? 'HALTED' : 'DONE',
        exitCode,
        testsEvaluated: plan.outcomes.length,
        escalations: plan.alerts.filter((a) => a.alertType === 'ESCALATION').length,
        resolutions: plan.resolutions.length,
        alerts: plan.alerts.length,
        phaseMs,
      });
      log.info({ event: 'run_finished', outcome: plan.halted ? 'HALTED' : 'DONE', exit_code: exitCode, tests: plan.outcomes.length, alerts: plan.alerts.length, resolutions: plan.resolutions.length, phase_ms: phaseMs, report: reportPath }, 'run finished');
      return { plan, exitCode, filesWritten, reportPath, phaseMs };
    } catch (error) {
      log.error({ event: 'run_failed', exit_code: exitCodeOf(error), phase_ms: phaseMs }, error instanceof Error ? error.message : String(error));
      await recordFinish(conn, runId, { outcome: 'FAILED', exitCode: exitCodeOf(error), phaseMs, error: error instanceof Error ? error.message : String(error) })
        .catch(() => undefined); // the connection itself may be what failed
      throw error;
    } finally {
      if (!options.dryRun) await conn.query(sql.unsafe`SELECT pg_advisory_unlock(${RUN_LOCK})`).catch(() => undefined);
    }
  });
}
