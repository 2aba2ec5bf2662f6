import { join, relative, isAbsolute } from 'node:path';
import type { DatabasePool } from 'slonik';
import {
  lastDailyRun,
  lastDoneRun,
  ledgerExists,
  systemErrorTests,
  unacknowledgedCriticalAlerts,
  type DailyRunRow,
  type OpenCriticalAlert,
  type RunRow,
  type SystemErrorTest,
} from '../db/health.js';
import { missedDates } from '../db/runs.js';
import { dateRanges, describeRange, MISSED_DATES_LIMIT, NotMigratedError, type DateRange } from './status.js';

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

/** `path` relative to `cwd` when it lies inside it, else as it is. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function lastDailyCheck(run: DailyRunRow | null, options: HealthOptions): HealthCheck {
  const check = 'last_daily_run' as const;
  if (!run) {
    return {
      check,
      status: 'FAIL',
      message: 'none recorded',
      action: 'schedule the daily run (canonical-tests schedule) or start one: canonical-tests run',
    };
  }
  const rerun = `canonical-tests run --date ${run.as_of_date}`;
  const what = `${run.as_of_date} ${run.outcome} (exit ${run.exit_code ?? '—'})`;
  if (run.outcome === 'DONE' && run.exit_code === 0) {
    return { check, status: 'OK', message: `${what}, finished ${run.finished_at ?? '—'}`, action: null };
  }
  if (run.rerun_done) return { check, status: 'OK', message: `${what}; the date was run again since, DONE`, action: null };
  const cause = run.error ? `: ${run.error}` : '';
  if (run.outcome === 'HALTED') {
    const haltFile = shown(
      join(options.evidenceDir, `ORCHESTRATOR_HALT_${run.as_of_date.replaceAll('-', '')}.json`),
      options.cwd ?? process.cwd(),
    );
    return {
      check,
      status: 'FAIL',
      message: `${what}: halted by the fail-closed gate`,
      action: `read ${haltFile}, fix the definitions until canonical-tests check exits 0, then run ${rerun}`,
    };
  }
  if (run.outcome === 'RUNNING') {
    return {
      check,
      status: 'FAIL',
      message: `${run.as_of_date} never finished: its process ended (killed, or its connection was lost) before recording a finish`,
      action: `run ${rerun}`,
    };
  }
  if (run.outcome === 'DONE') {
    return {
      check,
      status: 'FAIL',
      message: `${what}${cause}`,
      action: `fix the failing source (docs/alerts.md, SIGNAL_ERROR), then run ${rerun}`,
    };
  }
  return {
    check,
    status: 'FAIL',
    message: `${what}${cause}`,
    action: `read logs/canonical-tests.log and fix the cause, then run ${rerun}`,
  };
}

/**
 * The checks of `health`, in order: the last daily run, missed days, a DONE
 * run within {@link DONE_WITHIN_HOURS} hours, then one line per ACTIVE test
 * in SYSTEM_ERROR and per unacknowledged CRITICAL alert (`WARN`, or `FAIL`
 * when `strict`). Pure.
 */
