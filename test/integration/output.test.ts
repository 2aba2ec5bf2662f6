import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool } from '../../src/db/pool.js';
import { seedScenario } from '../../src/seed/scenarios.js';
import { CLI, runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { grantSources } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * What `seed` and `backfill` print, through the executable, on the EC-022
 * demo (escalated on 2020-02-25, resolved FAILURE on 2020-03-04): text by
 * default, one key style (snake_case) in JSON, `-q`, a dry run's plans, and
 * the events of a backfill above its progress bar on a terminal (not with
 * `TERM=dumb` or `NO_COLOR`). The tests run in order: each backfill goes on
 * from the dates of the one before.
 */

let db: TestDatabase;
let cwd: string;
let env: Record<string, string>;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** Output with run ids and durations (which vary) replaced by placeholders. */
const stable = (text: string) => text.replace(UUID, '<run id>').replace(/ in \d+\.\d s,/g, ' in <s> s,');
const SEEDED = 'seeded ec022: window 2020-02-02T23:00:00.000Z … 2020-03-03T22:59:59.000Z, source data 2001-01-29 … 2020-04-17\n';
const SCRIPT = '/usr/bin/script';

/** Runs the executable on a pseudo-terminal (util-linux `script`): stdout and stderr arrive together, as a person sees them. */
async function onTerminal(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; screen: string }> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'DATABASE_URL' && k !== 'NO_COLOR'),
  );
  const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], {
    cwd,
    env: { ...base, ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (d) => (screen += d));
  child.stderr.on('data', (d) => (screen += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, screen: screen.replaceAll('\r\n', '\n') };
}

beforeAll(async () => {
  db = await freshDatabase();
  cwd = tempDir('output');
  env = { DATABASE_URL: db.uri };
});
afterAll(async () => {
  await db.drop();
});

describe('seed', () => {
  it('prints text by default, snake_case JSON with --json, and only its final line with -q', async () => {
    // Seeding writes definitions and sources: an administrator's job.
    const admin = { DATABASE_URL: db.adminUri };
    expect(await runCli(['seed'], cwd, admin)).toEqual({
      code: 0,
      stdout:
        'rows written: ldow_cycle_metrics 4835, context_brier_daily 4835, learning_velocity_metrics 4835, test_signal_registry 5, canonical_test_events 1\n' +
        SEEDED,
      stderr: '',
    });
    const json = await runCli(['seed', '--json'], cwd, admin);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      rows_written: {
        ldow_cycle_metrics: 4835,
        context_brier_daily: 4835,
        learning_velocity_metrics: 4835,
        test_signal_registry: 5,
        canonical_test_events: 0,
      },
      rows_deleted: { test_runbook_entries: 0, ceo_calendar_alerts: 0, canonical_test_events: 0 },
      data_range: { first: '2001-01-29', last: '2020-04-17' },
      window: { start: '2020-02-02T23:00:00.000Z', end: '2020-03-03T22:59:59.000Z' },
    });
    expect(await runCli(['-q', 'seed', '--reset'], cwd, admin)).toEqual({ code: 0, stdout: SEEDED, stderr: '' });
    await grantSources(db);
  });
});

