import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { packageRoot } from '../src/paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of a maintenance database on the test server. */
    adminUri: string;
    /** A migrated database that every test file clones (`CREATE DATABASE … TEMPLATE`). */
    templateDb: string;
    /** Prefix of every database this test run creates. */
    dbPrefix: string;
    /** Login role (member of canonical_evaluator, sql/roles/) the evaluator runs as in the tests, and its password. */
    evaluatorRole: { user: string; password: string };
  }
}

/** The login role the integration tests run the evaluator as: a member of `canonical_evaluator` and nothing more. */
export const EVALUATOR_LOGIN = { user: 'canonical_evaluator_ci', password: 'ci-only-evaluator-password' };

/** Runs the administrator's role script `sql/roles/{file}` on `uri` (multi-statement, so a plain client). */
export async function runRoleScript(uri: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    await client.query(readFileSync(join(packageRoot(), 'sql', 'roles', file), 'utf8'));
  } finally {
    await client.end();
  }
}

/** Creates (or resets the password of) the tests' login role; tolerates a concurrent test run doing the same. */
async function ensureEvaluatorLogin(admin: pg.Client): Promise<void> {
  const { user, password } = EVALUATOR_LOGIN;
  await admin.query(`DO $$ BEGIN
      CREATE ROLE ${user} LOGIN IN ROLE canonical_evaluator;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  await admin.query(`ALTER ROLE ${user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD '${password}'`);
  await admin.query(`GRANT canonical_evaluator TO ${user}`);
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
  // The role and its grants on fhq_calendar; clones of the template inherit the grants.
  await runRoleScript(withDatabase(adminUri, templateDb), '01_canonical_evaluator.sql');
  await ensureEvaluatorLogin(admin);
  await admin.end();
  project.provide('adminUri', adminUri);
  project.provide('templateDb', templateDb);
  project.provide('dbPrefix', prefix);
  project.provide('evaluatorRole', EVALUATOR_LOGIN);
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
