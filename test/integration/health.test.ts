import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/run/health.js';
import { sql } from 'slonik';
import { RUN_LOCK } from '../../src/db/session.js';
import { runDate } from '../../src/run/runDate.js';
import { runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, insertTest, tempSettings } from '../helpers/fixtures.js';
import { addLedgerRows } from '../helpers/ledger.js';
import { keysOf } from '../helpers/json.js';
import { tempDir } from '../helpers/tempDir.js';
import { addDays, todayInZone, zoneAtNoon } from '../helpers/zone.js';

let db: TestDatabase;
let cwd: string;
// "Today" of the executable is the real today: in a zone where it is about noon, it cannot change during the test.
let zone: string;
let today: string;

beforeEach(async () => {
  db = await freshDatabase();
  cwd = tempDir('health');
  zone = zoneAtNoon();
  today = todayInZone(zone);
});
afterEach(async () => {
  await db.drop();
});

const health = (...args: string[]) => runCli(['health', '--zone', zone, ...args], cwd, { DATABASE_URL: db.uri });
const lines = (stdout: string) => stdout.trimEnd().split('\n');

const HEALTHY_TAIL = ['OK   SYSTEM_ERROR tests: none', 'OK   unacknowledged CRITICAL alerts: none'];

describe('health', () => {
  it('exit 0 after a real daily run today: every line OK; --strict too; --json is one snake_case document', async () => {
    const run = await runCli(['run', '--zone', zone], cwd, { DATABASE_URL: db.uri });
    expect(run.code).toBe(0);
    const out = await health();
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const [daily, missed, recent, ...rest] = lines(out.stdout);
    expect(daily).toMatch(new RegExp(`^OK   last daily run: ${today} DONE \\(exit 0\\), finished \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`));
    expect(missed).toBe('OK   missed days: none');
    expect(recent).toMatch(new RegExp(`^OK   recent run: daily ${today} finished DONE at \\S+Z, within the last 26 hours$`));
    expect(rest).toEqual([...HEALTHY_TAIL, 'healthy']);
    expect((await health('--strict')).code).toBe(0);

    const json = await health('--json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as HealthReport;
    expect(keysOf(doc).every((k) => /^[a-z0-9_]+$/.test(k))).toBe(true);
    expect(doc).toMatchObject({
      healthy: true,
      strict: false,
      today,
      zone,
      missed_dates: [],
      missed_ranges: [],
      system_error_tests: [],
      unacknowledged_critical_alerts: [],
      last_daily_run: { as_of_date: today, mode: 'daily', outcome: 'DONE', exit_code: 0 },
      last_done_run: { as_of_date: today, mode: 'daily', within_hours: true },
    });
    expect(doc.checks.map((c) => [c.check, c.status])).toEqual([
      ['last_daily_run', 'OK'],
      ['missed_days', 'OK'],
      ['recent_run', 'OK'],
      ['system_error_test', 'OK'],
      ['critical_alert', 'OK'],
    ]);
  });

  it('exit 1 when no daily run is recorded (only backfills, as the demo leaves): no missed day, but nothing recent', async () => {
    await addLedgerRows(
      db,
      ['2020-02-03', '2020-02-04', '2020-03-04'].map((date) => ({
        date,
        mode: 'backfill',
        outcome: 'DONE',
        startedAgo: '30 days',
        finishedAgo: '30 days',
      })),
    );
    const out = await health();
    expect(out.code).toBe(1);
    expect(lines(out.stdout)).toEqual([
      'FAIL last daily run: none recorded — schedule the daily run (canonical-tests schedule) or start one: canonical-tests run',
      'OK   missed days: none',
      expect.stringMatching(
        /^FAIL recent run: no run finished DONE in the last 26 hours \(the last one finished \S+Z\) — check that the scheduled daily run starts \(canonical-tests schedule\) and read logs\/canonical-tests\.log, then run canonical-tests run --catch-up$/,
      ),
      ...HEALTHY_TAIL,
      'unhealthy: 2 problem(s)',
    ]);
  });

  it('exit 1 when the last daily run halted; exit 0 once the date was run again to DONE', async () => {
    await addLedgerRows(db, [
      { date: addDays(today, -1), mode: 'daily', outcome: 'DONE', startedAgo: '1 day' },
      { date: today, mode: 'daily', outcome: 'HALTED', exitCode: 3, startedAgo: '2 hours' },
    ]);
    const halted = await health();
    expect(halted.code).toBe(1);
    expect(lines(halted.stdout)[0]).toBe(
      `FAIL last daily run: ${today} HALTED (exit 3): halted by the fail-closed gate — read ${join('evidence', `ORCHESTRATOR_HALT_${today.replaceAll('-', '')}.json`)}, fix the definitions until canonical-tests check exits 0, then run canonical-tests run --date ${today}`,
    );
    expect(lines(halted.stdout).slice(1)).toEqual([
      'OK   missed days: none',
      expect.stringMatching(/^OK {3}recent run: daily /),
      ...HEALTHY_TAIL,
      'unhealthy: 1 problem(s)',
    ]);

    await addLedgerRows(db, [{ date: today, mode: 'backfill', outcome: 'DONE', startedAgo: '10 minutes' }]);
    const repaired = await health();
    expect(repaired.code).toBe(0);
    expect(lines(repaired.stdout)[0]).toBe(`OK   last daily run: ${today} HALTED (exit 3); the date was run again since, DONE`);
  });

  it('exit 1 when the last daily run failed a source (DONE, exit 1), failed, or never finished', async () => {
    const cases = [
      {
        row: { outcome: 'DONE', exitCode: 1, error: 'signal brier (fixture.broken): division by zero' },
        line: `FAIL last daily run: ${today} DONE (exit 1): signal brier (fixture.broken): division by zero — fix the failing source (docs/alerts.md, SIGNAL_ERROR), then run canonical-tests run --date ${today}`,
      },
      {
        row: { outcome: 'FAILED', exitCode: 1, error: 'permission denied for table evaluator_runs' },
        line: `FAIL last daily run: ${today} FAILED (exit 1): permission denied for table evaluator_runs — read logs/canonical-tests.log and fix the cause, then run canonical-tests run --date ${today}`,
      },
      {
        row: { outcome: 'RUNNING', exitCode: null, finishedAgo: null },
        line: `FAIL last daily run: ${today} never finished: its process ended (killed, or its connection was lost) before recording a finish — run canonical-tests run --date ${today}`,
      },
    ] as const;
    for (const { row, line } of cases) {
      await db.exec('DELETE FROM fhq_calendar.evaluator_runs');
      await addLedgerRows(db, [
        { date: addDays(today, -1), mode: 'daily', outcome: 'DONE', startedAgo: '1 day' },
        { date: today, mode: 'daily', startedAgo: '2 hours', ...row },
      ]);
      const out = await health();
      expect(out.code, line).toBe(1);
      expect(lines(out.stdout)[0]).toBe(line);
      expect(lines(out.stdout).at(-1)).toBe('unhealthy: 1 problem(s)');
    }
  });

  it('exit 1 when days were missed since the last daily run: the line names them as ranges and says --catch-up', async () => {
    await addLedgerRows(db, [
      { date: addDays(today, -6), mode: 'daily', outcome: 'DONE', startedAgo: '1 day', finishedAgo: '2 hours' },
      { date: addDays(today, -3), mode: 'backfill', outcome: 'DONE', startedAgo: '30 minutes' },
    ]);
    const out = await health();
    expect(out.code).toBe(1);
    expect(lines(out.stdout)[1]).toBe(
      `FAIL missed days: 4: ${addDays(today, -5)} … ${addDays(today, -4)} (2 days), ${addDays(today, -2)} … ${addDays(today, -1)} (2 days) — run canonical-tests run --catch-up`,
    );
    expect(lines(out.stdout).filter((l) => l.startsWith('FAIL'))).toHaveLength(1);
    const doc = JSON.parse((await health('--json')).stdout) as HealthReport;
    expect(doc.missed_dates).toEqual([addDays(today, -5), addDays(today, -4), addDays(today, -2), addDays(today, -1)]);
    expect(doc.missed_ranges).toEqual([
      { from: addDays(today, -5), to: addDays(today, -4), days: 2 },
      { from: addDays(today, -2), to: addDays(today, -1), days: 2 },
    ]);
  });

  it('exit 1 when no run finished DONE in the last 26 hours', async () => {
    await addLedgerRows(db, [
      { date: addDays(today, -1), mode: 'daily', outcome: 'DONE', startedAgo: '28 hours', finishedAgo: '27 hours' },
    ]);
    const out = await health();
    expect(out.code).toBe(1);
    expect(lines(out.stdout).slice(1)).toEqual([
      'OK   missed days: none',
      expect.stringMatching(
        /^FAIL recent run: no run finished DONE in the last 26 hours \(the last one finished \S+Z\) — check that the scheduled/,
      ),
      ...HEALTHY_TAIL,
      'unhealthy: 1 problem(s)',
    ]);
  });

  it('lists SYSTEM_ERROR tests and unacknowledged CRITICAL alerts: exit 0 (WARN), exit 1 with --strict (FAIL)', async () => {
    await createSources(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    await insertTest(db, { test_code: 'T-BAD', failure_criteria: null });
    // A halted backfill: T-BAD in SYSTEM_ERROR with a CRITICAL SYSTEM_ERROR alert.
    expect((await runDate(db.pool, { date: '2026-03-04', settings: tempSettings(), mode: 'backfill' })).exitCode).toBe(3);
    // An acknowledged CRITICAL alert and an open WARNING are not listed.
    await db.exec(`INSERT INTO fhq_calendar.ceo_calendar_alerts (run_date, severity, alert_type, title, message, acknowledged_at) VALUES
                     ('2026-03-01', 'CRITICAL', 'SIGNAL_ERROR', 'seen', 'seen', now()),
                     ('2026-03-02', 'WARNING', 'MISSED_RUN', '1 day(s) without a completed run', 'x', NULL)`);
    await addLedgerRows(db, [{ date: today, mode: 'daily', outcome: 'DONE' }]);
    const systemError =
      'T-BAD (Forecast pipeline change), since 2026-03-04 — fix its definition or its source (canonical-tests check names the defect), then run canonical-tests run --date 2026-03-04';
    const alert =
      '2026-03-04 SYSTEM_ERROR T-BAD: incomplete definition, run halted — deal with it (docs/alerts.md, SYSTEM_ERROR), then acknowledge it (set acknowledged_at)';

    const lenient = await health();
    expect(lenient.code).toBe(0);
    expect(lines(lenient.stdout).slice(3)).toEqual([
      `WARN SYSTEM_ERROR tests: ${systemError}`,
      `WARN unacknowledged CRITICAL alerts: ${alert}`,
      'healthy, with 2 warning(s) (--strict fails on them)',
    ]);

    const strict = await health('--strict');
    expect(strict.code).toBe(1);
    expect(lines(strict.stdout).slice(3)).toEqual([
      `FAIL SYSTEM_ERROR tests: ${systemError}`,
      `FAIL unacknowledged CRITICAL alerts: ${alert}`,
      'unhealthy: 2 problem(s)',
    ]);
    const json = await health('--strict', '--json');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as HealthReport;
    expect(doc.healthy).toBe(false);
    expect(doc.system_error_tests).toEqual([
      { test_code: 'T-BAD', test_name: 'Forecast pipeline change', last_evaluated_date: '2026-03-04', error_date: '2026-03-04' },
    ]);
    expect(doc.unacknowledged_critical_alerts.map(({ alert_id: _id, ...alert }) => alert)).toEqual([
      {
        run_date: '2026-03-04',
        alert_type: 'SYSTEM_ERROR',
        test_code: 'T-BAD',
        title: 'T-BAD: incomplete definition, run halted',
      },
    ]);
  });

  it('a daily run still going (its session holds the run lock) is not judged: the one before it is', async () => {
    await addLedgerRows(db, [{ date: addDays(today, -1), mode: 'daily', outcome: 'DONE', startedAgo: '1 day', finishedAgo: '2 hours' }]);
    await db.pool.connect(async (holder) => {
      await holder.query(sql.unsafe`SELECT pg_advisory_lock(${RUN_LOCK})`);
      await holder.query(
        sql.unsafe`INSERT INTO fhq_calendar.evaluator_runs (run_id, as_of_date, mode) VALUES (gen_random_uuid(), ${today}::date, 'daily')`,
      );
      const out = await health();
      await holder.query(sql.unsafe`SELECT pg_advisory_unlock(${RUN_LOCK})`);
      expect(out.code).toBe(0);
      expect(lines(out.stdout)[0]).toMatch(new RegExp(`^OK {3}last daily run: ${addDays(today, -1)} DONE \\(exit 0\\), finished `));
    });
  });

  it('exit 2 without a configured database and 4 when it cannot be reached, as every command', async () => {
    expect((await runCli(['health'], cwd)).code).toBe(2);
    const refused = await runCli(['health'], cwd, { DATABASE_URL: 'postgres://someone:pw@127.0.0.1:1/nowhere' });
    expect(refused.code).toBe(4);
    expect(refused.stdout).toBe('');
  });

  it('on a database that was never migrated: exit 1, saying to migrate', async () => {
    await db.exec('DROP SCHEMA fhq_calendar CASCADE');
    const out = await health();
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      'canonical-tests: the database has no fhq_calendar.evaluator_runs: it was never migrated; run canonical-tests migrate (as an administrator)\n',
    );
  });

  it('--help names both options', async () => {
    const help = await runCli(['health', '--help'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--strict');
    expect(help.stdout).toContain('--json');
  });
});
