import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, inject } from 'vitest';
import { MigrationError } from '../../src/errors.js';
import { EARLIER_CHECKSUMS, migrate, readMigrations } from '../../src/db/migrate.js';
import { withDatabase } from '../globalSetup.js';

const created: string[] = [];
/** Runs `work` on a client of `uri`, closed afterwards whatever happens. */
async function withClient<T>(uri: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
const admin = (text: string) => withClient(inject('adminUri'), (client) => client.query(text));
/** An EMPTY database (not cloned from the migrated template). */
async function emptyDatabase(): Promise<string> {
  const name = `${inject('dbPrefix')}_empty_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  created.push(name);
  return withDatabase(inject('adminUri'), name);
}
afterEach(async () => {
  for (const name of created.splice(0)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('migrate', () => {
  it('applies every file to an empty database, then is a no-op three times', async () => {
    const uri = await emptyDatabase();
    const files = readMigrations();
    expect(files.map((f) => f.name)).toEqual([
      '000001_calendar_tables.sql',
      '000002_calendar_functions.sql',
      '000003_evaluator_runs.sql',
      '000004_pending_files.sql',
      '000005_verdict_semantics.sql',
      '000006_evidence_bundles.sql',
      '000007_acknowledgements.sql',
      '000008_bundle_compression.sql',
    ]);
    expect(await migrate(uri)).toEqual(files.map((f) => f.name));
    for (let i = 0; i < 3; i++) expect(await migrate(uri)).toEqual([]);
    const { rows } = await withClient(uri, (client) =>
      client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'fhq_calendar' ORDER BY 1`,
      ),
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'acknowledgements',
      'canonical_test_events',
      'ceo_calendar_alerts',
      'evaluator_runs',
      'evidence_bundles',
      'schema_migrations',
      'test_runbook_entries',
      'test_signal_registry',
    ]);
  });

  it('stores evidence bundles compressed with lz4 where the server has it, else with the default', async () => {
    const uri = await emptyDatabase();
    await migrate(uri);
    await withClient(uri, async (client) => {
      const hasLz4 = await client.query(`SET default_toast_compression = 'lz4'`).then(
        () => true,
        () => false,
      );
      const { rows } = await client.query<{ method: string }>(
        `SELECT attcompression AS method FROM pg_attribute
         WHERE attrelid = 'fhq_calendar.evidence_bundles'::regclass AND attname = 'content'`,
      );
      expect(rows).toEqual([{ method: hasLz4 ? 'l' : '' }]);
    });
  });

  it('accepts a database that applied a migration before an edit of its comments only, and nothing else', async () => {
    const uri = await emptyDatabase();
    await migrate(uri);
    await withClient(uri, async (client) => {
      // As a database migrated before the comments of 000001, 000002 and 000004 were reworded holds them.
      for (const [name, [earlier]] of Object.entries(EARLIER_CHECKSUMS))
        await client.query('UPDATE fhq_calendar.schema_migrations SET sha256 = $2 WHERE name = $1', [name, earlier]);
      expect(Object.keys(EARLIER_CHECKSUMS)).toEqual([
        '000001_calendar_tables.sql',
        '000002_calendar_functions.sql',
        '000004_pending_files.sql',
      ]);
      expect(await migrate(uri)).toEqual([]);
      // An earlier checksum of one file is no pass for another.
      await client.query('UPDATE fhq_calendar.schema_migrations SET sha256 = $1 WHERE version = 3', [
        EARLIER_CHECKSUMS['000001_calendar_tables.sql']![0],
      ]);
      await expect(migrate(uri)).rejects.toThrow('migration 000003_evaluator_runs.sql was changed after it was applied');
    });
  });

  it('two migrators at once apply each file exactly once', async () => {
    const uri = await emptyDatabase();
    const results = await Promise.all([migrate(uri), migrate(uri)]);
    expect(results.flat().sort()).toEqual([
      '000001_calendar_tables.sql',
      '000002_calendar_functions.sql',
      '000003_evaluator_runs.sql',
      '000004_pending_files.sql',
      '000005_verdict_semantics.sql',
      '000006_evidence_bundles.sql',
      '000007_acknowledgements.sql',
      '000008_bundle_compression.sql',
    ]);
  });

  it('refuses a changed, a missing or an out-of-order migration', async () => {
    const uri = await emptyDatabase();
    const files = readMigrations();
    await migrate(uri, files);
    const changed = files.map((f, i) => (i === 0 ? { ...f, sha256: '0'.repeat(64) } : f));
    await expect(migrate(uri, changed)).rejects.toThrow(
      new MigrationError(
        'migration 000001_calendar_tables.sql was changed after it was applied (migrations are immutable: add a new file)',
      ),
    );
    await expect(migrate(uri, files.slice(1))).rejects.toThrow(
      new MigrationError('migration 000001_calendar_tables.sql is recorded as applied but its file is missing from sql/'),
    );
    const uri2 = await emptyDatabase();
    await migrate(
      uri2,
      files.slice(1, 2).map((f) => ({ ...f, text: 'SELECT 1' })),
    );
    await expect(
      migrate(
        uri2,
        files.map((f) => (f.version === 2 ? { ...f, text: 'SELECT 1' } : f)),
      ),
    ).rejects.toThrow(
      new MigrationError('migration 000001_calendar_tables.sql is numbered below the newest applied one (000002_calendar_functions.sql)'),
    );
  });
});
