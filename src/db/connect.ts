import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, ConnectionError, type DatabasePool } from 'slonik';
import { DatabaseUnreachableError, EvaluatorError, UsageError } from '../errors.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
import { openPool, splitTls, tlsOptions, type PoolOptions } from './pool.js';

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

/** The form of `DATABASE_URL`, as every message that refuses one states it. */
export const DATABASE_URL_FORM = 'postgres://user[:password]@host[:port]/database';

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
/** Node's codes for a server certificate that TLS verification refused. */
const CERTIFICATE_REFUSED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The reason of {@link DatabaseUnreachableError} when the server wants a password and none was given. */
export const PASSWORD_REQUIRED = 'the server asks for a password; set it in DATABASE_URL or PGPASSWORD';

/** Thrown by the probe's password callback: the server asked for a password, and none is configured. */
class PasswordRequired extends Error {}

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

function errorMessages(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return messages.join(' | ');
}

/**
 * Maps a lost or refused connection, from `pg` or slonik, to
 * {@link DatabaseUnreachableError} (exit 4); anything else is returned as is.
 * A server that asks for a password none was given for, one that refuses TLS
 * when `sslmode` asks for it, and a server certificate that verification
 * refuses get a sentence that says what to set. The message names the target
 * by `description` only, so no password leaks.
 */
export function asUnreachable(error: unknown, description: string): unknown {
  if (error instanceof EvaluatorError) return error;
  const code = errorCode(error);
  const messages = errorMessages(error);
  const unreachable = (reason: string) =>
    new DatabaseUnreachableError(`database unreachable at ${description}: ${reason}`, { cause: error });
  if (error instanceof PasswordRequired || messages.includes('client password must be a string')) return unreachable(PASSWORD_REQUIRED);
  if (messages.includes('The server does not support SSL connections')) {
    return unreachable(
      'the server does not accept TLS, but sslmode (in DATABASE_URL or PGSSLMODE) asks for it: enable TLS on the server, or use sslmode=disable on a network you trust',
    );
  }
  if (code && CERTIFICATE_REFUSED.has(code)) {
    const reason = error instanceof Error ? error.message : String(error);
    return unreachable(
      `the server's TLS certificate was refused (${reason}; ${code}): give the root certificate of its authority in sslrootcert or PGSSLROOTCERT`,
    );
  }
  const lost =
    error instanceof BackendTerminatedError || error instanceof BackendTerminatedUnexpectedlyError || error instanceof ConnectionError;
  if (!lost && !(code && UNREACHABLE.has(code))) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return unreachable(`${reason}${code ? ` (${code})` : ''}`);
}

/**
 * Parses `DATABASE_URL`: a `postgres://` or `postgresql://` URL, nothing else
 * (a bare `host:port/db` would otherwise be read as a host named `base`).
 * The value itself is never echoed: it may hold a password.
 *
 * @throws UsageError naming `DATABASE_URL` and the expected form (exit 2).
 */
export function parseDatabaseUrl(raw: string): URL {
  const expected = `expected ${DATABASE_URL_FORM} (postgresql:// also works)`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1];
  if (scheme === undefined) throw new UsageError('DATABASE_URL', `is not a connection URL: ${expected}`);
  if (!['postgres', 'postgresql'].includes(scheme.toLowerCase())) {
    throw new UsageError('DATABASE_URL', `the scheme ${scheme}:// is not PostgreSQL: ${expected}`);
  }
  try {
    return new URL(raw);
  } catch {
    throw new UsageError(
      'DATABASE_URL',
      `is not a valid URL (a port must be a number; characters such as @ : / # in the password must be percent-encoded): ${expected}`,
    );
  }
}

/** Host, port, database and user of a connection, as `pg` will fill them in from the URL, the `PG*` variables and its defaults. */
interface Endpoint {
  host: string;
  port: string;
  database: string;
  user: string;
}

function endpointOf(url: URL, env: NodeJS.ProcessEnv): Endpoint {
  const pick = (...values: (string | null | undefined)[]) => values.find((v) => v !== undefined && v !== null && v !== '');
  const user = pick(decodeURIComponent(url.username), url.searchParams.get('user'), env.PGUSER, pg.defaults.user) ?? '';
  return {
    host: pick(url.searchParams.get('host'), decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1'), env.PGHOST) ?? 'localhost',
    port: pick(url.port, url.searchParams.get('port'), env.PGPORT) ?? '5432',
    database: pick(decodeURIComponent(url.pathname.slice(1)), url.searchParams.get('database'), env.PGDATABASE) ?? user,
    user,
  };
}

/** The fields of a password-file line: `\` escapes `:` and `\`; the password is the rest of the line. */
function passFileFields(line: string): string[] | null {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) current += line[++i];
    else if (ch === ':' && fields.length < 4) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields.length === 5 ? fields : null;
}

/**
 * The password for `endpoint` from the password file, as libpq reads it:
 * `PGPASSFILE`, else `~/.pgpass` (`%APPDATA%\postgresql\pgpass.conf` on
 * Windows); lines `host:port:database:user:password`, `*` matching anything,
 * `#` comments, the first match wins; `localhost` also matches a Unix socket.
 * On Unix a file that others may read is ignored, with a warning, as libpq does.
 *
 * Reading it here and handing the password to every connection is what keeps
 * `pg` from reading the file itself, which prints a `DeprecationWarning`
 * ("pgpass support is deprecated") on every command.
 *
 * @returns the password, or undefined when the file is absent or has no match.
 */
