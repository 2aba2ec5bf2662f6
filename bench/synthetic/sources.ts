/**
 * The synthetic signal sources: 10 tables `bench_src.src_0 … src_9`, each with
 * a `ts timestamptz` column (indexed) and 5 numeric value columns `v1 … v5`,
 * filled set-based with `generate_series`, and the 50 registry rows
 * `sig_00 … sig_49` that point at them (even numbers LATEST, odd AVG_7D).
 */
import pg from 'pg';

/** Schema of the synthetic source tables. */
export const SOURCE_SCHEMA = 'bench_src';
/** Number of source tables. */
export const TABLES = 10;
/** Numeric value columns per table. */
export const COLUMNS = 5;
/** Registry signals: one per table and value column. */
export const SIGNALS = TABLES * COLUMNS;

/** The registry key of signal number `n` (0 … 49). */
export function signalKey(n: number): string {
  return `sig_${String(n).padStart(2, '0')}`;
}

/** Rows of table `table` when `rows` are spread over the tables (the remainder goes to the first ones). */
export function rowsOfTable(rows: number, table: number): number {
  return Math.floor(rows / TABLES) + (table < rows % TABLES ? 1 : 0);
}

/**
 * Creates the source tables and fills them: `rows` in total, each table's rows
 * evenly spaced over the `spanDays` days up to now, values uniform in [0, 100).
 * The index on `ts` is built after the load. Returns after each table commits.
 *
 * @param progress called after each table with its number and row count.
 */
export async function createSources(
  client: pg.Client,
  rows: number,
  spanDays: number,
  progress: (table: number, rows: number) => void,
): Promise<void> {
  await client.query(`CREATE SCHEMA ${SOURCE_SCHEMA}`);
  for (let t = 0; t < TABLES; t++) {
    const table = `${SOURCE_SCHEMA}.src_${t}`;
    const values = Array.from({ length: COLUMNS }, (_, c) => `v${c + 1} double precision`).join(', ');
    await client.query(`CREATE TABLE ${table} (ts timestamptz NOT NULL, ${values})`);
    const n = rowsOfTable(rows, t);
    const stepSeconds = (spanDays * 86_400) / Math.max(1, n);
    const randoms = Array.from({ length: COLUMNS }, () => 'random() * 100').join(', ');
    await client.query(
      `INSERT INTO ${table} (ts, ${Array.from({ length: COLUMNS }, (_, c) => `v${c + 1}`).join(', ')})
       SELECT now() - make_interval(secs => (g - 1) * $2::float8), ${randoms}
       FROM generate_series(1, $1::bigint) AS g`,
      [n, stepSeconds],
    );
    await client.query(`CREATE INDEX src_${t}_ts_idx ON ${table} (ts)`);
    progress(t, n);
  }
}

/** Inserts the 50 registry rows (even signal numbers LATEST, odd AVG_7D). */
export async function createRegistry(client: pg.Client): Promise<void> {
  await client.query(
    `INSERT INTO fhq_calendar.test_signal_registry
       (signal_key, source_schema, source_table, source_column, time_column, aggregation, description)
     SELECT 'sig_' || lpad(n::text, 2, '0'), $1, 'src_' || (n / $2), 'v' || (n % $2 + 1), 'ts',
            CASE WHEN n % 2 = 0 THEN 'LATEST' ELSE 'AVG_7D' END, 'synthetic benchmark signal'
     FROM generate_series(0, $3 - 1) AS n`,
    [SOURCE_SCHEMA, COLUMNS, SIGNALS],
  );
}
