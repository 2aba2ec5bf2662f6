import type { DatabasePool } from 'slonik';
import type { Settings } from '../config/settings.js';
import { missedDates } from '../ledger/ledger.js';
import type { Logger } from '../logging/logger.js';
import { runDate, type RunResult } from './runDate.js';

/** Totals of a backfill, printed at its end (issue 3). */
export interface BackfillSummary {
  datesDone: number;
  testsEvaluated: number;
  escalations: number;
  resolutions: number;
  halts: number;
  /** The date that halted the backfill, if any. */
  haltedAt: string | null;
  /** 0 when every date ran, 3 when one halted (the later dates were not run). */
  exitCode: 0 | 3;
}

/** Options of {@link backfill}. */
export interface BackfillOptions {
  dates: readonly string[];
  settings: Settings;
  dryRun?: boolean;
  testCodes?: readonly string[];
  /** Called after each date, e.g. to move a progress bar. */
  onDate?: (date: string, result: RunResult) => void | Promise<void>;
  logger?: Logger;
}

/**
 * Runs each date in order, each exactly as `run --date` would, in mode
 * `backfill` (live state only moves forward; alerts on changes of state only).
 * Stops at the first date the gate halts.
 */
export async function backfill(pool: DatabasePool, options: BackfillOptions): Promise<BackfillSummary> {
  const summary: BackfillSummary = { datesDone: 0, testsEvaluated: 0, escalations: 0, resolutions: 0, halts: 0, haltedAt: null, exitCode: 0 };
  for (const date of options.dates) {
    const result = await runDate(pool, { date, settings: options.settings, dryRun: options.dryRun, testCodes: options.testCodes, mode: 'backfill', logger: options.logger });
    summary.datesDone += 1;
    summary.testsEvaluated += result.plan.outcomes.length;
    summary.escalations += result.plan.alerts.filter((a) => a.alertType === 'ESCALATION').length;
    summary.resolutions += result.plan.resolutions.length;
    await options.onDate?.(date, result);
    if (result.exitCode === 3) {
      summary.halts = 1;
      summary.haltedAt = date;
      summary.exitCode = 3;
      break;
    }
  }
  return summary;
}

/** The missed days before `date` (issue 3 `run --catch-up`), oldest first. */
export async function catchUpDates(pool: DatabasePool, date: string): Promise<string[]> {
  return missedDates(pool, date);
}
