import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  sql,
  createPool,
  createTypeParserPreset,
  SchemaValidationError,
  type DatabasePool,
  type Interceptor,
  type QueryResultRow,
} from 'slonik';
import { NotMigratedError, UsageError } from '../errors.js';

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

/**
 * Turns the one way a query can meet a database that was never migrated (a
 * missing `fhq_calendar` relation, SQLSTATE 42P01, or the missing schema,
 * 3F000) into {@link NotMigratedError}, here at the database boundary, so every
 * command, log line and ledger row says the same thing. Every other error,
 * e.g. a missing source table a signal names, passes through unchanged.
 */
const notMigrated: Interceptor = {
  name: 'not-migrated',
  queryExecutionError: (_context, _query, error) => {
    if (isNotMigrated(error)) {
      throw new NotMigratedError(`the database is not migrated: run \`canonical-tests migrate\` (${error.message})`, { cause: error });
    }
    return null;
  },
};

/**
 * True for the error of a query that needs an evaluator object the database
 * does not have: an undefined table (42P01) or schema (3F000) in `fhq_calendar`.
 */
export function isNotMigrated(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (code === '42P01' || code === '3F000') && /"fhq_calendar[".]/.test(error.message);
}

/** The `sslmode` values the evaluator accepts, with libpq's meaning (docs/configuration.md "TLS"). */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The TLS settings of a connection, by their libpq names; file settings are paths. */
export interface TlsSettings {
  sslmode?: string;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
}

/** The connection-string parameters that carry TLS settings (and pg's libpq switch), kept out of the pool's own parser. */
const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'] as const;

function readPem(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(name, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The Node TLS options of `sslmode`, as libpq means it: `disable` (or no mode)
 * no TLS; `require` TLS without checking the certificate (with a root
 * certificate, the chain is checked as for `verify-ca`); `verify-ca` the chain
 * must lead to `sslrootcert`; `verify-full` also the host name (against
 * `sslrootcert`, else the system's trusted authorities). `sslcert` and
 * `sslkey` add a client certificate.
 *
 * @throws UsageError naming the setting for an unknown mode, `verify-ca` without
 *   a root certificate, a client certificate without its key, or a file that cannot be read.
 */
export function tlsOptions(settings: TlsSettings): false | ConnectionOptions {
  const mode = settings.sslmode;
  if (mode === undefined || mode === 'disable') return false;
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new UsageError('sslmode', `${JSON.stringify(mode)} is not supported: use ${SSL_MODES.join(', ')}`);
  }
  if (Boolean(settings.sslcert) !== Boolean(settings.sslkey)) {
    throw new UsageError(settings.sslcert ? 'sslkey' : 'sslcert', 'a client certificate needs both sslcert and sslkey');
  }
  const options: ConnectionOptions = {};
  if (settings.sslrootcert) options.ca = readPem(settings.sslrootcert, 'sslrootcert');
  if (settings.sslcert && settings.sslkey) {
    options.cert = readPem(settings.sslcert, 'sslcert');
    options.key = readPem(settings.sslkey, 'sslkey');
  }
  if (mode === 'verify-ca' && !options.ca) {
    throw new UsageError('sslmode', 'verify-ca needs the root certificate of your certificate authority: set sslrootcert or PGSSLROOTCERT');
  }
  if (mode === 'require' && !options.ca) options.rejectUnauthorized = false;
  // verify-ca (and require with a root certificate): the chain is checked, the host name is not.
  else if (mode !== 'verify-full') options.checkServerIdentity = () => undefined;
  return options;
}

/**
 * Splits the TLS parameters off a connection string: the string without them
 * (what the pool's own parser accepts), and their TLS options ({@link tlsOptions}).
 */
export function splitTls(connectionUri: string): { uri: string; ssl: false | ConnectionOptions } {
  let url: URL;
  try {
    url = new URL(connectionUri);
  } catch {
    return { uri: connectionUri, ssl: false };
  }
  const params = url.searchParams;
  const ssl = tlsOptions({
    sslmode: params.get('sslmode') ?? undefined,
    sslrootcert: params.get('sslrootcert') ?? undefined,
    sslcert: params.get('sslcert') ?? undefined,
    sslkey: params.get('sslkey') ?? undefined,
  });
  for (const name of TLS_PARAMETERS) params.delete(name);
  return { uri: url.toString(), ssl };
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
 * variables) with zod row validation installed, both timeouts set on every
 * connection, and a never-migrated database reported as such
 * ({@link NotMigratedError}). Its TLS parameters (`sslmode`, `sslrootcert`,
 * `sslcert`, `sslkey`) mean what they mean to libpq ({@link tlsOptions}).
 * Does not connect until first use.
 *
 * @returns the pool; the caller must `end()` it.
 * @throws UsageError for TLS parameters that cannot be honoured.
 */
export async function openPool(connectionUri: string, options: PoolOptions = {}): Promise<DatabasePool> {
  const { uri, ssl } = splitTls(connectionUri);
  return createPool(uri, {
    ...(ssl ? { ssl } : {}),
    interceptors: [resultParser, notMigrated, lockTimeout(options.lockTimeoutMs ?? 10_000)],
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
