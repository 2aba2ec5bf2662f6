import { randomUUID } from 'node:crypto';
import { sql, type CommonQueryMethods, type DatabasePool, type DatabasePoolConnection } from 'slonik';
import type { Settings } from '../config/settings.js';
import { retireStaleHaltRows } from '../db/runbook.js';
import type { ReportHistoryCache } from '../db/report.js';
import { recordFinish, recordStart } from '../db/runs.js';
import { readOnlySnapshot } from '../db/session.js';
import { discoverInChunks, type ChunkedDiscovery } from '../discover/chunks.js';
import type { DiscoverOptions } from '../discover/discover.js';
import type { RangeCache } from '../discover/prefetch.js';
import { asOfFor } from '../domain/asOf.js';
import { evaluatorVersion } from '../paths.js';
import { describeDefect } from '../domain/defect.js';
import type { PhaseHook } from '../domain/phases.js';
import type { Plan, PlanOutline } from '../domain/plan.js';
import { mergeParts, outlineOf, runbookTestIds } from '../domain/planParts.js';
import type { RunMode } from '../domain/runMode.js';
import { exitCodeOf } from '../errors.js';
import { evaluateChunks, evaluateInParts } from '../evaluate/evaluateRun.js';
import { applyInParts } from '../execute/applyInParts.js';
import { StagedFiles } from '../execute/stagedFiles.js';
import { writeRunFiles } from '../execute/export.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { withRunSession } from './runSession.js';

/** Tests per chunk of discovery (src/discover/chunks.ts), for callers of a run that size things by it. */
export { CHUNK_TESTS } from '../discover/chunks.js';

/** Options of one run for one as-of date. */
export interface RunOptions {
  /** As-of date `YYYY-MM-DD` in `settings.zone`. */
  date: string;
  settings: Settings;
  /** Print-only: evaluate and return the plan, write nothing of the evaluation, take no lock. */
  dryRun?: boolean;
  /** `--test CODE ...`: only these tests (ACTIVE, or RESOLVED to re-evaluate their past). */
  testCodes?: readonly string[];
  /** `--include-resolved`: also re-evaluate RESOLVED tests, for dates up to their resolution. */
  includeResolved?: boolean;
  /** Fixed run id (tests); default a fresh UUID. */
  runId?: string;
  /** `daily` (default) or `backfill`; a dry run is recorded as `dry-run`. */
  mode?: Exclude<RunMode, 'dry-run' | 'check'>;
  /** Structured log; every line carries the run id. Default: silent. */
  logger?: Logger;
  /** Told of each phase the run reaches (the crash tests pause there); default none. */
  onPhase?: PhaseHook;
  /**
   * Keep every per-test write in the returned plan (default true). False: the
   * plan's `runbook`, `stateUpdates`, `files` and `bundles` come back empty,
   * counted in `plan.dropped`, so a run of thousands of tests does not hold
   * them until it ends; the CLI keeps them only to print them (`--json`,
   * `-v`). A dry run always keeps them.
   */
  keepWrites?: boolean;
  /** Tests per chunk of discovery (src/discover/chunks.ts); default `CHUNK_TESTS` (tests set it small). */
  chunkTests?: number;
  /** Tests per batch of writes (src/execute/applyInParts.ts); default `APPLY_BATCH_TESTS` (tests set it small). */
  batchTests?: number;
  /** Told how many tests the run evaluates (or checks, if the gate then halts it), before their definitions are read. */
  onTestCount?: (tests: number) => void;
}

/** What a run did: its plan (without file contents), which files it wrote (empty on a dry run), and how long each phase took. */
export interface RunResult {
  plan: PlanOutline;
  /** 0 done; 1 done, but a signal source failed (its tests are in SYSTEM_ERROR for the date); 3 halted by the gate. */
  exitCode: 0 | 1 | 3;
  filesWritten: string[];
  reportPath: string | null;
  /**
   * Milliseconds per phase: discover (the gate over every test, and the run-level reads), evaluate,
   * execute, files. Parts of the plan are applied while the next are evaluated, so `execute` (the rest of
   * the run's transaction) includes most of `evaluate` (evaluation, and the reads of each chunk of tests).
   * In a backfill a date's `files` runs beside the next date's `execute` (src/run/pipeline.ts), so each
   * includes time spent on the other.
   */
  phaseMs: Record<string, number>;
}

/** The exit code of a plan: 3 halted, 1 a failing source, else 0. */
export function exitCodeOfPlan(plan: PlanOutline): 0 | 1 | 3 {
  return plan.halted ? 3 : plan.failedSignals.length > 0 ? 1 : 0;
}

