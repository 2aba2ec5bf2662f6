import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DatabasePool, DatabasePoolConnection } from 'slonik';
import type { Settings } from '../config/settings.js';
import { newReportHistoryCache } from '../db/report.js';
import { isConnectionLimit } from '../db/connectionErrors.js';
import { missedDates } from '../db/runs.js';
import { setSessionZone } from '../db/session.js';
import { requireEvaluableTestCodes } from '../db/tests.js';
import { prefetchRange } from '../discover/prefetch.js';
import { asOfFor, datesBetween, parseDate } from '../domain/asOf.js';
import type { Phase, PhaseHook } from '../domain/phases.js';
import { UsageError } from '../errors.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { pipelined } from './pipeline.js';
import { commitDate, finishDate, runLocked, type RunOptions, type RunResult } from './runDate.js';
import { withRunSession } from './runSession.js';

/** Longest backfill range accepted (about ten years of days). */
export const MAX_BACKFILL_DAYS = 3660;

/** Totals of a backfill, printed at its end. */
export interface BackfillSummary {
  datesDone: number;
  testsEvaluated: number;
  /** ESCALATION alerts raised (a test that stays escalated is alerted once, not every day). */
  escalationAlerts: number;
  resolutions: number;
  halts: number;
  /** The date that halted the backfill, if any. */
  haltedAt: string | null;
  /** 0 when every date ran; 1 when a signal source failed on some date (every date still ran); 3 when one halted (the later dates were not run). */
  exitCode: 0 | 1 | 3;
}

/** Options of {@link backfill}. */
export interface BackfillOptions {
  dates: readonly string[];
  settings: Settings;
  dryRun?: boolean;
  testCodes?: readonly string[];
  includeResolved?: boolean;
  /**
   * Called after each date, in order, once its files are written, e.g. to move a progress bar. The next
   * date's transaction has run by then (its files are written while it commits): a change made here is
   * first seen by the date after next.
   */
  onDate?: (date: string, result: RunResult) => void | Promise<void>;
  logger?: Logger;
  onPhase?: PhaseHook;
  /** The run id of each date (tests, to compare runs byte for byte); default a fresh UUID per date. */
  runIdFor?: (date: string) => string;
  /** Keep every per-test write in each date's result (default true): see src/run/runDate.ts `RunOptions.keepWrites`. */
  keepWrites?: boolean;
  /** Told how many tests each date evaluates: see src/run/runDate.ts `RunOptions.onTestCount`. */
  onTestCount?: (tests: number) => void;
}

/** `onPhase`, calling `ready` first when `phase` is reached. */
function readyAt(phase: Phase, ready: () => void, onPhase?: PhaseHook): PhaseHook {
  return (reached) => {
    if (reached === phase) ready();
    onPhase?.(reached);
  };
}

/**
 * Refuses an as-of date after today: evaluating the future would move
 * `last_evaluated_date` ahead and freeze live state for every real run until then.
 *
 * @param today today's date `YYYY-MM-DD` in the configured zone.
 * @throws UsageError naming `setting` (exit 2).
 */
export function refuseFutureDate(date: string, today: string, setting: string): void {
  if (date > today)
    throw new UsageError(
      setting,
      `${date} is in the future (today is ${today} in the configured zone); only dates up to today can be evaluated`,
    );
}

/**
 * The dates of `backfill --from --to`, in order, after checking the range.
 *
 * @param from first as-of date, `YYYY-MM-DD`. @param to last as-of date.
 * @param today today's date in the configured zone: no date after it is accepted.
 * @throws UsageError naming `--from` or `--to` for a malformed date, a reversed
 *   range, a date after today, or more than {@link MAX_BACKFILL_DAYS} days.
 */
export function backfillDates(from: string, to: string, today: string): string[] {
  parseDate(from, '--from');
  parseDate(to, '--to');
  if (from > to) throw new UsageError('--from', `${from} is after --to ${to}`);
  refuseFutureDate(to, today, '--to');
  const span = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days + 1;
  if (span > MAX_BACKFILL_DAYS) throw new UsageError('--to', `the range covers ${span} days; at most ${MAX_BACKFILL_DAYS} are allowed`);
  return datesBetween(from, to);
}

/** Adds one date's result to the summary; true when the date halted (the backfill stops). */
function tally(summary: BackfillSummary, date: string, result: RunResult): boolean {
  summary.datesDone += 1;
  summary.testsEvaluated += result.plan.outcomes.length;
  summary.escalationAlerts += result.plan.alerts.filter((a) => a.alertType === 'ESCALATION').length;
  summary.resolutions += result.plan.resolutions.length;
  if (result.exitCode === 1) summary.exitCode = 1;
  if (result.exitCode !== 3) return false;
  summary.halts = 1;
  summary.haltedAt = date;
  summary.exitCode = 3;
  return true;
}

