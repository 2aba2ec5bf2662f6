import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, ConnectionError, type DatabasePool } from 'slonik';
import { DatabaseUnreachableError, UsageError } from '../errors.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
import { openPool, type PoolOptions } from './pool.js';

/** An open database: the pool, the connection string, and a description safe to print. */
export interface Database {
  pool: DatabasePool;
  /** Connection string (may hold a password: never print it; print `description`). */
  uri: string;
  /** Where it points, without any password. */
  description: string;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  env?: NodeJS.ProcessEnv;
  /** Seconds to keep retrying a refused connection before exit 4. */
  waitForDbSeconds?: number;
  /** Use the embedded PostgreSQL in `embeddedRoot` (`--embedded`, the demo), whatever the environment says. */
  embedded?: boolean;
  /** Folder of the embedded server. */
  embeddedRoot: string;
  /** Called once the embedded server is up (e.g. to migrate it). */
  prepareEmbedded?: (server: EmbeddedServer) => Promise<void>;
  /** Where notices go (stderr in the CLI). */
  notice?: (message: string) => void;
  /** Timeouts of the pool (statement and lock). */
  pool?: PoolOptions;
}

const PG_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSERVICE'];
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  '57P01',
  '57P02',
  '57P03',
  '28P01',
  '28000',
  '3D000',
]);
const RETRYABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', '57P03']);

/** A connection string with its password replaced by `***` (never printed otherwise). */
export function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(connection string that is not a URL)';
  }
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Maps a lost or refused connection, from `pg` or slonik, to
 * {@link DatabaseUnreachableError} (exit 4); anything else is returned as is.
 * The message names the target by `description` only, so no password leaks.
 */
export function asUnreachable(error: unknown, description: string): unknown {
  const code = errorCode(error);
  const lost =
    error instanceof BackendTerminatedError || error instanceof BackendTerminatedUnexpectedlyError || error instanceof ConnectionError;
  if (!lost && !(code && UNREACHABLE.has(code))) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DatabaseUnreachableError(`database unreachable at ${description}: ${reason}${code ? ` (${code})` : ''}`, { cause: error });
}

/**
 * Connects once with a plain client, retrying refused connections for up to
 * `waitSeconds` (a scheduled run after boot may start before PostgreSQL).
 *
 * @throws DatabaseUnreachableError when the deadline passes or the failure is not transient.
 */
export async function probe(uri: string, description: string, waitSeconds: number, notice?: (m: string) => void): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      const code = errorCode(error);
      if (!(code && RETRYABLE.has(code)) || Date.now() >= deadline) throw asUnreachable(error, description);
      notice?.(`database not reachable yet (${code}); retrying (attempt ${attempt})`);
      await sleep(Math.min(2000, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Opens the configured database (README "Pointing it at a real database"):
 * the embedded PostgreSQL in `embeddedRoot` when `embedded` is chosen, else
 * `DATABASE_URL`, else the `PG*` variables. With none of them it refuses:
 * no command ever guesses a database.
 *
 * @throws UsageError (exit 2) naming DATABASE_URL when no database is configured.
 * @throws DatabaseUnreachableError (exit 4) when it cannot be reached.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const env = options.env ?? process.env;
  let uri: string;
  let description: string;
  let embedded: EmbeddedServer | null = null;
  if (options.embedded) {
    options.notice?.(`Using the embedded PostgreSQL in ${options.embeddedRoot}`);
    embedded = await startEmbedded({ root: options.embeddedRoot, database: 'canonical_tests' });
    uri = embedded.uri;
    description = `embedded PostgreSQL (${options.embeddedRoot})`;
    try {
      await options.prepareEmbedded?.(embedded);
    } catch (error) {
      await embedded.stop();
      throw error;
    }
  } else if (env.DATABASE_URL) {
    uri = env.DATABASE_URL;
    description = redactUri(uri);
  } else if (PG_VARIABLES.some((name) => env[name])) {
    uri = 'postgres://';
    description = `the PG* variables (host ${env.PGHOST ?? 'default'}, database ${env.PGDATABASE ?? 'default'})`;
  } else {
    throw new UsageError(
      'DATABASE_URL',
      'no database is configured: set DATABASE_URL (e.g. postgres://user@host:5432/db) or the PG* variables, in the environment or in a .env file in the working directory, or pass --embedded to use a local embedded PostgreSQL',
    );
  }
  try {
    await probe(uri, description, options.waitForDbSeconds ?? 0, options.notice);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const pool = await openPool(uri, options.pool);
  return {
    pool,
    uri,
    description,
    embedded,
    close: async () => {
      await pool.end();
      await embedded?.stop();
    },
  };
}