export function passwordFromFile(endpoint: Endpoint, env: NodeJS.ProcessEnv, notice?: (m: string) => void): string | undefined {
  const windows = process.platform === 'win32';
  const file = env.PGPASSFILE || (windows ? join(env.APPDATA ?? '', 'postgresql', 'pgpass.conf') : join(env.HOME || homedir(), '.pgpass'));
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      notice?.(`warning: password file "${file}" is not a plain file; it is ignored`);
      return undefined;
    }
    if (!windows && (stat.mode & 0o077) !== 0) {
      notice?.(`warning: password file "${file}" has group or world access; permissions should be u=rw (0600) or less; it is ignored`);
      return undefined;
    }
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const socket = endpoint.host.startsWith('/');
  for (const raw of text.split(/\r?\n/)) {
    if (raw.startsWith('#') || raw.trim() === '') continue;
    const fields = passFileFields(raw);
    if (!fields) continue;
    const [host, port, database, user, password] = fields as [string, string, string, string, string];
    const matches =
      (host === '*' || host === endpoint.host || (socket && host === 'localhost')) &&
      (port === '*' || Number(port) === Number(endpoint.port)) &&
      (database === '*' || database === endpoint.database) &&
      (user === '*' || user === endpoint.user);
    if (matches) return password;
  }
  return undefined;
}

/** Where a command connects, resolved once: the connection string every client uses and what to print. */
export interface ConnectionTarget {
  /** Connection string with the password (if any), TLS parameters and `uselibpqcompat=true` when TLS is configured. */
  uri: string;
  /** Where it points, without any password. */
  description: string;
  /** True when a password is given (URL, `PGPASSWORD` or the password file). */
  hasPassword: boolean;
}

/**
 * Resolves the configured connection (docs/configuration.md "The database
 * connection"): `DATABASE_URL`, else the `PG*` variables. `sslmode`,
 * `sslrootcert`, `sslcert` and `sslkey` come from the URL, else `PGSSLMODE`,
 * `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`, and are written into the connection
 * string, so the pool, the probe and the migrator all read the same TLS
 * settings with libpq's meaning. A password missing from both the URL and
 * `PGPASSWORD` is looked up in the password file and written in too.
 *
 * @throws UsageError (exit 2) naming `DATABASE_URL` for no connection or a
 *   malformed one, or the variable or parameter of a TLS setting that cannot be honoured.
 */
export function resolveTarget(env: NodeJS.ProcessEnv, notice?: (m: string) => void): ConnectionTarget {
  let url: URL;
  let description: string;
  let source: 'DATABASE_URL' | 'PG';
  if (env.DATABASE_URL) {
    url = parseDatabaseUrl(env.DATABASE_URL);
    description = redactUri(env.DATABASE_URL);
    source = 'DATABASE_URL';
  } else if (PG_VARIABLES.some((name) => env[name])) {
    url = new URL('postgres://');
    description = `the PG* variables (host ${env.PGHOST ?? 'default'}, database ${env.PGDATABASE ?? 'default'})`;
    source = 'PG';
  } else {
    throw new UsageError(
      'DATABASE_URL',
      `no database is configured: set DATABASE_URL (${DATABASE_URL_FORM}) or the PG* variables, in the environment or in a .env file in the working directory, or pass --embedded to use a local embedded PostgreSQL`,
    );
  }
  const params = url.searchParams;
  if (params.has('ssl')) {
    throw new UsageError('DATABASE_URL', 'the parameter ssl= is not supported: use sslmode=require, verify-ca or verify-full (or disable)');
  }
  // Each TLS setting from the URL, else its libpq variable; named by where it came from.
  const tls: Record<'sslmode' | 'sslrootcert' | 'sslcert' | 'sslkey', { value?: string; from: string }> = {
    sslmode: { value: undefined, from: 'PGSSLMODE' },
    sslrootcert: { value: undefined, from: 'PGSSLROOTCERT' },
    sslcert: { value: undefined, from: 'PGSSLCERT' },
    sslkey: { value: undefined, from: 'PGSSLKEY' },
  };
  for (const name of Object.keys(tls) as (keyof typeof tls)[]) {
    const fromUrl = params.get(name);
    tls[name] = fromUrl
      ? { value: fromUrl, from: `DATABASE_URL (${name})` }
      : { value: env[tls[name].from] || undefined, from: tls[name].from };
  }
  try {
    tlsOptions({
      sslmode: tls.sslmode.value,
      sslrootcert: tls.sslrootcert.value,
      sslcert: tls.sslcert.value,
      sslkey: tls.sslkey.value,
    });
  } catch (error) {
    // Name the variable or URL parameter the bad setting came from.
    if (error instanceof UsageError && error.setting in tls) {
      throw new UsageError(tls[error.setting as keyof typeof tls].from, error.message.slice(error.setting.length + 2), { cause: error });
    }
    throw error;
  }
  params.delete('uselibpqcompat');
  for (const [name, { value }] of Object.entries(tls)) {
    if (value) params.set(name, value);
    else params.delete(name);
  }
  if (tls.sslmode.value) params.set('uselibpqcompat', 'true');

  let hasPassword = Boolean(url.password) || Boolean(env.PGPASSWORD);
  if (!hasPassword) {
    const endpoint = endpointOf(url, env);
    const password = passwordFromFile(endpoint, env, notice);
    if (password !== undefined) {
      hasPassword = true;
      if (source === 'DATABASE_URL' && url.host) url.password = encodeURIComponent(password);
      else {
        const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : encodeURIComponent(endpoint.host);
        const rebuilt = new URL(
          `postgres://${encodeURIComponent(endpoint.user)}:${encodeURIComponent(password)}@${host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}`,
        );
        for (const [name, value] of params) if (!['host', 'port', 'user', 'database'].includes(name)) rebuilt.searchParams.set(name, value);
        url = rebuilt;
      }
    }
  }
  return { uri: url.toString(), description, hasPassword };
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
      if (!(code && RETRYABLE.has(code)) || Date.now() >= deadline) throw asUnreachable(error, description);
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
