import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'slonik';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { backfill, catchUpDates } from '../../src/run/backfill.js';
import { openPool } from '../../src/db/pool.js';
import { RUN_LOCK } from '../../src/db/session.js';
import { runDate } from '../../src/run/runDate.js';
import { verifyRecord } from '../../src/run/verify/verifyRecord.js';
import { runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, grantSources, insertTest, tempSettings } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

const cli = (args: string[], cwd: string, env: Record<string, string>) => runCli(args, cwd, env);

/**
 * A fixed-offset IANA zone (`Etc/GMT-12` … `Etc/GMT+12`) where the local time
 * at `now` is between 11:30 and 12:30: the local date there stays the same for
 * the next eleven hours.
 */
function zoneAtNoon(now: Date): string {
  const east = 12 - Math.round(now.getUTCHours() + now.getUTCMinutes() / 60);
  // POSIX sign convention: Etc/GMT-2 is two hours east of UTC.
  return east === 0 ? 'Etc/UTC' : `Etc/GMT${east > 0 ? '-' : '+'}${Math.abs(east)}`;
}

let db: TestDatabase;
let settings: Settings;

beforeEach(async () => {
  db = await freshDatabase();
  await createSources(db);
  settings = tempSettings();
});
afterEach(async () => {
  await db.drop();
});

const ledger = async () =>
  (
    await db.exec(`SELECT as_of_date::text AS d, mode, outcome, exit_code, tests_evaluated, escalations, resolutions, alerts, error
                  FROM fhq_calendar.evaluator_runs ORDER BY started_at, as_of_date`)
  ).rows;