/** Parts of a plan, with the milliseconds spent producing them (evaluation, and the reads of each chunk of tests) added to `spent.ms`. */
async function* timedParts(parts: AsyncIterator<Plan> | Iterator<Plan>, spent: { ms: number }): AsyncGenerator<Plan, void, undefined> {
  try {
    for (;;) {
      const before = performance.now();
      const next = await parts.next();
      spent.ms += performance.now() - before;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Closed early (a write failed): the parts close too, and with them the chunks still being read.
    await parts.return?.();
  }
}

/** The parts of the plan of what {@link discoverInChunks} found: a halt's, or the tests', chunk after chunk. */
function partsOf(discovery: ChunkedDiscovery): AsyncIterator<Plan> | Iterator<Plan> {
  return discovery.halted ? evaluateInParts(discovery.halted) : evaluateChunks(discovery.base, discovery.chunks());
}

/**
 * Discovers, evaluates and applies the plan in one REPEATABLE READ
 * transaction, so every read, made whenever a chunk of tests is reached,
 * sees the database as the transaction's first statement did
 * (src/discover/chunks.ts): the gate over every test, then each chunk of
 * tests read, evaluated and its writes sent while the next is evaluated
 * (src/execute/applyInParts.ts): its rows, its new revisions in the record,
 * a halt's file kept with its ledger row, and the removal of the date's
 * stale halt rows (a full run only). The evidence files are staged under
 * temporary names meanwhile, for the caller to rename after the commit (or
 * remove after a failure). A kill after COMMIT loses nothing the next run
 * cannot write from the record.
 *
 * A person's write to a row the run then writes (an `ack` during the run)
 * makes PostgreSQL refuse the run's write (SQLSTATE 40001); the pool then
 * runs the whole transaction again (up to five times), from fresh reads, with
 * the files staged by the failed attempt removed, and each new attempt is
 * logged (`transaction_retried`).
 *
 * @returns the outline of the whole plan (src/evaluate/evaluateRun.ts), without file and bundle contents.
 */
async function discoverEvaluateExecute(
  conn: DatabasePoolConnection,
  discoverOptions: DiscoverOptions,
  staged: StagedFiles,
  {
    fullRun,
    keepWrites,
    chunkTests,
    batchTests,
    onTestCount,
  }: { fullRun: boolean; keepWrites: boolean; chunkTests?: number; batchTests?: number; onTestCount?: (tests: number) => void },
  pause: PhaseHook,
  phaseMs: Record<string, number>,
  log: Logger,
): Promise<PlanOutline> {
  const started = performance.now();
  const spent = { ms: 0 };
  let discovered = started;
  let attempt = 0;
  try {
    return await conn.transaction(async (tx) => {
      if (++attempt > 1)
        log.warn(
          { event: 'transaction_retried', attempt },
          'a concurrent write refused the run; running its transaction again from fresh reads',
        );
      staged.discard(); // what an attempt that PostgreSQL refused had staged
      spent.ms = 0;
      await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
      const discovery = await discoverInChunks(tx, discoverOptions, chunkTests, onTestCount);
      discovered = performance.now();
      pause('discovered');
      const plan = await applyInParts(tx, timedParts(partsOf(discovery), spent), staged, { keepWrites, batchTests });
      if (fullRun) await retireStaleHaltRows(tx, plan.asOf.date, runbookTestIds(plan));
      pause('in-transaction');
      return plan;
    });
  } finally {
    phaseMs.discover = Math.round(discovered - started);
    phaseMs.evaluate = Math.round(spent.ms);
    phaseMs.execute = Math.round(performance.now() - discovered);
  }
}

/** A dry run's plan: discovered and evaluated, chunk after chunk, in one read-only REPEATABLE READ transaction; nothing written. */
async function discoverEvaluate(
  conn: DatabasePoolConnection,
  discoverOptions: DiscoverOptions,
  chunkTests: number | undefined,
  pause: PhaseHook,
  phaseMs: Record<string, number>,
) {
  const timed = phaseTimer(phaseMs);
  return conn.transaction(async (tx) => {
    await readOnlySnapshot(tx);
    const discovery = await timed('discover', () => discoverInChunks(tx, discoverOptions, chunkTests));
    pause('discovered');
    return timed('evaluate', async () => {
      const outlines: PlanOutline[] = [];
      const parts = partsOf(discovery);
      for (let next = await parts.next(); !next.done; next = await parts.next()) outlines.push(outlineOf(next.value));
      return mergeParts(outlines);
    });
  });
}

/** Runs `work`, recording its duration in milliseconds under `phase`. */
function phaseTimer(phaseMs: Record<string, number>) {
  return async <T>(phase: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      phaseMs[phase] = Math.round(performance.now() - started);
    }
  };
}

