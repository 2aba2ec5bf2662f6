import { DateTime } from 'luxon';
import type { DatabasePool } from 'slonik';
import type { Settings } from '../config/settings.js';
import { missedDates } from '../db/runs.js';
import { requireEvaluableTestCodes } from '../db/tests.js';
import { datesBetween, parseDate } from '../domain/asOf.js';
import type { PhaseHook } from '../domain/phases.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { runDate, type RunResult } from './runDate.js';

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
  /** Called after each date, e.g. to move a progress bar. */
  onDate?: (date: string, result: RunResult) => void | Promise<void>;
  logger?: Logger;
  onPhase?: PhaseHook;
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

/**
 * Runs each date in order, each exactly as `run --date` would, in mode
 * `backfill` (live state only moves forward; alerts on changes of state only).
 * Stops at the first date the gate halts.
 *
 * @throws UsageError naming `--test` for a code that names no ACTIVE test, before any date runs.
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
  for (const date of options.dates) {
    const result = await runDate(pool, {
      date,
      settings: options.settings,
      dryRun: options.dryRun,
      testCodes: options.testCodes,
      includeResolved: options.includeResolved,
      mode: 'backfill',
      logger: options.logger,
      onPhase: options.onPhase,
    });
    summary.datesDone += 1;
    summary.testsEvaluated += result.plan.outcomes.length;
    summary.escalationAlerts += result.plan.alerts.filter((a) => a.alertType === 'ESCALATION').length;
    summary.resolutions += result.plan.resolutions.length;
    await options.onDate?.(date, result);
    if (result.exitCode === 1) summary.exitCode = 1;
    if (result.exitCode === 3) {
      summary.halts = 1;
      summary.haltedAt = date;
      summary.exitCode = 3;
      break;
    }
  }
  return summary;
}

/** The missed days before `date` (`run --catch-up`), oldest first. */
export async function catchUpDates(pool: DatabasePool, date: string): Promise<string[]> {
  return missedDates(pool, date);
}
