/**
 * Dates and as-of instants of the benchmark, reckoned like the evaluator's
 * defaults (zone Europe/Oslo, run time 06:00), so the project and both
 * references evaluate the same instants.
 */
import { DateTime } from 'luxon';

/** Zone of every benchmark run (the evaluator's default). */
export const ZONE = 'Europe/Oslo';
/** Run time of every benchmark run (the evaluator's default). */
export const RUN_TIME = '06:00';

/** Today's date `YYYY-MM-DD` in {@link ZONE}. */
export function todayInZone(): string {
  return DateTime.now().setZone(ZONE).toISODate()!;
}

/** The as-of instant of `date` (06:00 in the zone) as a UTC ISO string. */
export function asOfInstant(date: string): string {
  return DateTime.fromISO(date, { zone: ZONE }).set({ hour: 6, minute: 0, second: 0, millisecond: 0 }).toUTC().toISO()!;
}

/** `count` consecutive dates ending on `last` (inclusive), oldest first. */
export function datesEnding(last: string, count: number): string[] {
  const end = DateTime.fromISO(last, { zone: 'UTC' });
  return Array.from({ length: count }, (_, i) => end.minus({ days: count - 1 - i }).toISODate()!);
}

/** `YYYYMMDD` of a `YYYY-MM-DD` date, as in the evaluator's file names. */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}
