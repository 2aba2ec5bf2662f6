/**
 * The signal registry as the references read it, and the SQL that resolves
 * one signal as of an instant: the same semantics as the evaluator (LATEST =
 * newest row at or before the instant; `_7D`/`_30D` = the rows in
 * `(T - days, T]`). Identifiers are quoted with `escapeIdentifier`.
 */
import pg from 'pg';

/** A registry row. */
export interface Signal {
  key: string;
  schema: string;
  table: string;
  column: string;
  timeColumn: string;
  aggregation: string;
}

/** A resolved signal value. */
export interface SignalValue {
  value: number | null;
  rowsUsed: number;
  latestAt: string | null;
}

const WINDOW_DAYS: Record<string, number> = { AVG_7D: 7, AVG_30D: 30, SUM_7D: 7, MIN_7D: 7, MAX_7D: 7, COUNT_7D: 7 };
const AGGREGATE: Record<string, string> = { AVG_7D: 'avg', AVG_30D: 'avg', SUM_7D: 'sum', MIN_7D: 'min', MAX_7D: 'max', COUNT_7D: 'count' };

/** Loads every registry row, by key. */
export async function loadSignals(client: pg.Client): Promise<Map<string, Signal>> {
  const { rows } = await client.query<Signal>(`
    SELECT signal_key AS key, source_schema AS schema, source_table AS table, source_column AS column,
           time_column AS "timeColumn", aggregation
    FROM fhq_calendar.test_signal_registry`);
  return new Map(rows.map((r) => [r.key, r]));
}

/**
 * A SELECT returning `value float8, rows_used int, latest_at timestamptz`
 * (zero or one row) for `signal` as of the instant in parameter `$<param>`.
 */
export function signalSelect(signal: Signal, param = 1): string {
  const relation = `${pg.escapeIdentifier(signal.schema)}.${pg.escapeIdentifier(signal.table)}`;
  const column = pg.escapeIdentifier(signal.column);
  const time = pg.escapeIdentifier(signal.timeColumn);
  const at = `$${param}::timestamptz`;
  const days = WINDOW_DAYS[signal.aggregation];
  if (days === undefined) {
    return `SELECT ${column}::float8 AS value, 1 AS rows_used, ${time} AS latest_at FROM ${relation}
            WHERE ${time} <= ${at} AND ${column} IS NOT NULL ORDER BY ${time} DESC LIMIT 1`;
  }
  return `SELECT ${AGGREGATE[signal.aggregation]}(${column})::float8 AS value, count(${column})::int AS rows_used, max(${time}) AS latest_at
          FROM ${relation} WHERE ${time} > ${at} - interval '${days} days' AND ${time} <= ${at}`;
}

/** The row {@link signalSelect} returns. */
export interface SignalRow {
  value: number | null;
  rows_used: number;
  latest_at: Date | null;
}

/** Turns the row of {@link signalSelect} into a value (null value when no row was used). */
export function toSignalValue(row: SignalRow | undefined): SignalValue {
  if (!row || row.rows_used === 0 || row.value === null) return { value: null, rowsUsed: 0, latestAt: null };
  return { value: row.value, rowsUsed: row.rows_used, latestAt: row.latest_at ? row.latest_at.toISOString() : null };
}