export function healthChecks(facts: HealthFacts, options: HealthOptions): HealthCheck[] {
  const checks: HealthCheck[] = [lastDailyCheck(facts.last_daily_run, options)];
  const ranges = dateRanges(facts.missed_dates);
  checks.push(
    ranges.length === 0
      ? { check: 'missed_days', status: 'OK', message: 'none', action: null }
      : {
          check: 'missed_days',
          status: 'FAIL',
          message: `${facts.missed_dates.length}: ${ranges.slice(0, 5).map(describeRange).join(', ')}${ranges.length > 5 ? `, and ${ranges.length - 5} more range(s)` : ''}`,
          action: 'run canonical-tests run --catch-up',
        },
  );
  const done = facts.last_done_run;
  const schedule =
    'check that the scheduled daily run starts (canonical-tests schedule) and read logs/canonical-tests.log, then run canonical-tests run --catch-up';
  checks.push(
    done?.within_hours
      ? {
          check: 'recent_run',
          status: 'OK',
          message: `${done.mode} ${done.as_of_date} finished DONE at ${done.finished_at ?? '—'}, within the last ${DONE_WITHIN_HOURS} hours`,
          action: null,
        }
      : {
          check: 'recent_run',
          status: 'FAIL',
          message: `no run finished DONE in the last ${DONE_WITHIN_HOURS} hours (${done ? `the last one finished ${done.finished_at ?? '—'}` : 'none ever did'})`,
          action: schedule,
        },
  );
  const finding: CheckStatus = options.strict ? 'FAIL' : 'WARN';
  if (facts.system_error_tests.length === 0) checks.push({ check: 'system_error_test', status: 'OK', message: 'none', action: null });
  for (const t of facts.system_error_tests) {
    const date = t.error_date ?? t.last_evaluated_date ?? options.today;
    checks.push({
      check: 'system_error_test',
      status: finding,
      message: `${t.test_code} (${t.test_name}), since ${date}`,
      action: `fix its definition or its source (canonical-tests check names the defect), then run canonical-tests run --date ${date}`,
    });
  }
  if (facts.unacknowledged_critical_alerts.length === 0)
    checks.push({ check: 'critical_alert', status: 'OK', message: 'none', action: null });
  for (const a of facts.unacknowledged_critical_alerts) {
    checks.push({
      check: 'critical_alert',
      status: finding,
      // Titles of test alerts begin with the test code already (docs/alerts.md).
      message: `${a.run_date} ${a.alert_type} ${a.test_code && !a.title.startsWith(a.test_code) ? `${a.test_code}: ` : ''}${a.title}`,
      action: `deal with it (docs/alerts.md, ${a.alert_type}), then acknowledge it (set acknowledged_at)`,
    });
  }
  return checks;
}

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

const LABELS: Record<HealthCheck['check'], string> = {
  last_daily_run: 'last daily run',
  missed_days: 'missed days',
  recent_run: 'recent run',
  system_error_test: 'SYSTEM_ERROR tests',
  critical_alert: 'unacknowledged CRITICAL alerts',
};

/** At most this many lines per kind of finding (the JSON has all of them). */
export const MAX_FINDING_LINES = 20;

/** `OK   last daily run: …`, `FAIL missed days: … — what to do`: one line per check. */
export function checkLine(c: { status: string; message: string; action: string | null }, label: string): string {
  return `${c.status.padEnd(4)} ${label}: ${c.message}${c.action ? ` — ${c.action}` : ''}`;
}

/** The lines `canonical-tests health` prints: one per check, then `healthy` or `unhealthy: N problem(s)`. */
export function formatHealth(report: HealthReport): string[] {
  const lines: string[] = [];
  // Checks of one kind are consecutive: show the first few of each kind.
  for (let i = 0; i < report.checks.length;) {
    const kind = report.checks[i]!.check;
    let end = i;
    while (end < report.checks.length && report.checks[end]!.check === kind) end += 1;
    const group = report.checks.slice(i, end);
    group.slice(0, MAX_FINDING_LINES).forEach((c) => lines.push(checkLine(c, LABELS[kind])));
    if (group.length > MAX_FINDING_LINES) {
      lines.push(`     … and ${group.length - MAX_FINDING_LINES} more ${LABELS[kind]} line(s) (health --json lists them all)`);
    }
    i = end;
  }
  const failures = report.checks.filter((c) => c.status === 'FAIL').length;
  const warnings = report.checks.filter((c) => c.status === 'WARN').length;
  lines.push(
    failures > 0
      ? `unhealthy: ${failures} problem(s)`
      : warnings > 0
        ? `healthy, with ${warnings} warning(s) (--strict fails on them)`
        : 'healthy',
  );
  return lines;
}
