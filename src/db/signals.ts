import { sql, SlonikError, type CommonQueryMethods, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { failedMetric, toMetric, type MetricValue } from '../domain/metric.js';
import { AGGREGATIONS, type SignalSource } from '../domain/registry.js';

const resultSchema = z.object({
  at: z.string(),
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
 * The one query that resolves `source` for every instant of `instants` (UTC
 * ISO), one row per instant. All identifiers come from a registry row already
 * checked against the catalog and are quoted by `sql.identifier`; the
 * instants are a bound array.
 */
function signalQuery(source: SignalSource, instants: readonly string[]) {
  const relation = sql.identifier([source.schema, source.table]);
  const column = sql.identifier([source.column]);
  const cast = source.valueType === 'boolean' && source.aggregation === 'LATEST' ? sql.fragment`::boolean` : sql.fragment`::float8`;
  const at = sql.fragment`unnest(${sql.array([...instants], 'timestamptz')}::timestamptz[]) AS i(at)`;
  if (source.timeColumn === null) {
    // No time column: the current value, the same for every instant; more than one row would be ambiguous.
    return sql.type(resultSchema)`
      SELECT i.at, s.value, s.rows_used, NULL::timestamptz AS latest_at
      FROM ${at}
      CROSS JOIN (SELECT (array_agg(${column}${cast}))[1] AS value, count(*)::int AS rows_used
                  FROM (SELECT ${column} FROM ${relation} WHERE ${column} IS NOT NULL LIMIT 2) AS v) AS s`;
  }
  const time = sql.identifier([source.timeColumn]);
  const days = AGGREGATIONS[source.aggregation];
  if (days === null) {
    return sql.type(resultSchema)`
      SELECT i.at, s.value, coalesce(s.rows_used, 0) AS rows_used, s.latest_at
      FROM ${at}
      LEFT JOIN LATERAL (
        SELECT ${column}${cast} AS value, 1 AS rows_used, ${time}::timestamptz AS latest_at
        FROM ${relation}
        WHERE ${time} <= i.at AND ${column} IS NOT NULL
        ORDER BY ${time} DESC LIMIT 1) AS s ON true`;
  }
  return sql.type(resultSchema)`
    SELECT i.at, s.value, s.rows_used, s.latest_at
    FROM ${at}
    CROSS JOIN LATERAL (
      SELECT ${windowAggregate(source, column)} AS value, count(${column})::int AS rows_used, max(${time})::timestamptz AS latest_at
      FROM ${relation}
      WHERE ${time} > i.at - make_interval(hours => ${days * 24}) AND ${time} <= i.at) AS s`;
}

/** The database's own message of a failed query (slonik wraps it). */
function databaseMessage(error: unknown): string {
  if (error instanceof SlonikError && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** One signal's query for `instants`, in a savepoint of `tx`: UTC ISO instant → its row (an instant with no row is absent). */
async function querySignal(tx: DatabaseTransactionConnection, source: SignalSource, instants: readonly string[]) {
  const rows = await tx.transaction((sp: CommonQueryMethods) => sp.any(signalQuery(source, instants)));
  return new Map(rows.map((row) => [new Date(row.at).toISOString(), row]));
}

/** What to resolve: per signal key, the checked source and the instants (UTC ISO) wanted. */
export type SignalNeeds = readonly { source: SignalSource; instants: readonly string[] }[];

/** Signal values already resolved: signal key → UTC ISO instant → value. */
export type SignalCache = Map<string, Map<string, MetricValue>>;

/**
 * Resolves each distinct signal for every instant it is needed at: one query
 * per signal (not per test, metric or instant). A signal with no usable row is
 * PENDING, not an error. Each query runs in a savepoint of `tx`, so a source
 * that fails or times out marks only that signal ERROR (with the database's
 * message) and the others are still resolved.
 *
 * @param needs per signal key, the checked source and the instants (UTC ISO) wanted.
 * @returns instant → signal key → value.
 */
export async function resolveSignals(
  tx: DatabaseTransactionConnection,
  needs: SignalNeeds,
): Promise<Map<string, Map<string, MetricValue>>> {
  const values = new Map<string, Map<string, MetricValue>>();
  const put = (instant: string, metric: MetricValue) => {
    const byKey = values.get(instant) ?? new Map<string, MetricValue>();
    byKey.set(metric.key, metric);
    values.set(instant, byKey);
  };
  for (const { source, instants } of needs) {
    if (instants.length === 0) continue;
    try {
      const byInstant = await querySignal(tx, source, instants);
      for (const instant of instants) put(instant, toMetric(source, instant, byInstant.get(instant) ?? null));
    } catch (error) {
      for (const instant of instants) put(instant, failedMetric(source, instant, databaseMessage(error)));
    }
  }
  return values;
}

/**
 * Resolves each signal for all the instants of a range at once (one query per
 * signal, as {@link resolveSignals}), for a backfill to look values up date by
 * date. A signal whose query fails is left out entirely, not marked ERROR:
 * each date then queries it again for itself and records its own failure.
 *
 * @param needs per signal key, the checked source and the instants (UTC ISO) wanted.
 * @returns signal key → instant → value, for the signals that resolved.
 */
export async function prefetchSignals(tx: DatabaseTransactionConnection, needs: SignalNeeds): Promise<SignalCache> {
  const cache: SignalCache = new Map();
  for (const { source, instants } of needs) {
    if (instants.length === 0) continue;
    try {
      const byInstant = await querySignal(tx, source, instants);
      cache.set(source.key, new Map(instants.map((i) => [i, toMetric(source, i, byInstant.get(i) ?? null)])));
    } catch {
      // left out: the dates that need it query it themselves
    }
  }
  return cache;
}
