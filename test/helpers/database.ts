import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabasePool } from 'slonik';
import { inject } from 'vitest';
import { openPool } from '../../src/db/pool.js';
import { withDatabase } from '../globalSetup.js';

/** A database of its own for one test file (or one test), cloned from the migrated template. */
export interface TestDatabase {
  name: string;
  uri: string;
  pool: DatabasePool;
  /** A plain client for assertions and fixture SQL that slonik would refuse (multi-statement). */
  exec(text: string, values?: unknown[]): Promise<pg.QueryResult>;
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
  const uri = withDatabase(inject('adminUri'), name);
  const pool = await openPool(uri);
  return {
    name,
    uri,
    pool,
    exec: async (text, values) => {
      const client = new pg.Client({ connectionString: uri });
      await client.connect();
      try {
        return await client.query(text, values);
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
