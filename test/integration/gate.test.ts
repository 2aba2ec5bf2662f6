import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { runDate } from '../../src/run/runDate.js';
import { checkDefinitions } from '../../src/run/check.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, insertTest, LIFT_ONLY_TEST, tempSettings, type TestFixture } from '../helpers/fixtures.js';

let db: TestDatabase;
let settings: Settings;

beforeEach(async () => {
  db = await freshDatabase();
  await createSources(db);
  await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
  settings = tempSettings();
});
afterEach(async () => {
  await db.drop();
});

interface DefectCase {
  name: string;
  test?: TestFixture;
  /** SQL run before the run (registry defects). */
  setup?: string;
  field: string;
  problem: string;
}

const cases: DefectCase[] = [
  { name: 'missing start_ts', test: { start_ts: null }, field: 'start_ts', problem: 'is missing: the window has no start' },
  { name: 'missing end_ts', test: { end_ts: null }, field: 'end_ts', problem: 'is missing: the window has no end' },
  {
    name: 'start after end',
    test: { start_ts: '2026-04-01T00:00:00Z' },
    field: 'end_ts',
    problem: 'is not after start_ts (2026-04-01T00:00:00.000Z → 2026-03-30T21:59:59.000Z)',
  },
  { name: 'missing success_criteria', test: { success_criteria: null }, field: 'success_criteria', problem: 'is missing' },
  { name: 'missing failure_criteria', test: { failure_criteria: null }, field: 'failure_criteria', problem: 'is missing' },
  { name: 'no escalation path', test: { escalation_path: null }, field: 'escalation_path', problem: 'is missing: no escalation path' },
  {
    name: 'escalation path without notify',
    test: { escalation_path: { owner: 'x' } },
    field: 'escalation_path.notify',
    problem: 'is missing: no escalation path',
  },
  {
    name: 'unknown op',
    test: { failure_criteria: { any: [{ metric: 'brier', op: '=>', value: 1 }] } },
    field: 'failure_criteria.any[0].op',
    problem: 'must be one of < <= > >= == !=',
  },
  {
    name: 'empty criteria list',
    test: { success_criteria: { all: [] } },
    field: 'success_criteria.all',
    problem: 'must not be an empty list',
  },
  {
    name: 'baseline missing for baseline_delta',
    test: { baseline_definition: {} },
    field: 'success_criteria.all[0]',
    problem: 'compares brier with its baseline, but baseline_definition has no brier',
  },
  {
    name: 'metric with no registry row',
    test: { failure_criteria: { any: [{ metric: 'nowhere', op: '>', value: 1 }] } },
    field: 'test_signal_registry.nowhere',
    problem: 'signal "nowhere" has no row in fhq_calendar.test_signal_registry',
  },
  {
    name: 'unknown aggregation',
    setup: `UPDATE fhq_calendar.test_signal_registry SET aggregation = 'MEDIAN_7D' WHERE signal_key = 'brier'`,
    field: 'test_signal_registry.brier',
    problem: 'aggregation "MEDIAN_7D" is not one of LATEST, AVG_7D, AVG_30D, SUM_7D, MIN_7D, MAX_7D, COUNT_7D',
  },
  {
    name: 'registry names a missing table',
    setup: `UPDATE fhq_calendar.test_signal_registry SET source_table = 'gone' WHERE signal_key = 'brier'`,
    field: 'test_signal_registry.brier',
    problem: 'source "fixture.gone" is not an existing table or view',
  },
  {
    name: 'registry column is SQL, not a column',
    setup: `UPDATE fhq_calendar.test_signal_registry SET source_column = 'brier; DROP TABLE fixture.daily; --' WHERE signal_key = 'brier'`,
    field: 'test_signal_registry.brier',
    problem: 'column "brier; DROP TABLE fixture.daily; --" does not exist in fixture.daily',
  },
  {
    name: 'registry time column is SQL',
    setup: `UPDATE fhq_calendar.test_signal_registry SET time_column = 'ts) OR (1=1' WHERE signal_key = 'brier'`,
    field: 'test_signal_registry.brier',
    problem: 'time_column "ts) OR (1=1" does not exist in fixture.daily',
  },
];

