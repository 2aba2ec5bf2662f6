import { checkLine } from '../checkLine.js';
import type { HealthCheck, HealthReport } from './report.js';

const LABELS: Record<HealthCheck['check'], string> = {
  last_daily_run: 'last daily run',
  missed_days: 'missed days',
  recent_run: 'recent run',
  system_error_test: 'SYSTEM_ERROR tests',
  critical_alert: 'unacknowledged CRITICAL alerts',
};

/** At most this many lines per kind of finding (the JSON has all of them). */
export const MAX_FINDING_LINES = 20;

/**
 * The lines `canonical-tests health` prints: one per check, then `healthy` or `unhealthy: N problem(s)`.
 *
 * @param findingsOnly leave out the checks that are OK (`-q`); the verdict line always stays.
 */
export function formatHealth(report: HealthReport, findingsOnly = false): string[] {
  const lines: string[] = [];
  const shown = findingsOnly ? report.checks.filter((c) => c.status !== 'OK') : report.checks;
  // Checks of one kind are consecutive: show the first few of each kind.
  for (let i = 0; i < shown.length;) {
    const kind = shown[i]!.check;
    let end = i;
    while (end < shown.length && shown[end]!.check === kind) end += 1;
    const group = shown.slice(i, end);
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
