import { DateTime } from 'luxon';
import type { AsOf } from './asOf.js';

/**
 * Where an as-of instant falls in a test's window (README "How a day is
 * evaluated", docs/verdicts.md):
 * - `before`: the window has not opened (`as_of < start_ts`): nothing is evaluated;
 * - `open`: `start_ts <= as_of <= end_ts`, or the test is already resolved: metrics as of the as-of instant;
 * - `closing`: `as_of > end_ts` with the verdict still PENDING (or a RESOLVED test re-evaluated): the verdict is evaluated as of `end_ts`.
 */
export type WindowPhase =
  | { kind: 'before' }
  | { kind: 'open' }
  | {
      kind: 'closing';
      /** Calendar days in the zone from the date of `end_ts` to the as-of date (1 on the morning after the close). */
      daysAfterClose: number;
    };

/** The window and live verdict of a test, as read (instants as UTC ISO strings). */
export interface WindowBounds {
  start_ts: string;
  end_ts: string;
  verdict: string;
  status: string;
}

/** The date (`YYYY-MM-DD`) of a UTC ISO instant in `zone`. */
export function localDate(instant: string, zone: string): string {
  return DateTime.fromISO(instant, { zone }).toISODate()!;
}

/** Whole calendar days from date `from` to date `to` (`YYYY-MM-DD`; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);
}

/** An instant as operators read it: `YYYY-MM-DD HH:mm` in `zone`, followed by the zone's name. */
export function showInstant(instant: string, zone: string): string {
  return `${DateTime.fromISO(instant, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${zone}`;
}

/** The {@link WindowPhase} of a test as of `asOf`. */
export function windowPhase(test: WindowBounds, asOf: AsOf): WindowPhase {
  const at = Date.parse(asOf.instant);
  if (at < Date.parse(test.start_ts)) return { kind: 'before' };
  // A RESOLVED test re-evaluated for its past closes again, as of end_ts, on the dates after the close.
  if (at > Date.parse(test.end_ts) && (test.verdict === 'PENDING' || test.status === 'RESOLVED')) {
    return { kind: 'closing', daysAfterClose: daysBetween(localDate(test.end_ts, asOf.zone), asOf.date) };
  }
  return { kind: 'open' };
}

/**
 * The instant a test's metrics are resolved for: none before the window,
 * `end_ts` when closing (rows after the close never count), else the as-of instant.
 */
export function metricsInstant(test: WindowBounds, asOf: AsOf): string | null {
  const phase = windowPhase(test, asOf);
  if (phase.kind === 'before') return null;
  return phase.kind === 'closing' ? new Date(test.end_ts).toISOString() : asOf.instant;
}

/**
 * The length of the window in calendar days of `zone`: `required_days` when
 * set, else from the start date to the end date inclusive. The closing
 * runbook row is "Day N of N" with this N.
 */
export function windowLengthDays(test: { start_ts: string; end_ts: string; required_days: number | null }, zone: string): number {
  return test.required_days ?? daysBetween(localDate(test.start_ts, zone), localDate(test.end_ts, zone)) + 1;
}
