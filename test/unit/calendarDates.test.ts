import { Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { datesBetween, parseDate } from '../../src/domain/asOf.js';
import { usageErrorOf } from '../helpers/errors.js';

describe('parseDate accepts YYYY-MM-DD only', () => {
  it.each(['+002026-03-29', '12026-03-29', '2026-03-29\n'])('refuses %j, which ends like a date', (date) => {
    expect(usageErrorOf(() => parseDate(date)).message).toBe(`--date: ${JSON.stringify(date)} is not a date in the form YYYY-MM-DD`);
  });
});

describe('datesBetween does not depend on the zone of the machine', () => {
  const machineZone = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = machineZone;
  });

  // Samoa skipped Friday 2011-12-30 when it moved across the date line.
  it('lists 2011-12-30 on a machine set to Pacific/Apia, where that day never happened', () => {
    Settings.defaultZone = 'Pacific/Apia';
    expect(datesBetween('2011-12-29', '2011-12-31')).toEqual(['2011-12-29', '2011-12-30', '2011-12-31']);
  });
});
