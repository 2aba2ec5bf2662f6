import { describe, expect, it } from 'vitest';
import { asOfFor, datesBetween, parseDate } from '../../src/domain/asOf.js';
import { usageErrorOf } from '../helpers/errors.js';

describe('parseDate', () => {
  it.each(['2026-03-29', '2024-02-29', '2026-12-31'])('accepts %s', (date) => {
    expect(parseDate(date)).toBe(date);
  });

  it.each(['2026-02-30', '2025-02-29', '2026-1-5', 'yesterday', '2026-03-29T00:00', ' 2026-03-29', ''])(
    'refuses %j with --date, exit 2',
    (date) => {
      const error = usageErrorOf(() => parseDate(date));
      expect(error.setting).toBe('--date');
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(`--date: ${JSON.stringify(date)} is not a date in the form YYYY-MM-DD`);
    },
  );

  it('names another setting when asked', () => {
    const error = usageErrorOf(() => parseDate('2026-13-01', '--from'));
    expect(error.setting).toBe('--from');
    expect(error.message).toBe('--from: "2026-13-01" is not a date in the form YYYY-MM-DD');
  });
});

describe('asOfFor', () => {
  it('is 06:00 CEST (04:00Z) on the first summer-time day in Oslo', () => {
    expect(asOfFor('2026-03-29', 'Europe/Oslo', '06:00')).toEqual({
      date: '2026-03-29',
      compactDate: '20260329',
      instant: '2026-03-29T04:00:00.000Z',
      zone: 'Europe/Oslo',
    });
  });

  it('is 06:00 CET (05:00Z) on the day before', () => {
    expect(asOfFor('2026-03-28', 'Europe/Oslo', '06:00').instant).toBe('2026-03-28T05:00:00.000Z');
  });

  it('moves a run time inside the DST gap forward by the hour (02:30 → 03:30 CEST = 01:30Z)', () => {
    expect(asOfFor('2026-03-29', 'Europe/Oslo', '02:30')).toEqual({
      date: '2026-03-29',
      compactDate: '20260329',
      instant: '2026-03-29T01:30:00.000Z',
      zone: 'Europe/Oslo',
    });
  });

  it('takes the first (summer-time) 02:30 on the autumn fall-back day', () => {
    expect(asOfFor('2026-10-25', 'Europe/Oslo', '02:30').instant).toBe('2026-10-25T00:30:00.000Z');
  });

  it('uses the minutes and another zone', () => {
    expect(asOfFor('2026-01-15', 'America/New_York', '23:45').instant).toBe('2026-01-16T04:45:00.000Z');
    expect(asOfFor('2026-01-15', 'UTC', '00:00').instant).toBe('2026-01-15T00:00:00.000Z');
  });
});

describe('datesBetween', () => {
  it('runs across a month end, inclusive', () => {
    expect(datesBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  });

  it('runs across a year end and a leap day', () => {
    expect(datesBetween('2023-12-31', '2024-01-01')).toEqual(['2023-12-31', '2024-01-01']);
    expect(datesBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('is one date for a single day and none for a reversed range', () => {
    expect(datesBetween('2026-03-29', '2026-03-29')).toEqual(['2026-03-29']);
    expect(datesBetween('2026-03-30', '2026-03-29')).toEqual([]);
  });
});