describe('backfill', () => {
  it('--dry-run says DRY RUN, prints each date plan summary and its events, and writes nothing', async () => {
    const { code, stdout, stderr } = await runCli(['backfill', '--from', '2020-02-24', '--to', '2020-02-25', '--dry-run'], cwd, env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stable(stdout)).toBe(
      [
        'DRY RUN: nothing will be written',
        '2020-02-24 (as of 2020-02-24T05:00:00.000Z, Europe/Oslo) run <run id>',
        '  EC-022  day 22  NONE  PENDING',
        '2020-02-25 (as of 2020-02-25T05:00:00.000Z, Europe/Oslo) run <run id>',
        '  EC-022  day 23  ESCALATED  PENDING',
        '2020-02-25 ESCALATION EC-022: escalated to the CEO',
        'backfill 2020-02-24 … 2020-02-25: 2 date(s) evaluated (DRY RUN: nothing was written) in <s> s, 2 test evaluation(s), 1 escalation alert(s), 0 resolution(s), 0 halt(s)',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
    expect((await db.exec(`SELECT count(*)::int AS n FROM fhq_calendar.test_runbook_entries`)).rows[0]!.n).toBe(0);
  });

  it.runIf(process.platform === 'linux' && existsSync(SCRIPT))(
    'on a terminal, draws a progress bar with the escalation above it; TERM=dumb and NO_COLOR draw none',
    async () => {
      // Dry runs, so every terminal sees the same escalation.
      const args = ['backfill', '--from', '2020-02-24', '--to', '2020-02-25', '--dry-run'];
      const drawn = await onTerminal(args, { TERM: 'xterm-256color' });
      expect(drawn.code).toBe(0);
      expect(drawn.screen).toContain('\x1b['); // cursor control: the bar
      expect(drawn.screen).toContain('] 2/2 2020-02-25');
      const escalation = drawn.screen.indexOf('2020-02-25 ESCALATION EC-022: escalated to the CEO\n');
      expect(escalation).toBeGreaterThan(0);
      expect(drawn.screen.indexOf('] 2/2 2020-02-25')).toBeGreaterThan(escalation); // the bar is redrawn below it
      const plainTerminals: Record<string, string>[] = [{ TERM: 'dumb' }, { TERM: 'xterm-256color', NO_COLOR: '1' }];
      for (const plain of plainTerminals) {
        const { code, screen } = await onTerminal(args, plain);
        expect(code).toBe(0);
        expect(screen).not.toContain('\x1b');
        expect(stable(screen)).toContain(
          '2020-02-25 ESCALATION EC-022: escalated to the CEO\nbackfill 2020-02-24 … 2020-02-25: 2 date(s) evaluated',
        );
      }
    },
  );

  it('-q prints only the final line', async () => {
    const { code, stdout, stderr } = await runCli(['-q', 'backfill', '--from', '2020-02-20', '--to', '2020-02-25'], cwd, env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stable(stdout)).toBe(
      'backfill 2020-02-20 … 2020-02-25: 6 date(s) done in <s> s, 6 test evaluation(s), 1 escalation alert(s), 0 resolution(s), 0 halt(s)\n',
    );
  });

  it('--json prints one snake_case JSON line per date, then the summary line', async () => {
    const { code, stdout, stderr } = await runCli(['backfill', '--from', '2020-02-26', '--to', '2020-02-27', '--json'], cwd, env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      type: 'date',
      as_of_date: '2020-02-26',
      exit_code: 0,
      dry_run: false,
      halted: false,
      outcomes: [
        {
          test_code: 'EC-022',
          day_number: 24,
          escalation_state: 'ESCALATED',
          verdict: 'PENDING',
          pending_metrics: [],
          resolved: false,
          live_state_updated: true,
        },
      ],
      alerts: [],
      resolutions: [],
      defects: [],
      failed_signals: [],
      files_written: [join(cwd, 'evidence', 'ORCHESTRATOR_EC-022_20200226.json'), join(cwd, 'reports', 'RUNBOOK_20200226.md')],
    });
    expect(lines[1]).toMatchObject({ type: 'date', as_of_date: '2020-02-27' });
    expect(lines[2]).toEqual({
      type: 'summary',
      from: '2020-02-26',
      to: '2020-02-27',
      dry_run: false,
      dates_done: 2,
      tests_evaluated: 2,
      escalation_alerts: 0,
      resolutions: 0,
      halts: 0,
      halted_at: null,
      exit_code: 0,
      seconds: expect.any(Number) as unknown,
    });
  });

  it('without a terminal, one line per date and the resolution under its date', async () => {
    const { code, stdout, stderr } = await runCli(['backfill', '--from', '2020-03-03', '--to', '2020-03-05'], cwd, env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stable(stdout)).toBe(
      [
        '2020-03-03 done: 1 test(s), 1 escalated, 0 resolved, 0 alert(s)',
        '2020-03-04 done: 1 test(s), 1 escalated, 1 resolved, 1 alert(s)',
        '2020-03-04 RESOLUTION EC-022: window closed, verdict FAILURE',
        '2020-03-05 done: 0 test(s), 0 escalated, 0 resolved, 0 alert(s)',
        'backfill 2020-03-03 … 2020-03-05: 3 date(s) done in <s> s, 2 test evaluation(s), 0 escalation alert(s), 1 resolution(s), 0 halt(s)',
        '',
      ].join('\n'),
    );
  });
});

describe('seed --reset after evaluations', () => {
  const admin = () => ({ DATABASE_URL: db.adminUri });
  const recordCounts = async () =>
    (
      await db.exec<{ bundles: number; alerts: number; tests: number }>(`
        SELECT (SELECT count(*) FROM fhq_calendar.evidence_bundles)::int AS bundles,
               (SELECT count(*) FROM fhq_calendar.ceo_calendar_alerts)::int AS alerts,
               (SELECT count(*) FROM fhq_calendar.canonical_test_events WHERE test_code = 'EC-022')::int AS tests`)
    ).rows[0];

  it('is refused with exit 2, naming --reset and the record, and changes nothing', async () => {
    const before = await recordCounts();
    expect(before?.bundles).toBeGreaterThan(0);
    expect(await runCli(['seed', '--reset'], cwd, admin())).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining(
        `--reset: EC-022 has ${before?.bundles} evidence bundle(s) and 0 acknowledgement(s) in the record (fhq_calendar.evidence_bundles, fhq_calendar.acknowledgements), which is append-only`,
      ) as unknown,
    });
    expect(await recordCounts()).toEqual(before);
  });

  it('the demo erases the record with the test (eraseRecord), so it can seed again', async () => {
    const pool = await openPool(db.adminUri);
    try {
      const summary = await seedScenario(pool, 'ec022', { reset: true, eraseRecord: true });
      expect(summary.rowsDeleted.canonicalTestEvents).toBe(1);
      expect(summary.rowsWritten.canonicalTestEvents).toBe(1);
    } finally {
      await pool.end();
    }
    expect(await recordCounts()).toEqual({ bundles: 0, alerts: 0, tests: 1 });
  });
});
