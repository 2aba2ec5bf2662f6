import { describe, expect, it } from 'vitest';
import { asOfFor } from '../../src/domain/asOf.js';
import { daysBetween, localDate, metricsInstant, showInstant, windowLengthDays, windowPhase } from '../../src/domain/window.js';

const ZONE = 'Europe/Oslo';
/** 2026-03-01 06:00 → 2026-03-31 06:00 in Oslo. */
const bounds = (patch: Partial<{ start_ts: string; end_ts: string; verdict: string; status: string }> = {}) => ({
  start_ts: '2026-03-01T05:00:00.000Z',
  end_ts: '2026-03-31T04:00:00.000Z',
  verdict: 'PENDING',
  status: 'ACTIVE',
  ...patch,
});
const at = (date: string, runTime = '06:00') => asOfFor(date, ZONE, runTime);

describe('windowPhase', () => {
  it('is before until the start instant, and open at it', () => {
    expect(windowPhase(bounds(), at('2026-02-28'))).toEqual({ kind: 'before' });
    expect(windowPhase(bounds(), at('2026-03-01', '05:59'))).toEqual({ kind: 'before' });
    expect(windowPhase(bounds(), at('2026-03-01', '06:00'))).toEqual({ kind: 'open' });
  });

  it('is open at the end instant and closing after it while the verdict is PENDING', () => {
    expect(windowPhase(bounds(), at('2026-03-31', '06:00'))).toEqual({ kind: 'open' });
    expect(windowPhase(bounds(), at('2026-03-31', '06:01'))).toEqual({ kind: 'closing', daysAfterClose: 0 });
    expect(windowPhase(bounds(), at('2026-04-01'))).toEqual({ kind: 'closing', daysAfterClose: 1 });
    expect(windowPhase(bounds(), at('2026-04-04'))).toEqual({ kind: 'closing', daysAfterClose: 4 });
  });

  it('stays open after the end once a verdict is set, unless the test is RESOLVED', () => {
    expect(windowPhase(bounds({ verdict: 'SUCCESS' }), at('2026-04-02'))).toEqual({ kind: 'open' });
    expect(windowPhase(bounds({ verdict: 'SUCCESS', status: 'RESOLVED' }), at('2026-04-02'))).toEqual({
      kind: 'closing',
      daysAfterClose: 2,
    });
    expect(windowPhase(bounds({ verdict: 'FAILURE', status: 'RESOLVED' }), at('2026-03-20'))).toEqual({ kind: 'open' });
  });

  it('counts the days after the close from the date of end_ts in the zone', () => {
    // 2026-03-31 22:30 UTC is 2026-04-01 00:30 in Oslo: the close date is 2026-04-01.
    const late = bounds({ end_ts: '2026-03-31T22:30:00.000Z' });
    expect(windowPhase(late, at('2026-04-02'))).toEqual({ kind: 'closing', daysAfterClose: 1 });
  });
});

describe('metricsInstant', () => {
  it('is null before the window, the as-of instant while open and end_ts (normalised) at the close', () => {
    expect(metricsInstant(bounds(), at('2026-02-28'))).toBeNull();
    expect(metricsInstant(bounds(), at('2026-03-10'))).toBe('2026-03-10T05:00:00.000Z');
    expect(metricsInstant(bounds({ end_ts: '2026-03-31T04:00:00Z' }), at('2026-04-01'))).toBe('2026-03-31T04:00:00.000Z');
    expect(metricsInstant(bounds({ end_ts: '2026-03-31T06:00:00+02:00' }), at('2026-04-01'))).toBe('2026-03-31T04:00:00.000Z');
  });
});

describe('windowLengthDays', () => {
  it('is required_days when set', () => {
    expect(windowLengthDays({ ...bounds(), required_days: 7 }, ZONE)).toBe(7);
  });

  it('otherwise counts the dates from start to end inclusive, in the zone', () => {
    expect(windowLengthDays({ ...bounds(), required_days: null }, ZONE)).toBe(31);
    // 2026-03-01 23:30 UTC is already 2026-03-02 in Oslo.
    expect(windowLengthDays({ ...bounds({ start_ts: '2026-03-01T23:30:00.000Z' }), required_days: null }, ZONE)).toBe(30);
    expect(windowLengthDays({ ...bounds({ start_ts: '2026-03-01T23:30:00.000Z' }), required_days: null }, 'UTC')).toBe(31);
  });
});

describe('daysBetween, localDate and showInstant', () => {
  it('counts whole calendar days, negative backwards, across a DST change', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-03-05', '2026-03-01')).toBe(-4);
    expect(daysBetween('2026-03-05', '2026-03-05')).toBe(0);
  });

  it('gives the date and the time of an instant in the zone', () => {
    expect(localDate('2026-03-31T22:30:00.000Z', ZONE)).toBe('2026-04-01');
    expect(localDate('2026-03-31T22:30:00.000Z', 'UTC')).toBe('2026-03-31');
    expect(showInstant('2026-03-31T04:00:00.000Z', ZONE)).toBe('2026-03-31 06:00 Europe/Oslo');
    expect(showInstant('2026-01-05T23:07:00.000Z', ZONE)).toBe('2026-01-06 00:07 Europe/Oslo');
  });
});
