import { z } from 'zod';
import type { Scalar } from './definition.js';
import { AGGREGATIONS, type SignalSource } from './registry.js';

/** A signal resolved as of an instant, with what the evidence needs to trace it. */
export interface MetricValue {
  key: string;
  /** The value, or null while pending (no usable row at or before the as-of instant) or when the source failed. */
  value: Scalar | null;
  /** ERROR: the source query failed (error, timeout): the tests using the key are in SYSTEM_ERROR for the date. */
  status: 'AVAILABLE' | 'PENDING' | 'ERROR';
  /** Why it is pending; null otherwise. */
  pendingReason: string | null;
  /** The database's message when the source query failed; null otherwise. */
  error?: string | null;
  source: { schema: string; table: string; column: string; timeColumn: string | null };
  aggregation: SignalSource['aggregation'];
  /** Number of source rows the value was computed from. */
  rowsUsed: number;
  /** Window `(from, to]` of a _7D/_30D aggregation, UTC ISO; null for LATEST. */
  window: { from: string; to: string } | null;
  /** Time of the newest row used (UTC ISO); null when pending or without a time column. */
  latestRowAt: string | null;
  /** False for a source without a time column: its current value, which a backfill cannot date. */
  asOfExact: boolean;
}

/** The row a signal query returns: the value, how many source rows it used, the newest row's time. */
export const signalResultSchema = z.object({
  value: z.union([z.number(), z.boolean()]).nullable(),
  rows_used: z.number().int(),
  latest_at: z.string().nullable(),
});

/**
 * A signal query's row as a {@link MetricValue}: PENDING (with the reason) when
 * no usable row exists, or when a source without a time column has more than
 * one row; the aggregation window and `as_of_exact` for the evidence.
 *
 * @param asOf the as-of instant, UTC ISO. @param row null when the query returned no row.
 */
export function toMetric(source: SignalSource, asOf: string, row: z.infer<typeof signalResultSchema> | null): MetricValue {
  const days = AGGREGATIONS[source.aggregation];
  const rowsUsed = row?.rows_used ?? 0;
  let pendingReason: string | null = null;
  if (source.timeColumn === null && rowsUsed > 1)
    pendingReason = 'source has more than one row and no time_column: the current value is ambiguous';
  else if (!row || row.value === null || (rowsUsed === 0 && source.aggregation !== 'COUNT_7D')) {
    pendingReason = days === null ? 'no row at or before the as-of instant' : `no row in the ${days} days up to the as-of instant`;
  }
  const available = pendingReason === null;
  return {
    ...baseMetric(source, asOf),
    value: available ? row!.value : null,
    status: available ? 'AVAILABLE' : 'PENDING',
    pendingReason,
    rowsUsed: available ? rowsUsed : 0,
    latestRowAt: available ? row!.latest_at : null,
  };
}

function baseMetric(source: SignalSource, asOf: string) {
  const days = AGGREGATIONS[source.aggregation];
  return {
    key: source.key,
    source: { schema: source.schema, table: source.table, column: source.column, timeColumn: source.timeColumn },
    aggregation: source.aggregation,
    window: days === null ? null : { from: new Date(Date.parse(asOf) - days * 86_400_000).toISOString(), to: asOf },
    asOfExact: source.timeColumn !== null,
  };
}

/**
 * A signal whose source query failed (an error or a timeout) as of `asOf`:
 * status ERROR with the database's `message`.
 */
export function failedMetric(source: SignalSource, asOf: string, message: string): MetricValue {
  return { ...baseMetric(source, asOf), value: null, status: 'ERROR', pendingReason: null, error: message, rowsUsed: 0, latestRowAt: null };
}
