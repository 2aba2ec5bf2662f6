/**
 * A fixed-offset IANA zone (`Etc/GMT-12` … `Etc/GMT+12`) where the local time
 * at `now` is between 11:30 and 12:30: the local date there stays the same for
 * the next eleven hours, so "today" of the executable is the test's "today"
 * however slow the machine.
 */
export function zoneAtNoon(now: Date = new Date()): string {
  const east = 12 - Math.round(now.getUTCHours() + now.getUTCMinutes() / 60);
  // POSIX sign convention: Etc/GMT-2 is two hours east of UTC.
  return east === 0 ? 'Etc/UTC' : `Etc/GMT${east > 0 ? '-' : '+'}${Math.abs(east)}`;
}

/** Today's date `YYYY-MM-DD` in `zone`. */
export function todayInZone(zone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(now);
}

/** `date` plus `days` (negative: minus), by the calendar. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
