import {
  sql,
  createPool,
  createTypeParserPreset,
  SchemaValidationError,
  type DatabasePool,
  type Interceptor,
  type QueryResultRow,
} from 'slonik';

/**
 * Makes `sql.type(schema)` actually validate: slonik 47 hands the zod schema to
 * interceptors but parses nothing by itself. A row that does not
 * match throws `SchemaValidationError` naming the offending columns.
 */
const resultParser: Interceptor = {
  name: 'zod-result-parser',
  transformRow: (context, query, row) => {
    const parser = context.resultParser;
    if (!parser) return row;
    const parsed = parser.safeParse(row);
    if (!parsed.success) throw new SchemaValidationError(query, row, parsed.error.issues);
    return parsed.data as QueryResultRow;
  },
};

/**
 * slonik's preset parses timestamptz to epoch milliseconds; instants here travel
 * as UTC ISO strings (`2020-03-02T05:00:00.000Z`) so evidence and plans read plainly.
 */
const typeParsers = [
  ...createTypeParserPreset().filter((parser) => parser.name !== 'timestamptz'),
  // 'infinity' and instants beyond JavaScript's range stay as PostgreSQL wrote them,
  // for the gate to refuse by name instead of crashing the run.
  { name: 'timestamptz', parse: (value: string) => (Number.isNaN(Date.parse(value)) ? value : new Date(value).toISOString()) },
];

/**
 * Sets `lock_timeout` on every connection the pool hands out, so no statement
 * of the evaluator waits forever on a lock held by someone else.
 */
function lockTimeout(ms: number): Interceptor {
  return {
    name: 'lock-timeout',
    afterPoolConnection: async (_context, connection) => {
      await connection.query(sql.unsafe`SELECT set_config('lock_timeout', ${`${ms}ms`}, false)`);
      return null;
    },
  };
}

/** Options for {@link openPool}. Timeouts are in milliseconds. */
export interface PoolOptions {
  /** `statement_timeout` of every statement (ms); default 60 000. */
  statementTimeoutMs?: number;
  /** `lock_timeout` of every statement (ms); default 10 000. */
  lockTimeoutMs?: number;
  /** Connection attempt timeout (ms); default 5 000. */
  connectionTimeoutMs?: number;
  /** Largest number of pooled connections; default 4. */
  maximumPoolSize?: number;
}

/**
 * Opens a slonik pool on `connectionUri` (`postgres://` alone takes the `PG*`
 * variables) with zod row validation installed and both timeouts set on every
 * connection. Does not connect until first use.
 *
 * @returns the pool; the caller must `end()` it.
 */
export async function openPool(connectionUri: string, options: PoolOptions = {}): Promise<DatabasePool> {
  return createPool(connectionUri, {
    interceptors: [resultParser, lockTimeout(options.lockTimeoutMs ?? 10_000)],
    typeParsers,
    statementTimeout: options.statementTimeoutMs ?? 60_000,
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    idleInTransactionSessionTimeout: 60_000,
    maximumPoolSize: options.maximumPoolSize ?? 4,
    connectionRetryLimit: 0,
    captureStackTrace: false,
  });
}

export type { DatabasePool };
