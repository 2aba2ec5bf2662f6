import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Host, port, database and user of a connection, as `pg` will fill them in from the URL, the `PG*` variables and its defaults. */
export interface Endpoint {
  host: string;
  port: string;
  database: string;
  user: string;
}

/** The endpoint of `url` with the `PG*` variables and `pg`'s defaults filled in, as `pg` will connect. */
export function endpointOf(url: URL, env: NodeJS.ProcessEnv): Endpoint {
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
