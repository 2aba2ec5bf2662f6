/**
 * Builds the whole synthetic database: the project's migrations (its own
 * migrator, from dist/), the source tables and rows, the registry and the
 * tests, then VACUUM (FREEZE, ANALYZE) so that no variant pays for setting
 * hint bits or for missing statistics, and a CHECKPOINT so that none runs
 * while the server is still flushing the freshly written tables.
 */
import { migrate } from '../../src/db/migrate.js';
import { withClient } from '../harness/database.js';
import { createRegistry, createSources, SOURCE_SCHEMA, TABLES } from './sources.js';
import { createTests } from './tests.js';

/** What to build. */
export interface BuildPlan {
  tests: number;
  rows: number;
  /** The first and last as-of dates the runs will use. */
  firstDate: string;
  lastDate: string;
  /** Days of history the source rows cover, up to now. */
  spanDays: number;
}

/**
 * Migrates and fills the bench database at `uri`.
 *
 * @param log one line per step (stderr).
 */
export async function buildSynthetic(uri: string, plan: BuildPlan, log: (line: string) => void): Promise<void> {
  await migrate(uri);
  await withClient(uri, async (client) => {
    await client.query('SET synchronous_commit = off');
    await client.query("SET maintenance_work_mem = '256MB'");
    await createSources(client, plan.rows, plan.spanDays, (t, n) =>
      log(`  source table ${t + 1}/${TABLES}: ${n.toLocaleString('en')} rows`),
    );
    await createRegistry(client);
    await createTests(client, plan.tests, plan.firstDate, plan.lastDate);
  });
  // VACUUM cannot run inside a transaction block: one statement per call.
  await withClient(uri, async (client) => {
    for (let t = 0; t < TABLES; t++) await client.query(`VACUUM (FREEZE, ANALYZE) ${SOURCE_SCHEMA}.src_${t}`);
    await client.query('VACUUM (FREEZE, ANALYZE) fhq_calendar.canonical_test_events');
    await client.query('VACUUM (FREEZE, ANALYZE) fhq_calendar.test_signal_registry');
    // Superusers and pg_checkpoint members only; without it the first variant may share the disk with the flush.
    await client
      .query('CHECKPOINT')
      .catch((error: Error) => log(`  no CHECKPOINT (${error.message}): the first variant may run while the server flushes`));
  });
}