describe('backfill', () => {
  it('evaluates each date in order with its own rows and report, alerting only on changes of state', async () => {
    await insertTest(db);
    await addDaily(db, [
      ['2026-03-02T16:00:00Z', 0.2, 0],
      ['2026-03-03T16:00:00Z', 0.35, 0],
      ['2026-03-05T16:00:00Z', 0.2, 0],
    ]);
    const summary = await backfill(db.pool, { dates: ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'], settings });
    expect(summary).toEqual({
      datesDone: 4,
      testsEvaluated: 4,
      escalationAlerts: 1,
      resolutions: 0,
      halts: 0,
      haltedAt: null,
      exitCode: 0,
    });
    const { rows } = await db.exec(`SELECT run_date::text AS d, escalation_state FROM fhq_calendar.test_runbook_entries ORDER BY run_date`);
    expect(rows).toEqual([
      { d: '2026-03-03', escalation_state: 'NONE' },
      { d: '2026-03-04', escalation_state: 'ESCALATED' },
      { d: '2026-03-05', escalation_state: 'ESCALATED' },
      { d: '2026-03-06', escalation_state: 'NONE' },
    ]);
    const { rows: alerts } = await db.exec(
      `SELECT run_date::text AS d, alert_type FROM fhq_calendar.ceo_calendar_alerts ORDER BY run_date`,
    );
    expect(alerts).toEqual([
      { d: '2026-03-04', alert_type: 'ESCALATION' },
      { d: '2026-03-06', alert_type: 'ESCALATION_CLEARED' },
    ]);
    expect(readdirSync(settings.reportsDir).sort()).toEqual([
      'RUNBOOK_20260303.md',
      'RUNBOOK_20260304.md',
      'RUNBOOK_20260305.md',
      'RUNBOOK_20260306.md',
    ]);
    const stillEscalated = readFileSync(join(settings.reportsDir, 'RUNBOOK_20260305.md'), 'utf8');
    expect(stillEscalated).toContain(
      [
        '### Notes',
        '- Escalated since 2026-03-04.',
        '- Window: 2026-03-01 00:00 to 2026-03-30 23:59.',
        '- All metrics available. Escalated since 2026-03-04 (still holds; already alerted): failure criteria met: brier > 0.3 (current 0.35).',
        '',
      ].join('\n'),
    );
    // Still escalated, but not newly: no decision and no chart that day.
    expect(stillEscalated).toContain(
      '| ESCALATED | T-001 | Forecast pipeline change | 5 of 30 | ACTIVE | ESCALATED | true | PENDING | — |\n',
    );
    expect(stillEscalated).not.toContain('### Newly Escalated');
    expect(stillEscalated).not.toContain('```mermaid');
    expect((await ledger()).map((r) => [r.d, r.mode, r.outcome])).toEqual([
      ['2026-03-03', 'backfill', 'DONE'],
      ['2026-03-04', 'backfill', 'DONE'],
      ['2026-03-05', 'backfill', 'DONE'],
      ['2026-03-06', 'backfill', 'DONE'],
    ]);
  });

  it('leaves live state alone for dates before last_evaluated_date', async () => {
    await insertTest(db);
    await addDaily(db, [
      ['2026-03-02T16:00:00Z', 0.35, 0],
      ['2026-03-08T16:00:00Z', 0.2, 0],
    ]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    const live = (await db.exec('SELECT * FROM fhq_calendar.canonical_test_events')).rows;
    await backfill(db.pool, { dates: ['2026-03-03', '2026-03-04'], settings });
    expect((await db.exec('SELECT * FROM fhq_calendar.canonical_test_events')).rows).toEqual(live);
    expect((await db.exec<{ n: number }>('SELECT count(*)::int AS n FROM fhq_calendar.test_runbook_entries')).rows[0]!.n).toBe(3);
  });

  it('stops after a date whose files fail: the date committed meanwhile is finished, and a re-run writes what is missing', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    let finishing = 0;
    // The second date's files fail (as a full disk would) while the third date's transaction runs.
    const onPhase = (phase: string) => {
      if (phase === 'committed' && ++finishing === 2) throw new Error('no space left here');
    };
    const reported: string[] = [];
    const dates = ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'];
    await expect(backfill(db.pool, { dates, settings, onPhase, onDate: (date) => void reported.push(date) })).rejects.toThrow(
      'no space left here',
    );
    expect(reported).toEqual(['2026-03-03']);
    expect((await ledger()).map((r) => [r.d, r.outcome, r.error])).toEqual([
      ['2026-03-03', 'DONE', null],
      ['2026-03-04', 'FAILED', 'no space left here'],
      ['2026-03-05', 'DONE', null],
    ]);
    expect(readdirSync(settings.evidenceDir).sort()).toEqual(['ORCHESTRATOR_T-001_20260303.json', 'ORCHESTRATOR_T-001_20260305.json']);
    expect(readdirSync(settings.reportsDir).sort()).toEqual(['RUNBOOK_20260303.md', 'RUNBOOK_20260305.md']);
    const audit = async () => (await verifyRecord(db.pool, { evidenceDir: settings.evidenceDir, zone: settings.zone })).problems;
    expect((await audit()).map((p) => [p.test_code, p.run_date, p.kind])).toEqual([['T-001', '2026-03-04', 'file-missing']]);

    await backfill(db.pool, { dates: ['2026-03-04'], settings });
    expect(readdirSync(settings.reportsDir).sort()).toEqual(['RUNBOOK_20260303.md', 'RUNBOOK_20260304.md', 'RUNBOOK_20260305.md']);
    expect(await audit()).toEqual([]);
  });

  it('runs the dates one after the other when a connection limit refuses its second connection', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    const role = `one_connection_${randomBytes(4).toString('hex')}`;
    await db.exec(`CREATE ROLE ${role} LOGIN PASSWORD 'one' CONNECTION LIMIT 1 IN ROLE canonical_evaluator`);
    const uri = new URL(db.uri);
    uri.username = role;
    uri.password = 'one';
    const pool = await openPool(uri.toString());
    try {
      const summary = await backfill(pool, { dates: ['2026-03-03', '2026-03-04', '2026-03-05'], settings });
      expect(summary).toMatchObject({ datesDone: 3, testsEvaluated: 3, exitCode: 0 });
      expect((await ledger()).map((r) => [r.d, r.outcome])).toEqual([
        ['2026-03-03', 'DONE'],
        ['2026-03-04', 'DONE'],
        ['2026-03-05', 'DONE'],
      ]);
      expect(readdirSync(settings.reportsDir).sort()).toEqual(['RUNBOOK_20260303.md', 'RUNBOOK_20260304.md', 'RUNBOOK_20260305.md']);
      // The limit held: the role never had a second session.
      await expect(pool.connect(() => pool.connect(() => Promise.resolve()))).rejects.toThrow(/too many connections for role/);
    } finally {
      await pool.end();
      await db.exec(`DROP ROLE ${role}`);
    }
  });

  it('stops at the first halted date with exit code 3', async () => {
    const id = await insertTest(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    const dates = ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'];
    const summary = await backfill(db.pool, {
      dates,
      settings,
      // An operator breaks the definition while the backfill is under way. A date is reported once its files are
      // written, and the next date's transaction runs meanwhile: the edit after 03-03 is first seen by 03-05.
      onDate: async (date) => {
        if (date === '2026-03-03')
          await db.exec(`UPDATE fhq_calendar.canonical_test_events SET escalation_path = NULL WHERE test_id = $1`, [id]);
      },
    });
    expect(summary).toEqual({
      datesDone: 3,
      testsEvaluated: 3,
      escalationAlerts: 0,
      resolutions: 0,
      halts: 1,
      haltedAt: '2026-03-05',
      exitCode: 3,
    });
    expect((await ledger()).at(-1)).toMatchObject({ d: summary.haltedAt, outcome: 'HALTED', exit_code: 3 });
    expect(existsSync(join(settings.evidenceDir, `ORCHESTRATOR_HALT_${summary.haltedAt!.replaceAll('-', '')}.json`))).toBe(true);
    expect((await ledger()).length).toBe(summary.datesDone);
  });
});

describe('the run ledger', () => {
  it('records success, halt and a failing source (exit 1, the test in SYSTEM_ERROR for the date)', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    await runDate(db.pool, { date: '2026-03-03', settings });
    await db.exec(`UPDATE fhq_calendar.canonical_test_events SET failure_criteria = NULL`);
    await runDate(db.pool, { date: '2026-03-04', settings });
    await db.exec(`UPDATE fhq_calendar.canonical_test_events SET failure_criteria = '{"any":[{"metric":"brier","op":">","value":0.3}]}'`);
    // A source that fails at query time (division by zero inside the view).
    await db.exec(`CREATE VIEW fixture.broken AS SELECT ts, brier / 0 AS brier FROM fixture.daily`);
    await db.exec(`UPDATE fhq_calendar.test_signal_registry SET source_table = 'broken' WHERE signal_key = 'brier'`);
    await grantSources(db);
    const result = await runDate(db.pool, { date: '2026-03-05', settings });
    expect(result.exitCode).toBe(1);
    expect(result.plan.failedSignals).toEqual([{ key: 'brier', source: 'fixture.broken', message: 'division by zero' }]);
    expect(await ledger()).toEqual([
      {
        d: '2026-03-03',
        mode: 'daily',
        outcome: 'DONE',
        exit_code: 0,
        tests_evaluated: 1,
        escalations: 0,
        resolutions: 0,
        alerts: 0,
        error: null,
      },
      {
        d: '2026-03-04',
        mode: 'daily',
        outcome: 'HALTED',
        exit_code: 3,
        tests_evaluated: 1,
        escalations: 0,
        resolutions: 0,
        alerts: 1,
        error: null,
      },
      {
        d: '2026-03-05',
        mode: 'daily',
        outcome: 'DONE',
        exit_code: 1,
        tests_evaluated: 1,
        escalations: 0,
        resolutions: 0,
        alerts: 1,
        error: 'signal brier (fixture.broken): division by zero',
      },
    ]);
    expect(
      (await db.exec(`SELECT escalation_state, ceo_action_required FROM fhq_calendar.test_runbook_entries WHERE run_date = '2026-03-05'`))
        .rows,
    ).toEqual([{ escalation_state: 'SYSTEM_ERROR', ceo_action_required: true }]);
    expect(
      (await db.exec(`SELECT severity, alert_type, message FROM fhq_calendar.ceo_calendar_alerts WHERE run_date = '2026-03-05'`)).rows,
    ).toEqual([{ severity: 'CRITICAL', alert_type: 'SIGNAL_ERROR', message: 'signal brier (fixture.broken): division by zero' }]);
  });
});

describe('missed days', () => {
  it('raises one MISSED_RUN warning naming the dates since the last daily run; --catch-up fills them oldest first', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    expect(await catchUpDates(db.pool, '2026-03-13')).toEqual(['2026-03-11', '2026-03-12']);
    await runDate(db.pool, { date: '2026-03-13', settings });
    const { rows } = await db.exec(
      `SELECT test_id, run_date::text AS d, severity, message FROM fhq_calendar.ceo_calendar_alerts WHERE alert_type = 'MISSED_RUN'`,
    );
    expect(rows).toEqual([
      { test_id: null, d: '2026-03-13', severity: 'WARNING', message: 'No completed run for: 2026-03-11, 2026-03-12.' },
    ]);
    expect(readFileSync(join(settings.reportsDir, 'RUNBOOK_20260313.md'), 'utf8')).toContain(
      '| WARNING | MISSED_RUN | (run) | 2 day(s) without a completed run | No completed run for: 2026-03-11, 2026-03-12. | Evaluate them: canonical-tests run --catch-up (or backfill --from 2026-03-11 --to 2026-03-12) |\n',
    );

    const out = tempDir('catchup');
    // "Today" of the executable is the real today: taken in a zone where it is about noon now, it cannot
    // turn into tomorrow between the test's reading and the executable's, however slow the machine.
    const zone = zoneAtNoon(new Date());
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
    const threeDaysAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 3 * 86_400_000).toISOString().slice(0, 10); // calendar arithmetic
    await db.exec(
      `INSERT INTO fhq_calendar.evaluator_runs (run_id, as_of_date, mode, outcome) VALUES (gen_random_uuid(), $1, 'daily', 'DONE')`,
      [threeDaysAgo],
    );
    const missed = await catchUpDates(db.pool, today);
    expect(missed.length).toBe(2);
    const result = await cli(['run', '--catch-up', '--zone', zone], out, { DATABASE_URL: db.uri });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`catching up 2 missed day(s): ${missed.join(', ')}`);
    expect((await ledger()).slice(-3).map((r) => [r.d, r.mode])).toEqual([
      [missed[0], 'backfill'],
      [missed[1], 'backfill'],
      [today, 'daily'],
    ]);
    expect(await catchUpDates(db.pool, today)).toEqual([]);
  });
});

