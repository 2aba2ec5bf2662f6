import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { DatabasePool } from 'slonik';
import { asUnreachable, errorCode, isRetryable, PASSWORD_REQUIRED, PasswordRequired } from './connectionErrors.js';
import { resolveTarget, type ConnectionTarget } from './connectionTarget.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
import { openPool, splitTls, type PoolOptions } from './pool.js';

/** An open database: the pool, the connection string, and a description safe to print. */
export interface Database {
  pool: DatabasePool;
  /**
   * Connection string of every connection (the pool, the migrator): may hold a
   * password, never print it; print `description`. Its TLS parameters carry
   * libpq's meaning for `pg` as for the pool (`uselibpqcompat=true`).
   */
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

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** Where retry notices go. */
  notice?: (m: string) => void;
  /** False when no password is configured: a server that asks for one is then reported as such (exit 4). Default true. */
  hasPassword?: boolean;
}

/**
 * Connects once with a plain client, retrying refused connections for up to
 * `waitSeconds` (a scheduled run after boot may start before PostgreSQL).
 * The client is configured as the pool will be (same connection string, same TLS options).
 *
 * @throws DatabaseUnreachableError when the deadline passes or the failure is not transient.
 */
export async function probe(uri: string, description: string, waitSeconds: number, options: ProbeOptions = {}): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  const { uri: bare, ssl } = splitTls(uri);
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: bare, ssl, connectionTimeoutMillis: 5000 });
    if (options.hasPassword === false) {
      // Called by pg only when the server asks for a password (any method: password, md5, SCRAM).
      (client as unknown as { password: () => never }).password = () => {
        throw new PasswordRequired(PASSWORD_REQUIRED);
      };
    }
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      const code = errorCode(error);
      if (!isRetryable(code) || Date.now() >= deadline) throw asUnreachable(error, description);
      options.notice?.(`database not reachable yet (${code}); retrying (attempt ${attempt})`);
      await sleep(Math.min(2000, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Opens the configured database (README "Pointing it at a real database"):
 * the embedded PostgreSQL in `embeddedRoot` when `embedded` is chosen, else
 * `DATABASE_URL`, else the `PG*` variables ({@link resolveTarget}). With none
 * of them it refuses: no command ever guesses a database.
 *
 * @throws UsageError (exit 2) naming DATABASE_URL when no database is configured or its URL is malformed.
 * @throws DatabaseUnreachableError (exit 4) when it cannot be reached.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const env = options.env ?? process.env;
  let target: ConnectionTarget;
  let embedded: EmbeddedServer | null = null;
  if (options.embedded) {
    options.notice?.(`Using the embedded PostgreSQL in ${options.embeddedRoot}`);
    embedded = await startEmbedded({ root: options.embeddedRoot, database: 'canonical_tests', notice: options.notice });
    target = { uri: embedded.uri, description: `embedded PostgreSQL (${options.embeddedRoot})`, hasPassword: true };
    try {
      await options.prepareEmbedded?.(embedded);
    } catch (error) {
      await embedded.stop();
      throw error;
    }
  } else {
    target = resolveTarget(env, options.notice);
  }
  try {
    await probe(target.uri, target.description, options.waitForDbSeconds ?? 0, {
      notice: options.notice,
      hasPassword: target.hasPassword,
    });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const pool = await openPool(target.uri, options.pool);
  return {
    pool,
    uri: target.uri,
    description: target.description,
    embedded,
    close: async () => {
      await pool.end();
      await embedded?.stop();
    },
  };
}