/**
 * Runs each date in order, each exactly as `run --date` would, in mode
 * `backfill` (live state only moves forward; alerts on changes of state only).
 * Stops at the first date the gate halts. The whole range runs in one session
 * (README "Performance"): the run lock is taken and an abandoned run recovered
 * once; the registry and every signal value the range needs are read once
 * (src/discover/prefetch.ts); each date still reads its tests' state, record
 * and history itself, and gets its own ledger row, rows, alerts, files and report.
 * A date's files are written on a second connection of the pool while the
 * next date's transaction runs on the first, the one holding the lock
 * (src/run/pipeline.ts): the files and rows are exactly those of one run per date.
 * When the server refuses that second connection (a connection limit), the
 * dates run one after the other on the first.
 *
 * @throws UsageError naming `--test` for a code that names no ACTIVE test, before any date runs.
 * @throws LockHeldError (exit 5) when another run holds the lock; nothing is written.
 */
export async function backfill(pool: DatabasePool, options: BackfillOptions): Promise<BackfillSummary> {
  await requireEvaluableTestCodes(pool, options.testCodes);
  const summary: BackfillSummary = {
    datesDone: 0,
    testsEvaluated: 0,
    escalationAlerts: 0,
    resolutions: 0,
    halts: 0,
    haltedAt: null,
    exitCode: 0,
  };
  const { settings, dryRun, testCodes, includeResolved, logger, onPhase } = options;
  const runIds = options.dates.map((date) => options.runIdFor?.(date) ?? randomUUID());
  const log = (logger ?? silentLogger).child({ run_id: runIds[0], as_of_date: options.dates[0], mode: dryRun ? 'dry-run' : 'backfill' });
  return withRunSession(pool, { settings, dryRun, log, onPhase }, async (conn) => {
    const asOfs = options.dates.map((date) => asOfFor(date, settings.zone, settings.runTime));
    const started = performance.now();
    const rangeCache = await prefetchRange(conn, { asOfs, testCodes, includeResolved });
    const range = { cache: rangeCache, reportHistory: newReportHistoryCache() };
    log.info(
      { event: 'range_prefetched', dates: asOfs.length, signals: rangeCache.signals.size, ms: Math.round(performance.now() - started) },
      'range prefetched',
    );
    const runOptions = (i: number): RunOptions => ({
      date: options.dates[i]!,
      settings,
      dryRun,
      testCodes,
      includeResolved,
      mode: 'backfill',
      logger,
      onPhase,
      runId: runIds[i],
      keepWrites: options.keepWrites,
      onTestCount: options.onTestCount,
    });
    const done = async (result: RunResult) => {
      const halted = tally(summary, result.plan.asOf.date, result);
      await options.onDate?.(result.plan.asOf.date, result);
      return halted;
    };
    const oneAfterAnother = async () => {
      for (const i of options.dates.keys()) if (await done(await runLocked(conn, runOptions(i), range))) break;
    };
    if (dryRun) {
      await oneAfterAnother();
      return summary;
    }
    const pipelinedDates = async (filesConn: DatabasePoolConnection) => {
      await setSessionZone(filesConn, settings.zone);
      await pipelined(options.dates.length, {
        // The previous date's files start once this date's reads are done: they read the database while this
        // date is evaluated, and render while its transaction's statements run.
        commit: (i, ready) => commitDate(conn, { ...runOptions(i), onPhase: readyAt('discovered', ready, onPhase) }, range),
        finish: (committed) => finishDate(filesConn, committed, range),
        done,
        isLast: (committed) => committed.exitCode === 3,
      });
    };
    let opened = false;
    try {
      await pool.connect(async (filesConn) => {
        opened = true;
        await pipelinedDates(filesConn);
      });
    } catch (error) {
      // A role or server at its connection limit refuses the second connection before any date ran: run them on the one.
      if (opened || !isConnectionLimit(error)) throw error;
      log.warn(
        { event: 'second_connection_refused', error: error instanceof Error ? error.message : String(error) },
        'a second database connection was refused (connection limit): the dates run one after the other',
      );
      await oneAfterAnother();
    }
    return summary;
  });
}

/** The missed days before `date` (`run --catch-up`), oldest first. */
export async function catchUpDates(pool: DatabasePool, date: string): Promise<string[]> {
  return missedDates(pool, date);
}
