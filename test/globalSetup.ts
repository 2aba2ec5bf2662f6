import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../src/db/migrate.js';
import { packageRoot } from '../src/paths.js';
import { databaseSource, type DatabaseSource } from './helpers/databaseSource.js';
import { startEmbeddedProcess } from './helpers/embeddedProcess.js';

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
    /** Login role (member of canonical_approver, sql/roles/03_canonical_approver.sql) that acknowledges in the tests, and its password. */
    approverRole: { user: string; password: string };
  }
}

/** The login role the integration tests run the evaluator as: a member of `canonical_evaluator` and nothing more. */
export const EVALUATOR_LOGIN = { user: 'canonical_evaluator_ci', password: 'ci-only-evaluator-password' };

/** The login role the tests acknowledge as: a member of `canonical_approver` and nothing more. */
export const APPROVER_LOGIN = { user: 'canonical_approver_ci', password: 'ci-only-approver-password' };

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

/**
 * Creates (or resets the password of) a login role of the tests, a member of
 * `group` only; tolerates a concurrent test run doing the same.
 */
async function ensureLogin(admin: pg.Client, { user, password }: { user: string; password: string }, group: string): Promise<void> {
  await admin.query(`DO $$ BEGIN
      CREATE ROLE ${user} LOGIN IN ROLE ${group};
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  await admin.query(`ALTER ROLE ${user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD '${password}'`);
  await admin.query(`GRANT ${group} TO ${user}`);
}

/** Swaps the database name of a connection string. */
export function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A PostgreSQL server the suite may create databases and roles on, and how to let it go. */
interface TestServer {
  adminUri: string;
  stop(): Promise<void>;
}

/**
 * Starts (or, for `url`, only names) the server of `source`. The container
 * path loads testcontainers only when chosen, and says plainly that it needs
 * Docker when no container runtime answers.
 */
async function startServer(source: DatabaseSource): Promise<TestServer> {
  switch (source.kind) {
    case 'url':
      return { adminUri: source.url, stop: () => Promise.resolve() };
    case 'embedded':
      return startEmbeddedProcess();
    case 'container': {
      const { getContainerRuntimeClient } = await import('testcontainers');
      try {
        await getContainerRuntimeClient();
      } catch (error) {
        throw new Error(
          `CANONICAL_TEST_DB=container needs Docker (or another container runtime testcontainers can reach), and none answered: ` +
            `${error instanceof Error ? error.message : String(error)}. Unset CANONICAL_TEST_DB for the embedded server, or set TEST_DATABASE_URL.`,
          { cause: error },
        );
      }
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer(source.image).start();
      return { adminUri: container.getConnectionUri(), stop: async () => void (await container.stop()) };
    }
  }
}

/**
 * Runs every cleanup, newest first, even when one fails.
 *
 * @throws the only error, or an AggregateError of all of them, once every cleanup has run.
 */
async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'the test database teardown failed');
}

/**
 * Real PostgreSQL for the whole suite, from {@link databaseSource}:
 * `TEST_DATABASE_URL`, a testcontainers container (`CANONICAL_TEST_DB=container`)
 * or an embedded server in a child process. Migrates once into a template
 * database; test files clone it. Everything created is dropped at the end, also
 * when the setup itself fails half-way; a failing setup or teardown fails the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const server = await startServer(databaseSource(process.env));
    cleanups.push(() => server.stop());
    const adminUri = server.adminUri;
    const prefix = `ct_${process.pid}_${Date.now().toString(36)}`;
    cleanups.push(() => dropDatabases(adminUri, prefix));
    const templateDb = `${prefix}_template`;
    const admin = new pg.Client({ connectionString: adminUri });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${templateDb}`);
      await migrate(withDatabase(adminUri, templateDb));
      // The roles and their grants on fhq_calendar; clones of the template inherit the grants.
      await runRoleScript(withDatabase(adminUri, templateDb), '01_canonical_evaluator.sql');
      await runRoleScript(withDatabase(adminUri, templateDb), '03_canonical_approver.sql');
      await ensureLogin(admin, EVALUATOR_LOGIN, 'canonical_evaluator');
      await ensureLogin(admin, APPROVER_LOGIN, 'canonical_approver');
    } finally {
      await admin.end();
    }
    project.provide('adminUri', adminUri);
    project.provide('templateDb', templateDb);
    project.provide('dbPrefix', prefix);
    project.provide('evaluatorRole', EVALUATOR_LOGIN);
    project.provide('approverRole', APPROVER_LOGIN);
  } catch (error) {
    // The setup's own error is the one to report; a cleanup that failed too is only logged.
    await runCleanups(cleanups).catch((cleanupError) =>
      console.error('cleaning up after the failed test database setup failed too:', cleanupError),
    );
    throw error;
  }
  return async () => {
    try {
      await runCleanups(cleanups);
    } catch (error) {
      // vitest 4 only logs a teardown error ("error during close") and keeps the exit code it had: set it.
      process.exitCode = 1;
      throw error;
    }
  };
}

/** Drops every database whose name starts with `prefix` (this run's template and clones). */
async function dropDatabases(adminUri: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUri });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