describe('one run at a time, status and logs from the real executable', () => {
  it('two processes at once: exactly one row per test and date, each exits 0 or 5; the lock holder is named', async () => {
    await insertTest(db);
    await insertTest(db, { test_code: 'T-002' });
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    const out = tempDir('race');
    const results = await Promise.all([0, 1].map(() => cli(['run', '--date', '2026-03-05'], out, { DATABASE_URL: db.uri })));
    expect(results.map((r) => r.code).every((c) => c === 0 || c === 5)).toBe(true);
    expect(results.some((r) => r.code === 0)).toBe(true);
    const { rows } = await db.exec(`SELECT test_id, count(*)::int AS n FROM fhq_calendar.test_runbook_entries GROUP BY test_id`);
    expect(rows.map((r) => r.n)).toEqual([1, 1]);

    await db.pool.connect(async (holder) => {
      await holder.query(sql.unsafe`SELECT pg_advisory_lock(${RUN_LOCK})`);
      await holder.query(
        sql.unsafe`INSERT INTO fhq_calendar.evaluator_runs (run_id, as_of_date, mode) VALUES ('00000000-0000-4000-8000-0000000000aa', '2026-03-06', 'daily')`,
      );
      const locked = await cli(['run', '--date', '2026-03-06'], out, { DATABASE_URL: db.uri });
      await holder.query(sql.unsafe`SELECT pg_advisory_unlock(${RUN_LOCK})`);
      expect(locked.code).toBe(5);
      expect(locked.stderr).toMatch(
        /holds the run lock on this database: run 00000000-0000-4000-8000-0000000000aa \(daily 2026-03-06, since \d{4}-\d\d-\d\dT[\d:.]+Z\); nothing was written/,
      );
    });
  });

  it('status --json is one JSON document; the log has the run id on every line and no password', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    const out = tempDir('status');
    const url = new URL(db.uri);
    // The embedded server has a generated password; a trust-auth server ignores one we add.
    if (!url.password) url.password = 'Sup3rSecretPw';
    const secret = decodeURIComponent(url.password);
    expect((await cli(['run', '--date', '2026-03-05'], out, { DATABASE_URL: url.toString() })).code).toBe(0);
    const status = await cli(['status', '--json'], out, { DATABASE_URL: url.toString() });
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as { tests: unknown[]; last_run: Record<string, unknown> | null };
    expect(doc.tests).toEqual([
      {
        test_code: 'T-001',
        test_name: 'Forecast pipeline change',
        days_elapsed: 5,
        required_days: 30,
        days_remaining: 25,
        is_overdue: false,
        escalation_state: 'NONE',
        escalated_since: null,
        ceo_action_required: false,
        verdict: 'PENDING',
        last_evaluated_date: '2026-03-05',
        pending_metrics: [],
      },
    ]);
    expect(doc.last_run).toMatchObject({ as_of_date: '2026-03-05', mode: 'backfill', outcome: 'DONE', exit_code: 0 });
    const lines = readFileSync(join(out, 'logs', 'canonical-tests.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['run_started', 'run_finished']);
    expect(new Set(lines.map((l) => l.run_id)).size).toBe(1);
    expect(lines[0]!.run_id).toBe(doc.last_run!.run_id);
    const everything = [
      status.stdout,
      status.stderr,
      readFileSync(join(out, 'logs', 'canonical-tests.log'), 'utf8'),
      ...readdirSync(join(out, 'evidence')).map((f) => readFileSync(join(out, 'evidence', f), 'utf8')),
      ...readdirSync(join(out, 'reports')).map((f) => readFileSync(join(out, 'reports', f), 'utf8')),
    ].join('\n');
    expect(everything).not.toContain(secret);
  });

  it('schedule --output writes UTF-16LE with a BOM; --install refuses off Windows with exit 2, writing nothing', async () => {
    const out = tempDir('schedule');
    const written = await cli(['schedule', '--time', '06:00', '--zone', 'Europe/Oslo', '--output', 'task.xml'], out, {});
    expect(written.code).toBe(0);
    const bytes = readFileSync(join(out, 'task.xml'));
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const xml = bytes.subarray(2).toString('utf16le');
    expect(xml).toContain('<StartBoundary>2026-01-01T06:00:00</StartBoundary>');
    expect(xml).toContain('--wait-for-db 300');
    if (process.platform !== 'win32') {
      // The executable's temporary folder is one of the test's own, so "nothing written there" is exact.
      const tmp = tempDir('schedule-tmp');
      for (const args of [
        ['schedule', '--install'],
        ['schedule', '--install', '--output', 'installed.xml'],
      ]) {
        const install = await cli(args, out, { TMPDIR: tmp, TEMP: tmp, TMP: tmp });
        expect(install.code).toBe(2);
        expect(install.stdout).toBe('');
        expect(install.stderr).toContain(
          'canonical-tests: --install: only works on Windows (it registers the task with schtasks); this is ',
        );
        expect(readdirSync(tmp)).toEqual([]);
        expect(readdirSync(out)).toEqual(['task.xml']);
      }
    }
  });
});
