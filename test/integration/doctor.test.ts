import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { redactUri } from '../../src/db/connectionTarget.js';
import { readMigrations } from '../../src/db/migrate.js';
import { runPrivileges } from '../../src/db/privileges.js';
import type { DoctorReport } from '../../src/run/doctor/check.js';
import { packageRoot } from '../../src/paths.js';
import { runRoleScript, withDatabase } from '../globalSetup.js';
import { runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { createSources, grantSources } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

let db: TestDatabase;
let cwd: string;

beforeEach(async () => {
  db = await freshDatabase();
  cwd = tempDir('doctor');
});
afterEach(async () => {
  await db.drop();
});

const USER = inject('evaluatorRole').user;
const PASSWORD = inject('evaluatorRole').password;
const MIGRATIONS = readMigrations();
const doctor = (args: string[] = [], env: Record<string, string> = { DATABASE_URL: db.uri }) => runCli(['doctor', ...args], cwd, env);
const lines = (stdout: string) => stdout.trimEnd().split('\n');
const line = (stdout: string, label: string) => lines(stdout).find((l) => l.slice(5).startsWith(`${label}:`));

const ZONE_LINE =
  /^OK {3}zone and run time: Europe\/Oslo, run time 06:00: the next as-of instant is \d{4}-\d\d-\d\d 06:00 Europe\/Oslo \(\d{4}-\d\d-\d\dT0[45]:00:00\.000Z\)$/;
const folderLines = (dir: string) => [
  `OK   reports folder: ${join(dir, 'reports')} does not exist yet; the first run creates it (${dir} is writable)`,
  `OK   evidence folder: ${join(dir, 'evidence')} does not exist yet; the first run creates it (${dir} is writable)`,
  `OK   logs folder: ${join(dir, 'logs')} does not exist yet; the first run creates it (${dir} is writable)`,
];
const SKIPPED_PRIVILEGES = [
  'SKIP run privileges: skipped: the migrations are not current',
  'SKIP registry sources: skipped: the migrations are not current',
];

describe('doctor', () => {
  it('exit 0 with every check OK as the least-privilege role; the target without its password; leaves nothing behind', async () => {
    await createSources(db);
    const out = await doctor();
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const text = lines(out.stdout);
    expect(text).toEqual([
      `OK   connection: ${redactUri(db.uri)} (role ${USER}, database ${db.name})`,
      expect.stringMatching(/^OK {3}server version: PostgreSQL \d+\.\S*.* \(15 or newer is needed\)$/),
      `OK   migrations: all ${MIGRATIONS.length} applied (newest ${MIGRATIONS.at(-1)!.name})`,
      `OK   run privileges: ${USER} holds all ${runPrivileges().length} rights sql/roles/01_canonical_evaluator.sql grants`,
      `OK   registry sources: ${USER} may read all 7 source column(s) of 4 signal(s)`,
      ...folderLines(cwd),
      expect.stringMatching(ZONE_LINE),
      'all 9 checks OK',
    ]);
    expect(redactUri(db.uri)).toContain(':***@');
    expect(out.stdout).not.toContain(PASSWORD);
    expect(readdirSync(cwd)).toEqual([]);

    // Existing folders are written to (and the probe file removed).
    mkdirSync(join(cwd, 'reports'));
    const again = await doctor();
    expect(again.code).toBe(0);
    expect(line(again.stdout, 'reports folder')).toBe(`OK   reports folder: ${join(cwd, 'reports')} is writable`);
    expect(readdirSync(join(cwd, 'reports'))).toEqual([]);
  });

  it('--json: one document, snake_case, ok and one entry per check', async () => {
    const out = await doctor(['--json']);
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout) as DoctorReport;
    expect(doc.ok).toBe(true);
    expect(doc.checks.map((c) => [c.check, c.status])).toEqual([
      ['connection', 'OK'],
      ['server_version', 'OK'],
      ['migrations', 'OK'],
      ['run_privileges', 'OK'],
      ['registry_sources', 'OK'],
      ['reports_folder', 'OK'],
      ['evidence_folder', 'OK'],
      ['logs_folder', 'OK'],
      ['zone_and_run_time', 'OK'],
    ]);
    expect(doc.checks[4]).toEqual({
      check: 'registry_sources',
      status: 'OK',
      message: 'the signal registry names no source',
      action: null,
    });
  });

  it('on a database that was never migrated: the migration line fails with the hint, the privilege lines are skipped; exit 1', async () => {
    const bare = `${inject('dbPrefix')}_bare_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: inject('adminUri') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${bare}`);
      const url = new URL(withDatabase(inject('adminUri'), bare));
      url.username = USER;
      url.password = PASSWORD;
      const out = await doctor([], { DATABASE_URL: url.toString() });
      expect(out.code).toBe(1);
      expect(lines(out.stdout)).toEqual([
        `OK   connection: ${redactUri(url.toString())} (role ${USER}, database ${bare})`,
        expect.stringMatching(/^OK {3}server version: /),
        `FAIL migrations: the database was never migrated (0 of ${MIGRATIONS.length} applied) — run canonical-tests migrate (as an administrator)`,
        ...SKIPPED_PRIVILEGES,
        ...folderLines(cwd),
        expect.stringMatching(ZONE_LINE),
        '1 check(s) failed, 2 skipped of 9',
      ]);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${bare} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('a database behind sql/, a migration changed after it was applied, a ledger the role may not read: each fails the migration line', async () => {
    const newest = MIGRATIONS.at(-1)!;
    await db.exec('DELETE FROM fhq_calendar.schema_migrations WHERE version = $1', [newest.version]);
    const behind = await doctor();
    expect(behind.code).toBe(1);
    expect(line(behind.stdout, 'migrations')).toBe(
      `FAIL migrations: ${MIGRATIONS.length - 1} of ${MIGRATIONS.length} applied; pending: ${newest.name} — run canonical-tests migrate (as an administrator)`,
    );
    expect(lines(behind.stdout).filter((l) => l.startsWith('SKIP'))).toEqual(SKIPPED_PRIVILEGES);

    await db.exec('INSERT INTO fhq_calendar.schema_migrations (version, name, sha256) VALUES ($1, $2, $3)', [
      newest.version,
      newest.name,
      newest.sha256,
    ]);
    const second = MIGRATIONS[1]!;
    await db.exec(`UPDATE fhq_calendar.schema_migrations SET sha256 = repeat('0', 64) WHERE version = $1`, [second.version]);
    const changed = await doctor();
    expect(changed.code).toBe(1);
    expect(line(changed.stdout, 'migrations')).toBe(
      `FAIL migrations: ${second.name} changed after it was applied — restore the file as it was applied (migrations are immutable: add a new numbered file instead)`,
    );

    await db.exec(`UPDATE fhq_calendar.schema_migrations SET sha256 = $1 WHERE version = $2`, [second.sha256, second.version]);
    await db.exec('REVOKE SELECT ON fhq_calendar.schema_migrations FROM canonical_evaluator');
    const unreadable = await doctor();
    expect(unreadable.code).toBe(1);
    expect(line(unreadable.stdout, 'migrations')).toBe(
      `FAIL migrations: ${USER} may not read fhq_calendar.schema_migrations — run sql/roles/01_canonical_evaluator.sql as an administrator (docs/roles.md)`,
    );

    await runRoleScript(db.adminUri, '01_canonical_evaluator.sql');
    expect((await doctor()).code).toBe(0);
  });

  it('a right of the role script that the role lacks fails the privilege line, naming it; the script repairs it', async () => {
    await db.exec(`REVOKE UPDATE ON fhq_calendar.evaluator_runs FROM canonical_evaluator;
                   REVOKE UPDATE (verdict) ON fhq_calendar.canonical_test_events FROM canonical_evaluator;
                   REVOKE EXECUTE ON FUNCTION fhq_calendar.resolve_test_window(uuid, text, timestamptz, jsonb) FROM canonical_evaluator`);
    const out = await doctor();
    expect(out.code).toBe(1);
    expect(line(out.stdout, 'run privileges')).toBe(
      `FAIL run privileges: ${USER} lacks UPDATE (verdict) on fhq_calendar.canonical_test_events; UPDATE on fhq_calendar.evaluator_runs; ` +
        `EXECUTE on fhq_calendar.resolve_test_window(uuid, text, timestamptz, jsonb) — run sql/roles/01_canonical_evaluator.sql as an administrator, ` +
        `and make ${USER} a member of canonical_evaluator (GRANT canonical_evaluator TO ${USER})`,
    );
    expect(lines(out.stdout).filter((l) => l.startsWith('FAIL'))).toHaveLength(1);
    expect(lines(out.stdout).at(-1)).toBe('1 check(s) failed of 9');
    await runRoleScript(db.adminUri, '01_canonical_evaluator.sql');
    expect((await doctor()).code).toBe(0);
  });

  it('a registry source the role may not read, or that does not exist, fails the registry line', async () => {
    await createSources(db);
    await db.exec(`CREATE TABLE fixture.extra (ts timestamptz NOT NULL, value double precision);
                   INSERT INTO fhq_calendar.test_signal_registry (signal_key, source_schema, source_table, source_column, time_column) VALUES
                     ('extra', 'fixture', 'extra', 'value', 'ts'),
                     ('gone', 'fixture', 'no_such_table', 'value', NULL)`);
    const out = await doctor();
    expect(out.code).toBe(1);
    expect(line(out.stdout, 'registry sources')).toBe(
      `FAIL registry sources: ${USER} may not read fixture.extra.value (extra), fixture.extra.ts (extra); ` +
        'no such table or column: fixture.no_such_table.value (gone) — run sql/roles/02_grant_registry_sources.sql as an administrator; ' +
        'correct the registry rows in fhq_calendar.test_signal_registry (canonical-tests check names them)',
    );
    await grantSources(db);
    await db.exec(`DELETE FROM fhq_calendar.test_signal_registry WHERE signal_key = 'gone'`);
    const repaired = await doctor();
    expect(repaired.code).toBe(0);
    expect(line(repaired.stdout, 'registry sources')).toBe(`OK   registry sources: ${USER} may read all 9 source column(s) of 5 signal(s)`);
  });

  it('a folder that cannot be written fails its line with what to do', async () => {
    writeFileSync(join(cwd, 'blocked'), 'a file, not a folder\n');
    const out = await doctor(['--reports-dir', 'blocked/reports'], { DATABASE_URL: db.uri, EVIDENCE_DIR: 'blocked' });
    expect(out.code).toBe(1);
    expect(line(out.stdout, 'reports folder')).toBe(
      `FAIL reports folder: ${join(cwd, 'blocked', 'reports')} cannot be created: ${join(cwd, 'blocked')} is not a folder — give this account write access to it, or choose another folder with --reports-dir or REPORTS_DIR`,
    );
    expect(line(out.stdout, 'evidence folder')).toBe(
      `FAIL evidence folder: ${join(cwd, 'blocked')} is not a folder — give this account write access to it, or choose another folder with --evidence-dir or EVIDENCE_DIR`,
    );
    expect(lines(out.stdout).at(-1)).toBe('2 check(s) failed of 9');
    expect(readdirSync(cwd)).toEqual(['blocked']);
    expect(readFileSync(join(cwd, 'blocked'), 'utf8')).toBe('a file, not a folder\n');
  });

  it('an invalid zone or setting is a failed line (exit 1, not 2); every other check still runs', async () => {
    const out = await doctor([], { DATABASE_URL: db.uri, CANONICAL_TZ: 'Mars/Olympus', CANONICAL_STATEMENT_TIMEOUT: 'abc' });
    expect(out.code).toBe(1);
    const text = lines(out.stdout);
    expect(text[0]).toBe(
      'FAIL settings: CANONICAL_STATEMENT_TIMEOUT: "abc" must be a number of seconds (e.g. 60 or 0.5) — correct CANONICAL_STATEMENT_TIMEOUT (docs/configuration.md, Settings)',
    );
    expect(text.at(-2)).toBe(
      'FAIL zone and run time: CANONICAL_TZ: "Mars/Olympus" is not a valid IANA time zone — set an IANA zone such as Europe/Oslo and a run time HH:MM (docs/configuration.md, Settings)',
    );
    expect(line(out.stdout, 'connection')).toMatch(/^OK {3}connection: /);
    expect(text.at(-1)).toBe('2 check(s) failed of 10');
  });

  it('without a database: the connection line fails with what to do, the database checks are skipped, the rest still runs', async () => {
    const none = await doctor([], {});
    expect(none.code).toBe(1);
    const text = lines(none.stdout);
    expect(text[0]).toMatch(
      /^FAIL connection: .*DATABASE_URL.* — configure the connection: DATABASE_URL or the PG\* variables, in the environment or \.env, or --embedded \(docs\/configuration\.md\)$/,
    );
    expect(text.slice(1)).toEqual([
      'SKIP server version: skipped: no connection',
      'SKIP migrations: skipped: no connection',
      'SKIP run privileges: skipped: no connection',
      'SKIP registry sources: skipped: no connection',
      ...folderLines(cwd),
      expect.stringMatching(ZONE_LINE),
      '1 check(s) failed, 4 skipped of 9',
    ]);
    expect(readdirSync(cwd)).toEqual([]);

    const secret = 'Unr3achableSecret';
    const refused = await doctor([], { DATABASE_URL: `postgres://someone:${secret}@127.0.0.1:1/nowhere` });
    expect(refused.code).toBe(1);
    expect(lines(refused.stdout)[0]).toMatch(
      /^FAIL connection: .*127\.0\.0\.1:1.* — check that the server is running and the connection settings are right \(docs\/configuration\.md\), then run canonical-tests doctor again$/,
    );
    expect(refused.stdout + refused.stderr).not.toContain(secret);
  });
});

describe('--version', () => {
  it("prints the evaluator's version and Node's", async () => {
    const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    const out = await runCli(['--version'], tempDir('version'));
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`canonical-tests ${version} (Node.js ${process.version})\n`);
  });
});