/** Records how a run that got its plan ended: its ledger row and its last log line. */
async function finishRun(
  conn: CommonQueryMethods,
  plan: PlanOutline,
  exitCode: 0 | 1 | 3,
  phaseMs: Record<string, number>,
  reportPath: string | null,
  log: Logger,
) {
  const outcome = plan.halted ? 'HALTED' : 'DONE';
  const failed = plan.failedSignals.map((f) => `signal ${f.key} (${f.source}): ${f.message}`).join('; ');
  await recordFinish(conn, plan.runId, {
    outcome,
    exitCode,
    testsEvaluated: plan.outcomes.length,
    escalations: plan.alerts.filter((a) => a.alertType === 'ESCALATION').length,
    resolutions: plan.resolutions.length,
    alerts: plan.alerts.length,
    phaseMs,
    ...(failed ? { error: failed } : {}),
  });
  const counts = { tests: plan.outcomes.length, alerts: plan.alerts.length, resolutions: plan.resolutions.length };
  log.info({ event: 'run_finished', outcome, exit_code: exitCode, ...counts, phase_ms: phaseMs, report: reportPath }, 'run finished');
}

/** Logs each gate defect and failing source of a plan. */
function logProblems(plan: PlanOutline, log: Logger): void {
  for (const defect of plan.defects)
    log.error({ event: 'gate_defect', test_code: defect.testCode, field: defect.field }, describeDefect(defect));
  for (const f of plan.failedSignals)
    log.error({ event: 'signal_failed', signal_key: f.key, source: f.source }, `signal ${f.key} (${f.source}): ${f.message}`);
}

/** What a backfill carries from date to date: the range's prefetched reads and the report rows read so far. */
export interface RangeState {
  cache: RangeCache;
  reportHistory: ReportHistoryCache;
}

/** The as-of date, run id, mode and logger of one date's run. */
function runIdentity(options: RunOptions) {
  const asOf = asOfFor(options.date, options.settings.zone, options.settings.runTime);
  const runId = options.runId ?? randomUUID();
  const mode: RunMode = options.dryRun ? 'dry-run' : (options.mode ?? 'daily');
  const log = (options.logger ?? silentLogger).child({ run_id: runId, as_of_date: asOf.date, mode });
  return { asOf, runId, mode, log };
}

/**
 * One run for one as-of date (docs/verdicts.md "What a run does"): under the
 * run lock, discover, then evaluate (pure) and apply the plan in one
 * transaction that also appends its new revisions to the record
 * (`evidence_bundles`), each batch of tests applied while the next is
 * evaluated and its evidence files staged under temporary names; after the
 * commit those files are renamed into place and the runbook is written, each
 * atomically. A run that died after its commit is finished by the next one.
 * A halt writes its SYSTEM_ERROR rows, alerts and halt file and
 * returns exit code 3; a failing source, exit 1 with every other test
 * written. Every run that gets the lock leaves a row in
 * `fhq_calendar.evaluator_runs`, written outside the run's transaction so a
 * failed run still records its failure.
 *
 * @throws LockHeldError (exit 5) when another run holds the lock; nothing is written.
 * @throws UsageError for an unknown `--test` code.
 */
export async function runDate(pool: DatabasePool, options: RunOptions): Promise<RunResult> {
  const identified = { ...options, runId: options.runId ?? randomUUID() };
  const { log } = runIdentity(identified);
  const session = { settings: options.settings, dryRun: options.dryRun, log, onPhase: options.onPhase };
  return withRunSession(pool, session, (conn) => runLocked(conn, identified));
}

/**
 * A date whose transaction has committed (or a dry run's, evaluated), its
 * files not yet written: what {@link commitDate} hands to {@link finishDate}.
 */
export interface CommittedDate {
  options: RunOptions;
  /** Its run id and log (every line carrying the run id), as its commit used them. */
  runId: string;
  log: Logger;
  plan: PlanOutline;
  exitCode: 0 | 1 | 3;
  /** The evidence files its transaction staged, to be renamed into place. */
  staged: StagedFiles;
  phaseMs: Record<string, number>;
}

/**
 * The part of one date's run that needs the connection holding the run lock
 * (not for a dry run), with the session zone set and any abandoned run
 * recovered (src/run/runSession.ts): its ledger row, discover, then evaluate
 * and execute in one transaction. A backfill calls it once per date on one
 * connection, and writes the previous date's files meanwhile ({@link finishDate}).
 *
 * @param range a backfill's registry and signal values for its whole range, and the report rows its earlier dates read; default: read everything now.
 * @returns the committed date, for {@link finishDate}.
 * @throws whatever the run throws, after recording it as FAILED in its ledger row and removing its staged files.
 */
