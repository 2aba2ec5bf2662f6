import { DateTime } from 'luxon';
import { UsageError } from '../errors.js';

/** An as-of date and the instant it stands for. */
export interface AsOf {
  /** Calendar date `YYYY-MM-DD` in the configured zone. */
  date: string;
  /** `YYYYMMDD`, as used in file names. */
  compactDate: string;
  /** The as-of instant as a UTC ISO string with milliseconds, e.g. `2020-03-02T05:00:00.000Z`. */
  instant: string;
  /** The IANA zone the date is reckoned in. */
  zone: string;
}

/**
 * Parses a `--date` value: exactly `YYYY-MM-DD` and a real calendar date.
 *
 * @throws UsageError naming `setting` (default `--date`).
 */
export function parseDate(value: string, setting = '--date'): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: 'UTC' }).isValid) {
    throw new UsageError(setting, `${JSON.stringify(value)} is not a date in the form YYYY-MM-DD`);
  }
  return value;
}

/**
 * The as-of instant of `date`: `runTime` (HH:MM) on that date in `zone`. On a
 * spring-forward day a run time inside the DST gap moves forward by the gap,
 * as luxon does; the date itself never changes.
 */
export function asOfFor(date: string, zone: string, runTime: string): AsOf {
  const [hour, minute] = runTime.split(':').map(Number);
  const local = DateTime.fromISO(date, { zone }).set({ hour, minute, second: 0, millisecond: 0 });
  return {
    date,
    compactDate: date.replaceAll('-', ''),
    instant: local.toUTC().toISO()!,
    zone,
  };
}

/** The dates from `from` to `to` inclusive, in order (`YYYY-MM-DD`). */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = DateTime.fromISO(from, { zone: 'UTC' }); d.toISODate()! <= to; d = d.plus({ days: 1 })) {
    dates.push(d.toISODate()!);
  }
  return dates;
}
