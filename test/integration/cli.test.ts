import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LOCK } from '../../src/db/session.js';
import { CLI, runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, insertTest } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, cwd, env);

let db: TestDatabase;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`).toBe(true);
  db = await freshDatabase();
  await createSources(db);
  await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
  await insertTest(db);
  cwd = tempDir('cli');
  env = { DATABASE_URL: db.uri };
});
afterAll(async () => {
  await db.drop();
});

describe('the canonical-tests executable', () => {
  it('run --date: exit 0, a summary on stdout, report and evidence in ./reports and ./evidence', async () => {
    const { code, stdout, stderr } = await cli(['run', '--date', '2026-03-10'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^2026-03-10 \(as of 2026-03-10T05:00:00\.000Z, Europe\/Oslo\) run [0-9a-f-]{36}\n {2}T-001 {2}day 10 {2}NONE {2}PENDING\n/,
    );
    expect(existsSync(join(cwd, 'reports', 'RUNBOOK_20260310.md'))).toBe(true);
    expect(existsSync(join(cwd, 'evidence', 'ORCHESTRATOR_T-001_20260310.json'))).toBe(true);
  });

  it('run --json prints one JSON document', async () => {
    const { code, stdout } = await cli(['run', '--date', '2026-03-10', '--json', '--dry-run'], env);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { exitCode: number; dryRun: boolean; plan: { outcomes: unknown[] } };
    expect(doc.exitCode).toBe(0);
    expect(doc.dryRun).toBe(true);
    expect(doc.plan.outcomes).toEqual([
      {
        testCode: 'T-001',
        dayNumber: 10,
        escalationState: 'NONE',
        verdict: 'PENDING',
        pendingMetrics: [],
        resolved: false,
        liveStateUpdated: true,
      },
    ]);
  });

  it('a bad date, zone or option is exit 2 naming it', async () => {
    expect(await cli(['run', '--date', '2026-02-30'], env)).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: --date: "2026-02-30" is not a date in the form YYYY-MM-DD\n',
    });
    expect(await cli(['run', '--zone', 'Mars/Base'], env)).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: --zone: "Mars/Base" is not a valid IANA time zone\n',
    });
    expect(await cli(['run'], { ...env, CANONICAL_RUN_TIME: '25:00' })).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: CANONICAL_RUN_TIME: "25:00" must be HH:MM on a 24-hour clock (00:00 to 23:59)\n',
    });
    const unknown = await cli(['run', '--frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
    expect((await cli(['backfill', '--from', '2026-03-10', '--to', '2026-03-01'], env)).code).toBe(2);
    expect(await cli(['run', '--test', 'NOPE'], env)).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: --test: no test has the code "NOPE"\n',
    });
  });

  it('an unreachable database is exit 4 and the password is never printed', async () => {
    const out = await cli(['run', '--date', '2026-03-10'], { DATABASE_URL: 'postgres://auditor:S3cretPassw0rd@127.0.0.1:1/nowhere' });
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('database unreachable at postgres://auditor:***@127.0.0.1:1/nowhere');
    expect(out.stdout + out.stderr).not.toContain('S3cretPassw0rd');
  });

  it('a second run while the lock is held exits 5', async () => {
    await db.pool.connect(async (holder) => {
      await holder.query(sql.unsafe`SELECT pg_advisory_lock(${RUN_LOCK})`);
      const out = await cli(['run', '--date', '2026-03-11'], env);
      await holder.query(sql.unsafe`SELECT pg_advisory_unlock(${RUN_LOCK})`);
      expect(out.code).toBe(5);
      expect(out.stderr).toContain('another canonical-tests run holds the run lock');
    });
    expect(
      (await db.exec<{ n: number }>(`SELECT count(*)::int AS n FROM fhq_calendar.test_runbook_entries WHERE run_date = '2026-03-11'`))
        .rows[0]!.n,
    ).toBe(0);
  });

  it('a halted run exits 3 and names the defect on stderr; check exits 3 too', async () => {
    await insertTest(db, { test_code: 'BAD-9', end_ts: null });
    const out = await cli(['run', '--date', '2026-03-12'], env);
    expect(out.code).toBe(3);
    expect(out.stderr).toBe('HALT BAD-9: end_ts: is missing: the window has no end\n');
    expect(existsSync(join(cwd, 'evidence', 'ORCHESTRATOR_HALT_20260312.json'))).toBe(true);
    expect((await cli(['check', '--date', '2026-03-12'], env)).code).toBe(3);
    await db.exec(`UPDATE fhq_calendar.canonical_test_events SET status = 'CANCELLED' WHERE test_code = 'BAD-9'`);
    expect((await cli(['check', '--date', '2026-03-12'], env)).code).toBe(0);
  });

  it('migrate is idempotent; --help works on every command', async () => {
    // Migrations are an administrator's job (the evaluator's role may not create anything).
    expect(await cli(['migrate'], { DATABASE_URL: db.adminUri })).toMatchObject({ code: 0, stdout: 'up to date: no migration to apply\n' });
    for (const command of ['run', 'backfill', 'check', 'status', 'migrate', 'seed', 'schedule']) {
      const help = await cli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: canonical-tests ${command}`);
    }
  });
});
