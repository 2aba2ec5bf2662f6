import { DateTime } from 'luxon';
import type { DatabasePool } from 'slonik';
import { lastDailyRun, ledgerExists, type DailyRunRow } from '../db/health.js';
import { lastRun, missedDates, type LedgerRow } from '../db/runs.js';
import { loadStatus, type StatusRow } from '../db/status.js';
import { EvaluatorError } from '../errors.js';

/** At most this many missed days are listed (a hundred years: every one, in practice). */
export const MISSED_DATES_LIMIT = 36_600;

/** Consecutive dates `from` … `to` (inclusive), `days` of them. */
export interface DateRange {
  from: string;
  to: string;
  days: number;
}

/**
 * What `canonical-tests status` shows, in the snake_case shape `status --json`
 * prints: the ACTIVE tests, the newest ledger row and the newest daily one,
 * and the missed days (the dates after the newest completed daily run that no
 * completed run covers: backfills and demo runs never make a day missed).
 */
export interface StatusReport {
  /** Today in `zone`; missed days are the dates before it. */
  today: string;
  zone: string;
  tests: readonly StatusRow[];
  last_run: LedgerRow | null;
  last_daily_run: DailyRunRow | null;
  /** Every missed date, oldest first. */
  missed_dates: string[];
  /** The same dates as runs of consecutive days. */
  missed_ranges: DateRange[];
}

/** The error of a command that reads the ledger on a database that was never migrated (exit 1). */
export class NotMigratedError extends EvaluatorError {
  constructor() {
    super('the database has no fhq_calendar.evaluator_runs: it was never migrated; run canonical-tests migrate (as an administrator)');
  }
}

/**
 * Assembles the status of the evaluator on a database.
 *
 * @param today today's date `YYYY-MM-DD` in `zone`.
 * @throws NotMigratedError on a database that was never migrated.
 */
export async function statusReport(pool: DatabasePool, today: string, zone: string): Promise<StatusReport> {
  if (!(await ledgerExists(pool))) throw new NotMigratedError();
  const missed = await missedDates(pool, today, MISSED_DATES_LIMIT);
  return {
    today,
    zone,
    tests: await loadStatus(pool),
    last_run: await lastRun(pool),
    last_daily_run: await lastDailyRun(pool),
    missed_dates: missed,
    missed_ranges: dateRanges(missed),
  };
}

/** Groups ascending `YYYY-MM-DD` dates into runs of consecutive days. */
export function dateRanges(dates: readonly string[]): DateRange[] {
  const ranges: DateRange[] = [];
  for (const date of dates) {
    const last = ranges.at(-1);
    if (last && DateTime.fromISO(last.to, { zone: 'UTC' }).plus({ days: 1 }).toISODate() === date) {
      last.to = date;
      last.days += 1;
    } else ranges.push({ from: date, to: date, days: 1 });
  }
  return ranges;
}

/** `2026-01-01 … 2026-03-31 (90 days)`, or `2026-03-11 (1 day)`. */
export function describeRange(range: DateRange): string {
  return range.days === 1 ? `${range.from} (1 day)` : `${range.from} … ${range.to} (${range.days} days)`;
}

/** Shown for a value nobody knows yet. */
export const UNKNOWN = '—';

/** Code points, so that `…` and `—` count as one column each. */
const width = (text: string): number => [...text].length;

/** A text fit for one table cell: no line breaks or other control characters. */
const cell = (text: string): string => text.replace(/\p{Cc}+/gu, ' ');

/**
 * Lays rows out as a table: a header, then one line per row, each column as
 * wide as its widest cell and two spaces apart; no trailing spaces.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(...all.map((row) => width(row[i] ?? ''))));
  return all.map((row) =>
    row
      .map((value, i) => value + ' '.repeat(widths[i]! - width(value)))
      .join('  ')
      .trimEnd(),
  );
}

/** `Day 5 of 30`; `—` before the first evaluation. */
export function dayText(row: Pick<StatusRow, 'days_elapsed' | 'required_days'>): string {
  return row.days_elapsed === null ? UNKNOWN : `Day ${row.days_elapsed} of ${row.required_days ?? UNKNOWN}`;
}

/** `ESCALATED since 2026-03-04`, or the state as it is. */
export function escalationText(row: Pick<StatusRow, 'escalation_state' | 'escalated_since'>): string {
  return row.escalation_state === 'ESCALATED' && row.escalated_since ? `ESCALATED since ${row.escalated_since}` : row.escalation_state;
}

function runText(run: { mode: string; as_of_date: string; outcome: string; exit_code: number | null; started_at: string }): string {
  return `${run.mode} ${run.as_of_date} ${run.outcome} (exit ${run.exit_code ?? UNKNOWN}), started ${run.started_at}`;
}

/** The lines `canonical-tests status` prints: the table of ACTIVE tests, the last runs and the missed days. */
export function formatStatus(report: StatusReport): string[] {
  const lines: string[] = [];
  if (report.tests.length === 0) lines.push(`no ACTIVE tests (${report.today}, ${report.zone})`);
  else {
    lines.push(`${report.tests.length} ACTIVE test(s) (${report.today}, ${report.zone})`, '');
    lines.push(
      ...formatTable(
        ['TEST', 'NAME', 'DAY', 'REMAINING', 'ESCALATION', 'CEO ACTION', 'VERDICT', 'LAST EVALUATED', 'PENDING METRICS'],
        report.tests.map((t) => [
          t.test_code,
          t.test_name,
          dayText(t),
          t.days_remaining === null ? UNKNOWN : `${t.days_remaining}${t.is_overdue ? ' (overdue)' : ''}`,
          escalationText(t),
          t.ceo_action_required ? 'yes' : 'no',
          t.verdict,
          t.last_evaluated_date ?? UNKNOWN,
          t.pending_metrics.length ? t.pending_metrics.join(', ') : UNKNOWN,
        ]),
      ),
    );
  }
  lines.push('');
  lines.push(`last run:       ${report.last_run ? runText(report.last_run) : 'none recorded'}`);
  lines.push(`last daily run: ${report.last_daily_run ? runText(report.last_daily_run) : 'none recorded'}`);
  return [...lines, ...formatMissedDays(report)];
}

/** The last lines of `status`: the missed days as ranges and what to do, or that none were missed (all `-q` keeps). */
export function formatMissedDays(report: StatusReport): string[] {
  if (report.missed_dates.length === 0) {
    return [
      report.last_daily_run
        ? 'missed days:    none'
        : 'missed days:    none (no daily run recorded yet: days count as missed only after the last daily run; backfills and the demo never do)',
    ];
  }
  return [
    `missed days:    ${report.missed_dates.length}, since the last completed daily run — run canonical-tests run --catch-up`,
    ...report.missed_ranges.map((r) => `  ${describeRange(r)}`),
  ];
}
