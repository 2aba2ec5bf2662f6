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

/** Every object key in `value` that has a capital letter, with its path (a metrics snapshot's signal keys are data, not keys of the document). */
function camelKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => camelKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(/[A-Z]/.test(k) ? [`${path}.${k}`] : []),
    ...(k === 'metrics_snapshot' ? [] : camelKeys(v, `${path}.${k}`)),
  ]);
}

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

  it('run --json prints one JSON document, every key in snake_case', async () => {
    const { code, stdout } = await cli(['run', '--date', '2026-03-10', '--json', '--dry-run'], env);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      exit_code: number;
      dry_run: boolean;
      plan: { outcomes: unknown[]; as_of: unknown; runbook: { metrics_snapshot: Record<string, unknown> }[] };
    };
    expect(Object.keys(doc)).toEqual(['exit_code', 'dry_run', 'plan', 'files_written']);
    expect(doc.exit_code).toBe(0);
    expect(doc.dry_run).toBe(true);
    expect(doc.plan.outcomes).toEqual([
      {
        test_code: 'T-001',
        day_number: 10,
        escalation_state: 'NONE',
        verdict: 'PENDING',
        pending_metrics: [],
        resolved: false,
        live_state_updated: true,
      },
    ]);
    expect(doc.plan.as_of).toEqual({
      date: '2026-03-10',
      compact_date: '20260310',
      instant: '2026-03-10T05:00:00.000Z',
      zone: 'Europe/Oslo',
    });
    // No camelCase key anywhere; a metrics snapshot keeps its signal keys as registered.
    expect(camelKeys(doc)).toEqual([]);
    expect(Object.keys(doc.plan.runbook[0]!.metrics_snapshot).sort()).toEqual(['brier', 'ready']);
  });

  it('check --json prints snake_case keys too', async () => {
    const { code, stdout } = await cli(['check', '--date', '2026-03-10', '--json'], env);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { tests_checked: string[]; signals: { source: unknown }[] };
    expect(Object.keys(doc)).toEqual(['exit_code', 'tests_checked', 'defects', 'signals']);
    expect(doc.tests_checked).toEqual(['T-001']);
    expect(doc.signals[0]).toMatchObject({ key: 'brier', status: 'AVAILABLE', pending_reason: null, rows_used: 1, as_of_exact: true });
    expect(doc.signals[0]!.source).toEqual({ schema: 'fixture', table: 'daily', column: 'brier', time_column: 'ts' });
    expect(camelKeys(doc)).toEqual([]);
  });

  it('-q prints only the final line; -v adds every write and debug lines; both together are a usage error', async () => {
    expect(await cli(['-q', 'run', '--date', '2026-03-09'], env)).toEqual({
      code: 0,
      stdout: '  1 runbook row(s), 1 alert(s), 1 evidence file(s); 2 file(s) changed\n',
      stderr: '',
    });
    expect(await cli(['run', '--date', '2026-03-09', '--dry-run', '--quiet'], env)).toEqual({
      code: 0,
      stdout: 'DRY RUN: nothing was written (4 write(s) planned)\n',
      stderr: '',
    });
    const verbose = await cli(['run', '--date', '2026-03-09', '-v'], env);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toMatch(/^ {2}UPSERT test_runbook_entries T-001 2026-03-09: day 9 ACTIVE NONE verdict=PENDING$/m);
    expect(verbose.stdout).toMatch(/^ {2}RENDER reports\/RUNBOOK_20260309\.md$/m);
    expect(verbose.stderr).toContain(
      `database: ${db.uri.replace(/:[^:@/]+@/, ':***@')}; run log: ${join(cwd, 'logs', 'canonical-tests.log')}\n`,
    );
    expect(verbose.stderr).toMatch(/^phases: discover \d+ ms, evaluate \d+ ms, execute \d+ ms, files \d+ ms$/m);
    expect(await cli(['-q', '-v', 'run'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'canonical-tests: --quiet: cannot be combined with --verbose\n',
    });
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
      stderr: 'canonical-tests: --test: no test has the code "NOPE"; ACTIVE tests: T-001\n',
    });
  });

  it('--test with a near miss suggests the code and lists the ACTIVE ones', async () => {
    expect(await cli(['run', '--date', '2026-03-10', '--test', 't-001'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'canonical-tests: --test: no test has the code "t-001"; did you mean T-001? ACTIVE tests: T-001\n',
    });
    expect(await cli(['backfill', '--from', '2026-03-09', '--to', '2026-03-10', '--test', 'T-01'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'canonical-tests: --test: no test has the code "T-01"; did you mean T-001? ACTIVE tests: T-001\n',
    });
  });

  it('no command at all is a usage error: the help on stderr, exit 2', async () => {
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: canonical-tests \[options\] \[command\]\n/);
    expect(none.stderr).toContain(`Run log: ${join(cwd, 'logs', 'canonical-tests.log')} (CANONICAL_LOG_DIR moves it).`);
    // Asked for, the help is no error.
    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toBe(none.stderr);
    expect(help.stdout).toContain('-q, --quiet ');
    expect(help.stdout).toContain('-v, --verbose ');
    expect((await cli(['help'])).code).toBe(0);
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
