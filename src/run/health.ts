import type { DatabasePool } from 'slonik';
import { lastDailyRun, lastDoneRun, ledgerExists, systemErrorTests, unacknowledgedCriticalAlerts } from '../db/health.js';
import { missedDates } from '../db/runs.js';
import { healthChecks } from './health/checks.js';
import { DONE_WITHIN_HOURS, type HealthFacts, type HealthOptions, type HealthReport } from './health/report.js';
import { dateRanges, MISSED_DATES_LIMIT, NotMigratedError } from './status.js';

export {
  DONE_WITHIN_HOURS,
  type CheckStatus,
  type HealthCheck,
  type HealthFacts,
  type HealthOptions,
  type HealthReport,
} from './health/report.js';

/**
 * Reads what `health` needs and judges it.
 *
 * @throws NotMigratedError on a database that was never migrated.
 */
export async function healthReport(pool: DatabasePool, options: HealthOptions): Promise<HealthReport> {
  if (!(await ledgerExists(pool))) throw new NotMigratedError();
  const facts: HealthFacts = {
    today: options.today,
    last_daily_run: await lastDailyRun(pool),
    last_done_run: await lastDoneRun(pool, DONE_WITHIN_HOURS),
    missed_dates: await missedDates(pool, options.today, MISSED_DATES_LIMIT),
    system_error_tests: await systemErrorTests(pool),
    unacknowledged_critical_alerts: await unacknowledgedCriticalAlerts(pool),
  };
  const checks = healthChecks(facts, options);
  return {
    healthy: checks.every((c) => c.status !== 'FAIL'),
    strict: options.strict,
    zone: options.zone,
    ...facts,
    missed_ranges: dateRanges(facts.missed_dates),
    checks,
  };
}
