import { describe, expect, it } from 'vitest';
import { failedMetric, toMetric } from '../../src/domain/metric.js';
import type { Aggregation, SignalSource } from '../../src/domain/registry.js';

const AS_OF = '2026-03-29T04:00:00.000Z';

const source = (aggregation: Aggregation, timeColumn: string | null = 'measured_at'): SignalSource => ({
  key: 'brier_score',
  schema: 'fhq',
  table: 'metrics',
  column: 'brier',
  timeColumn,
  aggregation,
  valueType: 'number',
});

const sourceOf = (timeColumn: string | null) => ({ schema: 'fhq', table: 'metrics', column: 'brier', timeColumn });

describe('toMetric', () => {
  it('turns a LATEST row into an AVAILABLE metric with its rows, newest row time and no window', () => {
    expect(toMetric(source('LATEST'), AS_OF, { value: 0.241, rows_used: 1, latest_at: '2026-03-29T03:00:00.000Z' })).toEqual({
      key: 'brier_score',
      value: 0.241,
      status: 'AVAILABLE',
      pendingReason: null,
      source: sourceOf('measured_at'),
      aggregation: 'LATEST',
      rowsUsed: 1,
      window: null,
      latestRowAt: '2026-03-29T03:00:00.000Z',
      asOfExact: true,
    });
  });

  it('is PENDING with no row at all, naming the as-of instant', () => {
    expect(toMetric(source('LATEST'), AS_OF, null)).toEqual({
      key: 'brier_score',
      value: null,
      status: 'PENDING',
      pendingReason: 'no row at or before the as-of instant',
      source: sourceOf('measured_at'),
      aggregation: 'LATEST',
      rowsUsed: 0,
      window: null,
      latestRowAt: null,
      asOfExact: true,
    });
  });

  it('is PENDING on a null value, with rows used and newest row time cleared', () => {
    const metric = toMetric(source('LATEST'), AS_OF, { value: null, rows_used: 3, latest_at: '2026-03-28T03:00:00.000Z' });
    expect(metric.status).toBe('PENDING');
    expect(metric.value).toBeNull();
    expect(metric.rowsUsed).toBe(0);
    expect(metric.latestRowAt).toBeNull();
    expect(metric.pendingReason).toBe('no row at or before the as-of instant');
  });

  it('gives a 7-day aggregation its window (from, to] and a pending reason naming 7 days', () => {
    expect(toMetric(source('AVG_7D'), AS_OF, { value: null, rows_used: 0, latest_at: null })).toEqual({
      key: 'brier_score',
      value: null,
      status: 'PENDING',
      pendingReason: 'no row in the 7 days up to the as-of instant',
      source: sourceOf('measured_at'),
      aggregation: 'AVG_7D',
      rowsUsed: 0,
      window: { from: '2026-03-22T04:00:00.000Z', to: AS_OF },
      latestRowAt: null,
      asOfExact: true,
    });
  });

  it('gives a 30-day aggregation a 30-day window', () => {
    const metric = toMetric(source('AVG_30D'), AS_OF, { value: 0.2, rows_used: 12, latest_at: '2026-03-29T01:00:00.000Z' });
    expect(metric.window).toEqual({ from: '2026-02-27T04:00:00.000Z', to: AS_OF });
    expect(metric.status).toBe('AVAILABLE');
    expect(metric.rowsUsed).toBe(12);
    expect(metric.value).toBe(0.2);
    expect(metric.latestRowAt).toBe('2026-03-29T01:00:00.000Z');
  });

  it('is PENDING when a non-count aggregation used no row, even with a value', () => {
    const metric = toMetric(source('SUM_7D'), AS_OF, { value: 0, rows_used: 0, latest_at: null });
    expect(metric.status).toBe('PENDING');
    expect(metric.value).toBeNull();
    expect(metric.pendingReason).toBe('no row in the 7 days up to the as-of instant');
  });

  it('counts zero rows as an AVAILABLE 0 for COUNT_7D', () => {
    const metric = toMetric(source('COUNT_7D'), AS_OF, { value: 0, rows_used: 0, latest_at: null });
    expect(metric.status).toBe('AVAILABLE');
    expect(metric.value).toBe(0);
    expect(metric.pendingReason).toBeNull();
    expect(metric.rowsUsed).toBe(0);
  });

  it('is PENDING (ambiguous) for a source without a time column that has more than one row', () => {
    expect(toMetric(source('LATEST', null), AS_OF, { value: 0.3, rows_used: 2, latest_at: null })).toEqual({
      key: 'brier_score',
      value: null,
      status: 'PENDING',
      pendingReason: 'source has more than one row and no time_column: the current value is ambiguous',
      source: sourceOf(null),
      aggregation: 'LATEST',
      rowsUsed: 0,
      window: null,
      latestRowAt: null,
      asOfExact: false,
    });
  });

  it('takes the single row of a source without a time column as its current value, not exact as of the instant', () => {
    expect(toMetric(source('LATEST', null), AS_OF, { value: 0.3, rows_used: 1, latest_at: null })).toEqual({
      key: 'brier_score',
      value: 0.3,
      status: 'AVAILABLE',
      pendingReason: null,
      source: sourceOf(null),
      aggregation: 'LATEST',
      rowsUsed: 1,
      window: null,
      latestRowAt: null,
      asOfExact: false,
    });
  });

  it('is PENDING for a source without a time column and no row', () => {
    const metric = toMetric(source('LATEST', null), AS_OF, null);
    expect(metric.pendingReason).toBe('no row at or before the as-of instant');
    expect(metric.status).toBe('PENDING');
  });
});

describe('failedMetric', () => {
  it('is an ERROR metric with the database message, no value and the aggregation window', () => {
    expect(failedMetric(source('MAX_7D'), AS_OF, 'canceling statement due to statement timeout')).toEqual({
      key: 'brier_score',
      value: null,
      status: 'ERROR',
      pendingReason: null,
      error: 'canceling statement due to statement timeout',
      source: sourceOf('measured_at'),
      aggregation: 'MAX_7D',
      rowsUsed: 0,
      window: { from: '2026-03-22T04:00:00.000Z', to: AS_OF },
      latestRowAt: null,
      asOfExact: true,
    });
  });
});
