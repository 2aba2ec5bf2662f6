import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of a maintenance database on the test server. */
    adminUri: string;
    /** A migrated database that every test file clones (`CREATE DATABASE … TEMPLATE`). */
    templateDb: string;
    /** Prefix of every database this test run creates. */
    dbPrefix: string;
  }
}

/** Swaps the database name of a connection string. */
export function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Real PostgreSQL for the whole suite: `TEST_DATABASE_URL` when set, else an
 * embedded server in a temporary folder. Migrates once into a template database;
 * test files clone it. Everything created is dropped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUri = process.env.TEST_DATABASE_URL;
  let embedded: EmbeddedServer | null = null;
  let root: string | null = null;
  if (!adminUri) {
    root = mkdtempSync(join(tmpdir(), 'canonical-tests-pg-'));
    embedded = await startEmbedded({ root, database: 'postgres', persistent: false });
    adminUri = embedded.adminUri;
  }
  const prefix = `ct_${process.pid}_${Date.now().toString(36)}`;
  const templateDb = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: adminUri });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${templateDb}`);
  await migrate(withDatabase(adminUri, templateDb));
  await admin.end();
  project.provide('adminUri', adminUri);
  project.provide('templateDb', templateDb);
  project.provide('dbPrefix', prefix);
  return async () => {
    const client = new pg.Client({ connectionString: adminUri });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    await client.end();
    await embedded?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  };
}
