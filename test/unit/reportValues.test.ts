import { describe, expect, it } from 'vitest';
import { count, formatTarget, formatValue, localTime, plainDecimal, sparkline } from '../../src/report/values.js';

describe('report values', () => {
  it('writes numbers as plain decimals, never in exponent form', () => {
    expect(plainDecimal(1.235e-7)).toBe('0.0000001235');
    expect(plainDecimal(-4.5e-9)).toBe('-0.0000000045');
    expect(plainDecimal(1e21)).toBe('1000000000000000000000');
    expect(plainDecimal(1.5e22)).toBe('15000000000000000000000');
    expect(plainDecimal(0.25)).toBe('0.25');
  });

  it('rounds to 4 significant digits unless that hides the side of the target', () => {
    expect(formatValue(0.19737777777777776)).toBe('0.1974');
    expect(formatValue(0.0000444444)).toBe('0.00004444');
    expect(formatValue(123456.789)).toBe('123500');
    expect(formatValue(-0.00001)).toBe('-0.00001');
    expect(formatValue(-0.000000000000000001)).toBe('-0.000000000000000001');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(0.0500001, { op: '<=', value: 0.05 })).toBe('0.0500001');
    expect(formatValue(0.04999999, { op: '<', value: 0.05 })).toBe('0.04999999');
    expect(formatValue(0.049999, { op: '<', value: 0.06 })).toBe('0.05');
    expect(formatTarget('<=', 0.0000001)).toBe('<= 0.0000001');
    expect(formatTarget('==', true)).toBe('== true');
  });

  it('draws sparklines from the lowest to the highest value, flat as ▄, unknown as ·, long ones cut to the last 60', () => {
    expect(sparkline([...Array<number>(22).fill(0.1), 0.9])).toBe(`${'▁'.repeat(22)}█`);
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([3, 3, null, 3])).toBe('▄▄·▄');
    expect(sparkline([true, false, null])).toBe('█▁·');
    expect(sparkline([null, null])).toBeNull();
    expect(sparkline([])).toBeNull();
    const long = [...sparkline([100, ...Array<number>(59).fill(0), 1])!];
    expect(long).toHaveLength(61);
    expect(long.join('')).toBe(`…${'▁'.repeat(59)}█`); // the 100 of the first day is no longer shown, nor scaled against
  });

  it('shows instants in the zone and counts with separators', () => {
    expect(localTime('2026-03-29T01:30:00.000Z', 'Europe/Oslo')).toBe('2026-03-29 03:30');
    expect(localTime('2026-03-28T23:00:00.000Z', 'Europe/Oslo')).toBe('2026-03-29 00:00');
    expect(localTime('2026-03-28T23:00:00.000Z', 'UTC')).toBe('2026-03-28 23:00');
    expect(localTime(null, 'UTC')).toBeNull();
    expect(localTime('not a time', 'UTC')).toBeNull();
    expect(localTime('2026-03-28T23:00:00.000Z', 'Not/A_Zone')).toBeNull();
    expect(count(0)).toBe('0');
    expect(count(999)).toBe('999');
    expect(count(2500)).toBe('2,500');
    expect(count(1234567)).toBe('1,234,567');
  });
});
