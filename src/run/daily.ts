import type { DatabasePool } from 'slonik';
import type { Settings } from '../config/settings.js';
import { requireEvaluableTestCodes } from '../db/tests.js';
import type { PhaseHook } from '../domain/phases.js';
import type { Logger } from '../logging/logger.js';
import { backfill, catchUpDates, refuseFutureDate, type BackfillSummary } from './backfill.js';
import { runDate, type RunResult } from './runDate.js';

/** Options of {@link runCommand}: `canonical-tests run`. */
export interface RunCommandOptions {
  /** As-of date `YYYY-MM-DD`; today's date makes a daily run, any other a backfill of that date. */
  date: string;
  /** Today's date `YYYY-MM-DD` in `settings.zone`. */
  today: string;
  settings: Settings;
  dryRun?: boolean;
  testCodes?: readonly string[];
  includeResolved?: boolean;
  /** First evaluate the missed days since the last daily run, oldest first. */
  catchUp?: boolean;
  logger?: Logger;
  onPhase?: PhaseHook;
  /** Told of the missed days before they are evaluated. */
  onCatchUpStart?: (dates: readonly string[]) => void;
  /** Told of each caught-up date. */
  onCatchUpDate?: (date: string, result: RunResult) => void;
  /** Keep every per-test write in the results (default true): see src/run/runDate.ts `RunOptions.keepWrites`. */
  keepWrites?: boolean;
  /** Told how many tests each date evaluates: see src/run/runDate.ts `RunOptions.onTestCount`. */
  onTestCount?: (tests: number) => void;
}

/** What `run` did: the caught-up days (if any) and the run of the date itself (absent when catch-up halted). */
export interface RunCommandResult {
  catchUp: { dates: string[]; summary: BackfillSummary } | null;
  result: RunResult | null;
  exitCode: number;
}

/**
 * `canonical-tests run`: with `catchUp`, the missed days first (stopping at a
 * halt, exit 3), then the date itself, as a daily run when it is today and as
 * a backfill of that date otherwise.
 *
 * @throws UsageError naming `--date` for a date after today, or `--test` for a
 *   code that names no ACTIVE test (listing the ACTIVE ones and a near match).
 */
export async function runCommand(pool: DatabasePool, options: RunCommandOptions): Promise<RunCommandResult> {
  refuseFutureDate(options.date, options.today, '--date');
  await requireEvaluableTestCodes(pool, options.testCodes);
  const common = {
    settings: options.settings,
    dryRun: options.dryRun,
    testCodes: options.testCodes,
    includeResolved: options.includeResolved,
    logger: options.logger,
    onPhase: options.onPhase,
    keepWrites: options.keepWrites,
    onTestCount: options.onTestCount,
  };
  let catchUp: RunCommandResult['catchUp'] = null;
  if (options.catchUp) {
    const dates = await catchUpDates(pool, options.date);
    if (dates.length > 0) {
      options.onCatchUpStart?.(dates);
      const summary = await backfill(pool, { ...common, dates, onDate: options.onCatchUpDate });
      catchUp = { dates, summary };
      if (summary.exitCode !== 0) return { catchUp, result: null, exitCode: summary.exitCode };
    }
  }
  const result = await runDate(pool, { ...common, date: options.date, mode: options.date === options.today ? 'daily' : 'backfill' });
  return { catchUp, result, exitCode: result.exitCode };
}
