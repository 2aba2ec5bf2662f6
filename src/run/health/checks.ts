import { isAbsolute, join, relative } from 'node:path';
import type { DailyRunRow } from '../../db/health.js';
import { DONE_WITHIN_HOURS, type CheckStatus, type HealthCheck, type HealthFacts, type HealthOptions } from './report.js';
import { dateRanges, describeRange } from '../status.js';

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
  const what = `${run.as_of_date} ${run.outcome} (exit ${run.exit_code ?? '—'})`;
  if (run.outcome === 'DONE' && run.exit_code === 0) {
    return { check, status: 'OK', message: `${what}, finished ${run.finished_at ?? '—'}`, action: null };
  }
  if (run.rerun_done) return { check, status: 'OK', message: `${what}; the date was run again since, DONE`, action: null };
  return { check, status: 'FAIL', ...failedRun(run, what, options) };
}

/** What went wrong with a daily run that did not finish DONE with exit 0, and what to do. */
function failedRun(run: DailyRunRow, what: string, options: HealthOptions): { message: string; action: string } {
  const rerun = `canonical-tests run --date ${run.as_of_date}`;
  const cause = run.error ? `: ${run.error}` : '';
  if (run.outcome === 'HALTED') {
    const haltFile = shown(
      join(options.evidenceDir, `ORCHESTRATOR_HALT_${run.as_of_date.replaceAll('-', '')}.json`),
      options.cwd ?? process.cwd(),
    );
    return {
      message: `${what}: halted by the fail-closed gate`,
      action: `read ${haltFile}, fix the definitions until canonical-tests check exits 0, then run ${rerun}`,
    };
  }
  if (run.outcome === 'RUNNING') {
    return {
      message: `${run.as_of_date} never finished: its process ended (killed, or its connection was lost) before recording a finish`,
      action: `run ${rerun}`,
    };
  }
  if (run.outcome === 'DONE') {
    return { message: `${what}${cause}`, action: `fix the failing source (docs/alerts.md, SIGNAL_ERROR), then run ${rerun}` };
  }
  return { message: `${what}${cause}`, action: `read logs/canonical-tests.log and fix the cause, then run ${rerun}` };
}

function missedDaysCheck(missed: readonly string[]): HealthCheck {
  const ranges = dateRanges(missed);
  if (ranges.length === 0) return { check: 'missed_days', status: 'OK', message: 'none', action: null };
  return {
    check: 'missed_days',
    status: 'FAIL',
    message: `${missed.length}: ${ranges.slice(0, 5).map(describeRange).join(', ')}${ranges.length > 5 ? `, and ${ranges.length - 5} more range(s)` : ''}`,
    action: 'run canonical-tests run --catch-up',
  };
}

function recentRunCheck(done: HealthFacts['last_done_run']): HealthCheck {
  if (done?.within_hours) {
    return {
      check: 'recent_run',
      status: 'OK',
      message: `${done.mode} ${done.as_of_date} finished DONE at ${done.finished_at ?? '—'}, within the last ${DONE_WITHIN_HOURS} hours`,
      action: null,
    };
  }
  return {
    check: 'recent_run',
    status: 'FAIL',
    message: `no run finished DONE in the last ${DONE_WITHIN_HOURS} hours (${done ? `the last one finished ${done.finished_at ?? '—'}` : 'none ever did'})`,
    action:
      'check that the scheduled daily run starts (canonical-tests schedule) and read logs/canonical-tests.log, then run canonical-tests run --catch-up',
  };
}

function systemErrorChecks(facts: HealthFacts, finding: CheckStatus, today: string): HealthCheck[] {
  if (facts.system_error_tests.length === 0) return [{ check: 'system_error_test', status: 'OK', message: 'none', action: null }];
  return facts.system_error_tests.map((t) => {
    const date = t.error_date ?? t.last_evaluated_date ?? today;
    return {
      check: 'system_error_test',
      status: finding,
      message: `${t.test_code} (${t.test_name}), since ${date}`,
      action: `fix its definition or its source (canonical-tests check names the defect), then run canonical-tests run --date ${date}`,
    };
  });
}

function criticalAlertChecks(facts: HealthFacts, finding: CheckStatus): HealthCheck[] {
  if (facts.unacknowledged_critical_alerts.length === 0) return [{ check: 'critical_alert', status: 'OK', message: 'none', action: null }];
  return facts.unacknowledged_critical_alerts.map((a) => ({
    check: 'critical_alert',
    status: finding,
    // Titles of test alerts begin with the test code already (docs/alerts.md).
    message: `${a.run_date} ${a.alert_type} ${a.test_code && !a.title.startsWith(a.test_code) ? `${a.test_code}: ` : ''}${a.title}`,
    action: `deal with it (docs/alerts.md, ${a.alert_type}), then acknowledge it (set acknowledged_at)`,
  }));
}

/**
 * The checks of `health`, in order: the last daily run, missed days, a DONE
 * run within {@link DONE_WITHIN_HOURS} hours, then one line per ACTIVE test
 * in SYSTEM_ERROR and per unacknowledged CRITICAL alert (`WARN`, or `FAIL`
 * when `strict`). Pure.
 */
export function healthChecks(facts: HealthFacts, options: HealthOptions): HealthCheck[] {
  const finding: CheckStatus = options.strict ? 'FAIL' : 'WARN';
  return [
    lastDailyCheck(facts.last_daily_run, options),
    missedDaysCheck(facts.missed_dates),
    recentRunCheck(facts.last_done_run),
    ...systemErrorChecks(facts, finding, options.today),
    ...criticalAlertChecks(facts, finding),
  ];
}