export async function commitDate(conn: DatabasePoolConnection, options: RunOptions, range?: RangeState): Promise<CommittedDate> {
  const { settings } = options;
  const { asOf, runId, mode, log } = runIdentity(options);
  const pause: PhaseHook = options.onPhase ?? (() => undefined);
  const phaseMs: Record<string, number> = {};
  const staged = new StagedFiles(options.onPhase);
  try {
    await recordStart(conn, runId, asOf.date, mode);
    if (!options.dryRun) pause('locked');
    log.info({ event: 'run_started', as_of_instant: asOf.instant, zone: asOf.zone }, 'run started');
    const { testCodes, includeResolved } = options;
    const { runTime, resolutionGraceDays, evidenceDir, reportsDir } = settings;
    const discoverOptions: DiscoverOptions = {
      asOf,
      runTime,
      resolutionGraceDays,
      evidenceDir,
      reportsDir,
      testCodes,
      includeResolved,
      runId,
      mode,
      rangeCache: range?.cache,
      evaluatorVersion: evaluatorVersion(),
    };
    const plan = options.dryRun
      ? await discoverEvaluate(conn, discoverOptions, options.chunkTests, pause, phaseMs)
      : await discoverEvaluateExecute(
          conn,
          discoverOptions,
          staged,
          {
            fullRun: !options.testCodes?.length,
            keepWrites: options.keepWrites ?? true,
            chunkTests: options.chunkTests,
            batchTests: options.batchTests,
            onTestCount: options.onTestCount,
          },
          pause,
          phaseMs,
          log,
        );
    logProblems(plan, log);
    return { options, runId, log, plan, exitCode: exitCodeOfPlan(plan), staged, phaseMs };
  } catch (error) {
    staged.discard();
    await recordFailure(conn, runId, error, phaseMs, log);
    throw error;
  }
}

/**
 * The rest of a committed date's run, on any connection of the pool with
 * the session zone set (it needs no lock: it only reads the date's rows and
 * records its own ledger row): renames its staged evidence files into place,
 * writes the files of revisions it replaced and the runbook, then records its
 * finish. A dry run only records its finish.
 *
 * @returns the run's plan (its outline: no file contents), exit code, files and phase times.
 * @throws whatever writing the files throws, after recording the run as FAILED; its staged files are removed.
 */
export async function finishDate(db: CommonQueryMethods, committed: CommittedDate, range?: RangeState): Promise<RunResult> {
  const { options, runId, log, plan, exitCode, staged, phaseMs } = committed;
  const timed = phaseTimer(phaseMs);
  try {
    let filesWritten: string[] = [];
    if (!options.dryRun) {
      options.onPhase?.('committed');
      filesWritten = await timed('files', () => writeRunFiles(db, plan, staged, options.settings, options.onPhase, range?.reportHistory));
      options.onPhase?.('files-written');
    }
    const reportPath = options.dryRun ? null : plan.reportPath;
    await finishRun(db, plan, exitCode, phaseMs, reportPath, log);
    return { plan, exitCode, filesWritten, reportPath, phaseMs };
  } catch (error) {
    await recordFailure(db, runId, error, phaseMs, log);
    throw error;
  } finally {
    staged.discard(); // only what a failure left staged
  }
}

/**
 * The run of one date on a connection that already holds the run lock (not
 * for a dry run), has the session zone set and has recovered any abandoned
 * run (src/run/runSession.ts): {@link commitDate}, then {@link finishDate} on
 * the same connection.
 *
 * @returns the run's plan (its outline: no file contents), exit code, files and phase times.
 * @throws whatever the run throws, after recording it as FAILED in its ledger row.
 */
export async function runLocked(conn: DatabasePoolConnection, options: RunOptions, range?: RangeState): Promise<RunResult> {
  return finishDate(conn, await commitDate(conn, options, range), range);
}

/** Logs a run's failure and records it in its ledger row (best effort: the connection itself may be what failed). */
async function recordFailure(conn: CommonQueryMethods, runId: string, error: unknown, phaseMs: Record<string, number>, log: Logger) {
  const message = error instanceof Error ? error.message : String(error);
  log.error({ event: 'run_failed', exit_code: exitCodeOf(error), phase_ms: phaseMs }, message);
  await recordFinish(conn, runId, { outcome: 'FAILED', exitCode: exitCodeOf(error), phaseMs, error: message }).catch(() => undefined);
}
