import type { DailyRunRow, OpenCriticalAlert, RunRow, SystemErrorTest } from '../../db/health.js';
import type { DateRange } from '../status.js';

/** A run must have finished DONE within this many hours, or `health` fails (a day and some slack for a late start). */
export const DONE_WITHIN_HOURS = 26;

/** The verdict of one check: `WARN` is a finding that fails `health` only with `--strict`. */
export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

/** One line of `health`: which check, its verdict, what was found and what to do about it. */
export interface HealthCheck {
  check: 'last_daily_run' | 'missed_days' | 'recent_run' | 'system_error_test' | 'critical_alert';
  status: CheckStatus;
  message: string;
  /** What to do; null when nothing is to be done. */
  action: string | null;
}

/** What the checks of `health` look at. */
export interface HealthFacts {
  today: string;
  last_daily_run: DailyRunRow | null;
  /** The run that finished DONE with exit 0 most recently, and whether that was within {@link DONE_WITHIN_HOURS}. */
  last_done_run: (RunRow & { within_hours: boolean }) | null;
  missed_dates: string[];
  system_error_tests: readonly SystemErrorTest[];
  unacknowledged_critical_alerts: readonly OpenCriticalAlert[];
}

/** What `canonical-tests health` reports, in the snake_case shape `health --json` prints. */
export interface HealthReport extends HealthFacts {
  healthy: boolean;
  strict: boolean;
  zone: string;
  missed_ranges: DateRange[];
  checks: HealthCheck[];
}

/** Options of {@link healthReport}. */
export interface HealthOptions {
  /** Today in `zone` (`YYYY-MM-DD`). */
  today: string;
  zone: string;
  /** SYSTEM_ERROR tests and unacknowledged CRITICAL alerts fail the check too. */
  strict: boolean;
  /** Folder of the halt files, named in the advice after a halted run. */
  evidenceDir: string;
  /** The folder paths are shown relative to (the working directory). */
  cwd?: string;
}
