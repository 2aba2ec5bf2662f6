import { sql, SlonikError, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { SignalResolutionError } from '../errors.js';
import type { Scalar } from '../domain/definition.js';
import { AGGREGATIONS, type SignalSource } from './registry.js';

/** A signal resolved as of an instant (SPEC §2.2), with what the evidence needs to trace it. */
export interface MetricValue {
  key: string;
  /** The value, or null while pending (no usable row at or before the as-of instant). */
  value: Scalar | null;
  status: 'AVAILABLE' | 'PENDING';
  /** Why it is pending; null when available. */
  pendingReason: string | null;
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

const resultSchema = z.object({
  value: z.union([z.number(), z.boolean()]).nullable(),
  rows_used: z.number().int(),
  latest_at: z.string().nullable(),
});

function windowAggregate(source: SignalSource, column: ReturnType<typeof sql.identifier>) {
  switch (source.aggregation) {
    case 'AVG_7D':
    case 'AVG_30D':
      return sql.fragment`avg(${column})::float8`;
    case 'SUM_7D':
      return sql.fragment`sum(${column})::float8`;
    case 'MIN_7D':
      return sql.fragment`min(${column})::float8`;
    case 'MAX_7D':
      return sql.fragment`max(${column})::float8`;
    default:
      return sql.fragment`count(${column})::float8`;
  }
}

/**
 * Builds the one query that resolves `source` as of `asOf` (UTC ISO). All
 * identifiers come from a registry row already checked against the catalog
 * and are quoted by `sql.identifier`; the instant is a bound value.
 */
function signalQuery(source: SignalSource, asOf: string) {
  const relation = sql.identifier([source.schema, source.table]);
  const column = sql.identifier([source.column]);
  const cast = source.valueType === 'boolean' && source.aggregation === 'LATEST' ? sql.fragment`::boolean` : sql.fragment`::float8`;
  const at = sql.fragment`${asOf}::timestamptz`;
  if (source.timeColumn === null) {
    // No time column: the current value; more than one row would be ambiguous.
    return sql.type(resultSchema)`
      SELECT (array_agg(${column}${cast}))[1] AS value, count(*)::int AS rows_used, NULL::timestamptz AS latest_at
      FROM (SELECT ${column} FROM ${relation} WHERE ${column} IS NOT NULL LIMIT 2) AS s`;
  }
  const time = sql.identifier([source.timeColumn]);
  const days = AGGREGATIONS[source.aggregation];
  if (days === null) {
    return sql.type(resultSchema)`
      SELECT ${column}${cast} AS value, 1 AS rows_used, ${time}::timestamptz AS latest_at
      FROM ${relation}
      WHERE ${time} <= ${at} AND ${column} IS NOT NULL
      ORDER BY ${time} DESC LIMIT 1`;
  }
  return sql.type(resultSchema)`
    SELECT ${windowAggregate(source, column)} AS value, count(${column})::int AS rows_used,
           max(${time})::timestamptz AS latest_at
    FROM ${relation}
    WHERE ${time} > ${at} - make_interval(hours => ${days * 24}) AND ${time} <= ${at}`;
}

/**
 * Resolves each distinct signal once as of `asOf` (one query per signal, not
 * per test and metric). A signal with no usable row is PENDING, not an error.
 *
 * @param sources the checked sources by signal key.
 * @param asOf the as-of instant, UTC ISO.
 * @throws SignalResolutionError naming the key and table when a source query fails (timeout, privilege…).
 */
export async function resolveSignals(
  db: CommonQueryMethods,
  sources: readonly SignalSource[],
  asOf: string,
): Promise<Map<string, MetricValue>> {
  const values = new Map<string, MetricValue>();
  for (const source of sources) {
    let row: z.infer<typeof resultSchema> | null;
    try {
      row = await db.maybeOne(signalQuery(source, asOf));
    } catch (error) {
      const reason = error instanceof SlonikError && error.cause instanceof Error ? error.cause.message : (error as Error).message;
      throw new SignalResolutionError(source.key, `${source.schema}.${source.table}`, reason, { cause: error });
    }
    values.set(source.key, toMetric(source, asOf, row));
  }
  return values;
}

function toMetric(source: SignalSource, asOf: string, row: z.infer<typeof resultSchema> | null): MetricValue {
  const days = AGGREGATIONS[source.aggregation];
  const rowsUsed = row?.rows_used ?? 0;
  let pendingReason: string | null = null;
  if (source.timeColumn === null && rowsUsed > 1) pendingReason = 'source has more than one row and no time_column: the current value is ambiguous';
  else if (!row || row.value === null || (rowsUsed === 0 && source.aggregation !== 'COUNT_7D')) {
    pendingReason = days === null ? 'no row at or before the as-of instant' : `no row in the ${days} days up to the as-of instant`;
  }
  const available = pendingReason === null;
  return {
    key: source.key,
    value: available ? row!.value : null,
    status: available ? 'AVAILABLE' : 'PENDING',
    pendingReason,
    source: { schema: source.schema, table: source.table, column: source.column, timeColumn: source.timeColumn },
    aggregation: source.aggregation,
    rowsUsed: available ? rowsUsed : 0,
    window: days === null ? null : { from: new Date(Date.parse(asOf) - days * 86_400_000).toISOString(), to: asOf },
    latestRowAt: available ? row!.latest_at : null,
    asOfExact: source.timeColumn !== null,
  };
}
