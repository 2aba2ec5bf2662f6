import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDate } from '../../src/run/runDate.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, grantSources, insertTest, tempSettings } from '../helpers/fixtures.js';

/**
 * Least privilege: the evaluator's login role (a member of
 * canonical_evaluator from sql/roles/) runs the whole job, yet cannot drop or
 * write a source, change a definition or the registry, delete an audit row or
 * create anything. Every other integration test also runs the evaluator as
 * this role (test/helpers/database.ts).
 */

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await createSources(db);
  await addDaily(db, [['2026-03-02T16:00:00Z', 0.35, 0]]);
  await insertTest(db);
});
afterAll(async () => {
  await db.drop();
});

/** Runs `text` as the evaluator's login role; returns the SQLSTATE it failed with, or 'ok'. */
async function asEvaluator(text: string): Promise<string> {
  const client = new pg.Client({ connectionString: db.uri });
  await client.connect();
  try {
    await client.query(text);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end();
  }
}

describe('the canonical_evaluator role', () => {
  it('is who the tests connect as: not a superuser, a member of canonical_evaluator', async () => {
    const client = new pg.Client({ connectionString: db.uri });
    await client.connect();
    const { rows } = await client.query(`SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
                                                pg_has_role(current_user, 'canonical_evaluator', 'MEMBER') AS member`);
    await client.end();
    expect(rows).toEqual([{ who: 'canonical_evaluator_ci', super: false, member: true }]);
  });

  it('runs a whole evaluation: progress, escalation, runbook row, alert, files', async () => {
    const result = await runDate(db.pool, { date: '2026-03-05', settings: tempSettings() });
    expect(result.exitCode).toBe(0);
    expect(result.plan.outcomes.map((o) => o.escalationState)).toEqual(['ESCALATED']);
    const { rows } = await db.exec(`SELECT escalation_state, last_evaluated_date::text AS d FROM fhq_calendar.canonical_test_events`);
    expect(rows).toEqual([{ escalation_state: 'ESCALATED', d: '2026-03-05' }]);
    expect(result.filesWritten.length).toBe(2);
  });

  it.each([
    ['drop a source table', 'DROP TABLE fixture.daily'],
    ['insert into a source table', `INSERT INTO fixture.daily VALUES (now(), 0.1, 0)`],
    ['update a source table', 'UPDATE fixture.daily SET brier = 0'],
    ['delete from a source table', 'DELETE FROM fixture.flags'],
    ['truncate a source table', 'TRUNCATE fixture.daily'],
    ['create a table in a source schema', 'CREATE TABLE fixture.mine (x int)'],
    ['change a test definition', `UPDATE fhq_calendar.canonical_test_events SET success_criteria = NULL`],
    ['register a test', `INSERT INTO fhq_calendar.canonical_test_events (test_code, test_name, status) VALUES ('X', 'x', 'DRAFT')`],
    ['change the signal registry', `UPDATE fhq_calendar.test_signal_registry SET source_table = 'x'`],
    ['delete a runbook row', 'DELETE FROM fhq_calendar.test_runbook_entries'],
    ['delete an alert', 'DELETE FROM fhq_calendar.ceo_calendar_alerts'],
    ["acknowledge an alert (a person's act)", 'UPDATE fhq_calendar.ceo_calendar_alerts SET acknowledged_at = now()'],
    ['drop an evaluator table', 'DROP TABLE fhq_calendar.ceo_calendar_alerts'],
    ['create a table in fhq_calendar', 'CREATE TABLE fhq_calendar.mine (x int)'],
    [
      'replace a calendar function',
      `CREATE OR REPLACE FUNCTION fhq_calendar.resolve_test_window(uuid, text, timestamptz, jsonb) RETURNS void LANGUAGE sql AS ''`,
    ],
  ])('may not %s (insufficient_privilege)', async (_name, statement) => {
    expect(await asEvaluator(statement)).toBe('42501');
  });

  it('finds the source rows unchanged and every object still there afterwards', async () => {
    const { rows } =
      await db.exec(`SELECT (SELECT count(*)::int FROM fixture.daily) AS daily, (SELECT count(*)::int FROM fixture.flags) AS flags,
                                           to_regclass('fixture.daily') IS NOT NULL AS daily_exists,
                                           to_regclass('fhq_calendar.ceo_calendar_alerts') IS NOT NULL AS alerts_exist`);
    expect(rows).toEqual([{ daily: 1, flags: 1, daily_exists: true, alerts_exist: true }]);
  });

  it('treats a source it may not read as a defect of the registry row: halt, exit 3, naming key and column', async () => {
    await db.exec(`CREATE TABLE fixture.private (ts timestamptz, v double precision);
                   INSERT INTO fhq_calendar.test_signal_registry (signal_key, source_schema, source_table, source_column, time_column)
                   VALUES ('private', 'fixture', 'private', 'v', 'ts')`);
    await insertTest(db, { test_code: 'T-PRIVATE', failure_criteria: { any: [{ metric: 'private', op: '>', value: 1 }] } });
    const result = await runDate(db.pool, { date: '2026-03-06', settings: tempSettings() });
    expect(result.exitCode).toBe(3);
    expect(result.plan.defects.map((d) => [d.testCode, d.field, d.problem])).toEqual([
      [
        'T-PRIVATE',
        'test_signal_registry.private',
        "the evaluator's role may not read fixture.private.v and fixture.private.ts (grant it with sql/roles/02_grant_registry_sources.sql)",
      ],
    ]);
    // The administrator's grant script fixes it; the registry row is then usable.
    await grantSources(db);
    expect((await runDate(db.pool, { date: '2026-03-06', settings: tempSettings() })).exitCode).toBe(0);
  });
});