describe('the fail-closed gate halts the run', () => {
  for (const c of cases) {
    it(`on ${c.name}`, async () => {
      const bad = await insertTest(db, { test_code: 'BAD-1', ...c.test });
      const good = await insertTest(db, LIFT_ONLY_TEST);
      if (c.setup) await db.exec(c.setup);
      const result = await runDate(db.pool, { date: '2026-03-10', settings });

      expect(result.exitCode).toBe(3);
      expect(result.plan.defects.map((d) => [d.testCode, d.field, d.problem])).toEqual([['BAD-1', c.field, c.problem]]);
      const { rows: tests } = await db.exec(
        `SELECT test_code, escalation_state, ceo_action_required, days_elapsed, last_evaluated_date::text AS d
         FROM fhq_calendar.canonical_test_events ORDER BY test_code`,
      );
      expect(tests).toEqual([
        { test_code: 'BAD-1', escalation_state: 'SYSTEM_ERROR', ceo_action_required: true, days_elapsed: null, d: '2026-03-10' },
        { test_code: 'GOOD-1', escalation_state: 'NONE', ceo_action_required: false, days_elapsed: null, d: null },
      ]);
      const { rows: alerts } = await db.exec('SELECT test_id, severity, alert_type, message FROM fhq_calendar.ceo_calendar_alerts');
      expect(alerts).toEqual([
        { test_id: bad, severity: 'CRITICAL', alert_type: 'SYSTEM_ERROR', message: `BAD-1: ${c.field}: ${c.problem}` },
      ]);
      const { rows: runbook } = await db.exec('SELECT test_id, escalation_state FROM fhq_calendar.test_runbook_entries');
      expect(runbook).toEqual([{ test_id: bad, escalation_state: 'SYSTEM_ERROR' }]);
      expect(runbook.some((r) => r.test_id === good)).toBe(false);

      const halt = JSON.parse(readFileSync(`${settings.evidenceDir}/ORCHESTRATOR_HALT_20260310.json`, 'utf8')) as {
        defects: unknown[];
        tests_checked: string[];
      };
      expect(halt.defects).toEqual([{ test_code: 'BAD-1', test_id: bad, field: c.field, problem: c.problem }]);
      expect(halt.tests_checked).toEqual(['GOOD-1', 'BAD-1']);
      expect(existsSync(`${settings.evidenceDir}/ORCHESTRATOR_GOOD-1_20260310.json`)).toBe(false);
      // The source table survives a registry row that tried to smuggle SQL.
      expect((await db.exec<{ n: number }>('SELECT count(*)::int AS n FROM fixture.daily')).rows[0]!.n).toBe(1);
    });
  }

  it('reports every defect of every test, and `check` finds the same without writing', async () => {
    await insertTest(db, { test_code: 'BAD-1', start_ts: null, escalation_path: null });
    await insertTest(db, { test_code: 'BAD-2', failure_criteria: { any: [{ metric: 'brier', op: '>', value: 'high' }] } });
    const check = await checkDefinitions(db.pool, '2026-03-10', settings);
    expect(check.exitCode).toBe(3);
    const expected = [
      ['BAD-2', 'failure_criteria.any[0].value', 'must be a finite number or a boolean'],
      ['BAD-1', 'start_ts', 'is missing: the window has no start'],
      ['BAD-1', 'escalation_path', 'is missing: no escalation path'],
    ];
    expect(check.defects.map((d) => [d.testCode, d.field, d.problem])).toEqual(expected);
    expect((await db.exec<{ n: number }>('SELECT count(*)::int AS n FROM fhq_calendar.ceo_calendar_alerts')).rows[0]!.n).toBe(0);
    const result = await runDate(db.pool, { date: '2026-03-10', settings });
    expect(result.plan.defects.map((d) => [d.testCode, d.field, d.problem])).toEqual(expected);
    expect(
      (await db.exec<{ n: number }>(`SELECT count(*)::int AS n FROM fhq_calendar.ceo_calendar_alerts WHERE alert_type = 'SYSTEM_ERROR'`))
        .rows[0]!.n,
    ).toBe(2);
  });

  it('a test in SYSTEM_ERROR returns to NONE with an INFO alert once its definition passes', async () => {
    const id = await insertTest(db, { escalation_path: null });
    expect((await runDate(db.pool, { date: '2026-03-10', settings })).exitCode).toBe(3);
    await db.exec(`UPDATE fhq_calendar.canonical_test_events SET escalation_path = '{"notify":["ceo"]}' WHERE test_id = $1`, [id]);
    expect((await runDate(db.pool, { date: '2026-03-11', settings })).exitCode).toBe(0);
    const { rows } = await db.exec('SELECT escalation_state, ceo_action_required FROM fhq_calendar.canonical_test_events');
    expect(rows).toEqual([{ escalation_state: 'NONE', ceo_action_required: true }]);
    const { rows: alerts } = await db.exec(
      'SELECT run_date::text AS d, alert_type, severity FROM fhq_calendar.ceo_calendar_alerts ORDER BY run_date',
    );
    expect(alerts).toEqual([
      { d: '2026-03-10', alert_type: 'SYSTEM_ERROR', severity: 'CRITICAL' },
      { d: '2026-03-11', alert_type: 'ESCALATION_CLEARED', severity: 'INFO' },
    ]);
  });
});
