import { UsageError } from '../errors.js';
import { endpointOf, passwordFromFile } from './passwordFile.js';
import { tlsOptions } from './pool.js';

/** The form of `DATABASE_URL`, as every message that refuses one states it. */
export const DATABASE_URL_FORM = 'postgres://user[:password]@host[:port]/database';

const PG_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSERVICE'];

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
  const { url, description, source } = configuredUrl(env);
  if (url.searchParams.has('ssl')) {
    throw new UsageError('DATABASE_URL', 'the parameter ssl= is not supported: use sslmode=require, verify-ca or verify-full (or disable)');
  }
  writeTls(url.searchParams, tlsSettings(url.searchParams, env));
  if (url.password || env.PGPASSWORD) return { uri: url.toString(), description, hasPassword: true };
  const withPassword = withPasswordFromFile(url, source, env, notice);
  return { uri: (withPassword ?? url).toString(), description, hasPassword: withPassword !== null };
}

/** Where the connection is configured: `DATABASE_URL`, else the `PG*` variables (an empty URL that `pg` completes from them). */
function configuredUrl(env: NodeJS.ProcessEnv): { url: URL; description: string; source: 'DATABASE_URL' | 'PG' } {
  if (env.DATABASE_URL) {
    return { url: parseDatabaseUrl(env.DATABASE_URL), description: redactUri(env.DATABASE_URL), source: 'DATABASE_URL' };
  }
  if (PG_VARIABLES.some((name) => env[name])) {
    return {
      url: new URL('postgres://'),
      description: `the PG* variables (host ${env.PGHOST ?? 'default'}, database ${env.PGDATABASE ?? 'default'})`,
      source: 'PG',
    };
  }
  throw new UsageError(
    'DATABASE_URL',
    `no database is configured: set DATABASE_URL (${DATABASE_URL_FORM}) or the PG* variables, in the environment or in a .env file in the working directory, or pass --embedded to use a local embedded PostgreSQL`,
  );
}

type TlsName = 'sslmode' | 'sslrootcert' | 'sslcert' | 'sslkey';
/** Each TLS setting's value and where it came from (a URL parameter or a libpq variable), for messages. */
type TlsSettings = Record<TlsName, { value?: string; from: string }>;

const TLS_VARIABLES: Record<TlsName, string> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
};

/**
 * Each TLS setting from the URL, else its libpq variable, checked as the pool
 * will read it.
 *
 * @throws UsageError naming the variable or URL parameter of a setting that cannot be honoured.
 */
function tlsSettings(params: URLSearchParams, env: NodeJS.ProcessEnv): TlsSettings {
  const tls = {} as TlsSettings;
  for (const name of Object.keys(TLS_VARIABLES) as TlsName[]) {
    const fromUrl = params.get(name);
    tls[name] = fromUrl
      ? { value: fromUrl, from: `DATABASE_URL (${name})` }
      : { value: env[TLS_VARIABLES[name]] || undefined, from: TLS_VARIABLES[name] };
  }
  try {
    tlsOptions({
      sslmode: tls.sslmode.value,
      sslrootcert: tls.sslrootcert.value,
      sslcert: tls.sslcert.value,
      sslkey: tls.sslkey.value,
    });
  } catch (error) {
    if (error instanceof UsageError && error.setting in tls) {
      throw new UsageError(tls[error.setting as TlsName].from, error.message.slice(error.setting.length + 2), { cause: error });
    }
    throw error;
  }
  return tls;
}

/** Writes the TLS settings into the URL's parameters, with `uselibpqcompat=true` when TLS is configured. */
function writeTls(params: URLSearchParams, tls: TlsSettings): void {
  params.delete('uselibpqcompat');
  for (const [name, { value }] of Object.entries(tls)) {
    if (value) params.set(name, value);
    else params.delete(name);
  }
  if (tls.sslmode.value) params.set('uselibpqcompat', 'true');
}

/**
 * The URL with the password from the password file written in, or null when
 * the file has none for this endpoint. A `DATABASE_URL` with a host keeps its
 * form; otherwise the URL is rebuilt from the endpoint `pg` would use.
 */
function withPasswordFromFile(url: URL, source: 'DATABASE_URL' | 'PG', env: NodeJS.ProcessEnv, notice?: (m: string) => void): URL | null {
  const endpoint = endpointOf(url, env);
  const password = passwordFromFile(endpoint, env, notice);
  if (password === undefined) return null;
  if (source === 'DATABASE_URL' && url.host) {
    url.password = encodeURIComponent(password);
    return url;
  }
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : encodeURIComponent(endpoint.host);
  const rebuilt = new URL(
    `postgres://${encodeURIComponent(endpoint.user)}:${encodeURIComponent(password)}@${host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}`,
  );
  for (const [name, value] of url.searchParams)
    if (!['host', 'port', 'user', 'database'].includes(name)) rebuilt.searchParams.set(name, value);
  return rebuilt;
}
