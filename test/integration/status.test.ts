import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backfill } from '../../src/run/backfill.js';
import type { StatusReport } from '../../src/run/status.js';
import { runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, grantSources, insertTest, tempSettings } from '../helpers/fixtures.js';
import { addLedgerRows } from '../helpers/ledger.js';
import { keysOf } from '../helpers/json.js';
import { tempDir } from '../helpers/tempDir.js';
import { addDays, todayInZone, zoneAtNoon } from '../helpers/zone.js';

let db: TestDatabase;
let cwd: string;
let zone: string;
let today: string;

beforeEach(async () => {
  db = await freshDatabase();
  await createSources(db);
  cwd = tempDir('status');
  zone = zoneAtNoon();
  today = todayInZone(zone);
});
afterEach(async () => {
  await db.drop();
});

const status = (...args: string[]) => runCli(['status', '--zone', zone, ...args], cwd, { DATABASE_URL: db.uri });
const lines = (stdout: string) => stdout.trimEnd().split('\n');

/**
 * T-001 escalates on 2026-03-04 (brier 0.35 > 0.30) and still is on 2026-03-06;
 * T-PEND's metric has no row at all; T-LATER has never been evaluated.
 */
async function scenario(): Promise<void> {
  await db.exec(`
    CREATE TABLE fixture.empty (ts timestamptz NOT NULL, x double precision);
    INSERT INTO fhq_calendar.test_signal_registry (signal_key, source_schema, source_table, source_column, time_column, aggregation)
    VALUES ('empty_x', 'fixture', 'empty', 'x', 'ts', 'LATEST');`);
  await grantSources(db);
  await addDaily(db, [
    ['2026-03-02T16:00:00Z', 0.2, 0],
    ['2026-03-03T16:00:00Z', 0.35, 0],
  ]);
  await insertTest(db);
  await insertTest(db, {
    test_code: 'T-PEND',
    test_name: 'Waits for data',
    baseline_definition: { empty_x: 1 },
    target_metrics: {},
    success_criteria: { all: [{ metric: 'empty_x', op: '<=', value: 1 }] },
    failure_criteria: { any: [{ metric: 'empty_x', op: '>', value: 2 }] },
  });
  const summary = await backfill(db.pool, { dates: ['2026-03-04', '2026-03-05', '2026-03-06'], settings: tempSettings() });
  expect(summary.exitCode).toBe(0);
  await insertTest(db, { test_code: 'T-LATER', test_name: 'Not evaluated yet', start_ts: '2026-03-20T00:00:00+01:00' });
}

describe('status', () => {
  it('prints an aligned table (Day n of N, escalation since, pending metrics, — for unknown), the last runs and missed days as ranges', async () => {
    await scenario();
    await addLedgerRows(db, [
      { date: addDays(today, -10), mode: 'daily', outcome: 'DONE', startedAgo: '10 days' },
      { date: addDays(today, -5), mode: 'backfill', outcome: 'DONE', startedAgo: '5 days' },
    ]);
    const out = await status();
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const text = lines(out.stdout);
    expect(text.slice(0, 6)).toEqual([
      `3 ACTIVE test(s) (${today}, ${zone})`,
      '',
      'TEST     NAME                      DAY          REMAINING  ESCALATION                  CEO ACTION  VERDICT  LAST EVALUATED  PENDING METRICS',
      'T-001    Forecast pipeline change  Day 6 of 30  24         ESCALATED since 2026-03-04  yes         PENDING  2026-03-06      —',
      'T-PEND   Waits for data            Day 6 of 30  24         NONE                        no          PENDING  2026-03-06      empty_x',
      'T-LATER  Not evaluated yet         —            —          NONE                        no          PENDING  —               —',
    ]);
    expect(text.slice(6, 9)).toEqual([
      '',
      expect.stringMatching(/^last run: {7}backfill 2026-03-06 DONE \(exit 0\), started \S+Z$/),
      expect.stringMatching(new RegExp(`^last daily run: daily ${addDays(today, -10)} DONE \\(exit 0\\), started \\S+Z$`)),
    ]);
    expect(text.slice(9)).toEqual([
      'missed days:    8, since the last completed daily run — run canonical-tests run --catch-up',
      `  ${addDays(today, -9)} … ${addDays(today, -6)} (4 days)`,
      `  ${addDays(today, -4)} … ${addDays(today, -1)} (4 days)`,
    ]);
    // No console.table artefacts.
    expect(out.stdout).not.toContain('(index)');
    expect(out.stdout).not.toContain("'");
  });

  it('--json is one document with snake_case keys only: tests, last_run, last_daily_run, missed_dates, missed_ranges', async () => {
    await scenario();
    await addLedgerRows(db, [{ date: addDays(today, -3), mode: 'daily', outcome: 'DONE', startedAgo: '3 days' }]);
    const out = await status('--json');
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout) as StatusReport;
    expect(keysOf(doc).every((k) => /^[a-z0-9_]+$/.test(k))).toBe(true);
    expect(Object.keys(doc)).toEqual(['today', 'zone', 'tests', 'last_run', 'last_daily_run', 'missed_dates', 'missed_ranges']);
    expect(doc.tests[0]).toEqual({
      test_code: 'T-001',
      test_name: 'Forecast pipeline change',
      days_elapsed: 6,
      required_days: 30,
      days_remaining: 24,
      is_overdue: false,
      escalation_state: 'ESCALATED',
      escalated_since: '2026-03-04',
      ceo_action_required: true,
      verdict: 'PENDING',
      last_evaluated_date: '2026-03-06',
      pending_metrics: [],
    });
    expect(doc.tests.map((t) => t.test_code)).toEqual(['T-001', 'T-PEND', 'T-LATER']);
    expect(doc.tests[1]!.pending_metrics).toEqual(['empty_x']);
    expect(doc.last_daily_run).toMatchObject({ as_of_date: addDays(today, -3), mode: 'daily', outcome: 'DONE', exit_code: 0 });
    expect(doc.missed_dates).toEqual([addDays(today, -2), addDays(today, -1)]);
    expect(doc.missed_ranges).toEqual([{ from: addDays(today, -2), to: addDays(today, -1), days: 2 }]);
  });

  it('backfills and demo runs alone never make a day missed (missed days count from the last daily run)', async () => {
    // As the demo leaves its ledger: every day of the EC-022 window of 2020, recorded as backfill runs.
    await addLedgerRows(
      db,
      Array.from({ length: 31 }, (_, i) => ({ date: addDays('2020-02-03', i), mode: 'backfill' as const, outcome: 'DONE' as const })),
    );
    const out = await status();
    expect(out.code).toBe(0);
    expect(lines(out.stdout)).toEqual([
      `no ACTIVE tests (${today}, ${zone})`,
      '',
      expect.stringMatching(/^last run: {7}backfill 2020-0[23]-\d\d DONE \(exit 0\), started \S+Z$/),
      'last daily run: none recorded',
      'missed days:    none (no daily run recorded yet: days count as missed only after the last daily run; backfills and the demo never do)',
    ]);
    const doc = JSON.parse((await status('--json')).stdout) as StatusReport;
    expect(doc.missed_dates).toEqual([]);
    expect(doc.last_daily_run).toBeNull();
  });

  it('on a database that was never migrated: exit 1, saying to migrate', async () => {
    await db.exec('DROP SCHEMA fhq_calendar CASCADE');
    const out = await status();
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      'canonical-tests: the database has no fhq_calendar.evaluator_runs: it was never migrated; run canonical-tests migrate (as an administrator)\n',
    );
  });
});
