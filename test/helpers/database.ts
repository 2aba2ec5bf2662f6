import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabasePool } from 'slonik';
import { inject } from 'vitest';
import { openPool } from '../../src/db/pool.js';
import { withDatabase } from '../globalSetup.js';

/**
 * A database of its own for one test file (or one test), cloned from the
 * migrated template. The evaluator side (`uri`, `pool`) logs in as the
 * least-privilege role of sql/roles/; fixtures and assertions (`exec`,
 * `adminUri`) as the administrator.
 */
export interface TestDatabase {
  name: string;
  /** Connection string of the evaluator's login role (member of canonical_evaluator). */
  uri: string;
  /** Connection string of the approver's login role (member of canonical_approver): `canonical-tests ack` connects as it. */
  approverUri: string;
  /** Connection string of the administrator (owner of everything). */
  adminUri: string;
  /** A pool logged in as the evaluator's role. */
  pool: DatabasePool;
  /**
   * A plain administrator client for fixtures and assertions, and SQL that
   * slonik would refuse (multi-statement). Rows are `Record<string, unknown>`
   * unless the caller names their shape: `db.exec<{ n: number }>(…)`.
   */
  exec<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminUri') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh migrated database (`CREATE DATABASE … TEMPLATE`). */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = `${inject('dbPrefix')}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDb')}`));
  const adminUri = withDatabase(inject('adminUri'), name);
  const loginAs = ({ user, password }: { user: string; password: string }) => {
    const login = new URL(adminUri);
    login.username = user;
    login.password = password;
    return login.toString();
  };
  const uri = loginAs(inject('evaluatorRole'));
  const pool = await openPool(uri);
  return {
    name,
    uri,
    approverUri: loginAs(inject('approverRole')),
    adminUri,
    pool,
    exec: async <R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]) => {
      const client = new pg.Client({ connectionString: adminUri });
      await client.connect();
      try {
        return await client.query<R>(text, values);
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      await pool.end();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
