import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_AN_APPROVER } from '../../src/run/ack.js';
import { runDate } from '../../src/run/runDate.js';
import { CLI, runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, dumpTable, grantSources, insertTest, tempSettings } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * Least privilege: the evaluator's login role (a member of
 * canonical_evaluator from sql/roles/) runs the whole job, yet cannot drop or
 * write a source, change a definition or the registry, delete an audit row,
 * acknowledge or create anything. Every other integration test also runs the
 * evaluator as this role (test/helpers/database.ts). The approver's login role
 * (a member of canonical_approver, sql/roles/03_canonical_approver.sql) may
 * acknowledge and nothing else.
 */

let db: TestDatabase;
let cwd: string;

beforeAll(async () => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`).toBe(true);
  cwd = tempDir('privileges');
  db = await freshDatabase();
  await createSources(db);
  await addDaily(db, [['2026-03-02T16:00:00Z', 0.35, 0]]);
  await insertTest(db);
});
afterAll(async () => {
  await db.drop();
});

/** Runs `text` as the login role of `uri`; returns the SQLSTATE it failed with, or 'ok'. */
async function asRole(uri: string, text: string): Promise<string> {
  const client = new pg.Client({ connectionString: uri });
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

/** Runs `text` as the evaluator's login role (see {@link asRole}). */
const asEvaluator = (text: string) => asRole(db.uri, text);
/** Runs `text` as the approver's login role (see {@link asRole}). */
const asApprover = (text: string) => asRole(db.approverUri, text);

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
    ['sign an alert as acknowledged', `UPDATE fhq_calendar.ceo_calendar_alerts SET acknowledged_by = 'evaluator'`],
    [
      'record an acknowledgement',
      `INSERT INTO fhq_calendar.acknowledgements (test_id, acknowledged_by) SELECT test_id, 'evaluator' FROM fhq_calendar.canonical_test_events`,
    ],
    ['change an acknowledgement', `UPDATE fhq_calendar.acknowledgements SET note = 'x'`],
    ['delete an acknowledgement', 'DELETE FROM fhq_calendar.acknowledgements'],
    ['drop an evaluator table', 'DROP TABLE fhq_calendar.ceo_calendar_alerts'],
    ['create a table in fhq_calendar', 'CREATE TABLE fhq_calendar.mine (x int)'],
    [
      'replace a calendar function',
      `CREATE OR REPLACE FUNCTION fhq_calendar.resolve_test_window(uuid, text, timestamptz, jsonb) RETURNS void LANGUAGE sql AS ''`,
    ],
  ])('may not %s (insufficient_privilege)', async (_name, statement) => {
    expect(await asEvaluator(statement)).toBe('42501');
  });

  it('may read the acknowledgements (reports show them)', async () => {
    expect(
      await asEvaluator('SELECT ack_id, test_id, acknowledged_at, acknowledged_by, note, alert_ids FROM fhq_calendar.acknowledgements'),
    ).toBe('ok');
  });

  it('cannot acknowledge with canonical-tests ack: exit 1 naming the missing privileges and the role to use; nothing written', async () => {
    const tables = ['canonical_test_events', 'ceo_calendar_alerts', 'acknowledgements'];
    const before = await Promise.all(tables.map((t) => dumpTable(db, t)));
    const { code, stdout, stderr } = await runCli(['ack', '--test', 'T-001', '--by', 'evaluator'], cwd, { DATABASE_URL: db.uri });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `canonical-tests: ${NOT_AN_APPROVER}; it lacks UPDATE (acknowledged_at, acknowledged_by) ON fhq_calendar.ceo_calendar_alerts, INSERT ON fhq_calendar.acknowledgements\n`,
    );
    expect(await Promise.all(tables.map((t) => dumpTable(db, t)))).toEqual(before);
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

describe('the canonical_approver role', () => {
  it('is who canonical-tests ack connects as in the tests: not a superuser, a member of canonical_approver only', async () => {
    const client = new pg.Client({ connectionString: db.approverUri });
    await client.connect();
    const { rows } = await client.query(`SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
                                                pg_has_role(current_user, 'canonical_approver', 'MEMBER') AS approver,
                                                pg_has_role(current_user, 'canonical_evaluator', 'MEMBER') AS evaluator`);
    await client.end();
    expect(rows).toEqual([{ who: 'canonical_approver_ci', super: false, approver: true, evaluator: false }]);
  });

  it.each([
    ['read the tests', 'SELECT * FROM fhq_calendar.canonical_test_events'],
    ['read the alerts', 'SELECT * FROM fhq_calendar.ceo_calendar_alerts'],
    ['clear ceo_action_required', 'UPDATE fhq_calendar.canonical_test_events SET ceo_action_required = false WHERE false'],
    ['stamp an alert', `UPDATE fhq_calendar.ceo_calendar_alerts SET acknowledged_at = now(), acknowledged_by = 'x' WHERE false`],
    [
      'record an acknowledgement',
      `INSERT INTO fhq_calendar.acknowledgements (test_id, acknowledged_by) SELECT test_id, 'x' FROM fhq_calendar.canonical_test_events WHERE false`,
    ],
  ])('may %s', async (_name, statement) => {
    expect(await asApprover(statement)).toBe('ok');
  });

  it.each([
    ['change a test definition', `UPDATE fhq_calendar.canonical_test_events SET success_criteria = NULL`],
    ["change the evaluator's state", `UPDATE fhq_calendar.canonical_test_events SET escalation_state = 'NONE'`],
    ['register a test', `INSERT INTO fhq_calendar.canonical_test_events (test_code, test_name, status) VALUES ('X', 'x', 'DRAFT')`],
    ['delete a test', 'DELETE FROM fhq_calendar.canonical_test_events'],
    [
      'raise an alert',
      `INSERT INTO fhq_calendar.ceo_calendar_alerts (run_date, severity, alert_type, title, message) VALUES (now(), 'INFO', 'X', 'x', 'x')`,
    ],
    ["rewrite an alert's text", `UPDATE fhq_calendar.ceo_calendar_alerts SET message = 'x'`],
    ['delete an alert', 'DELETE FROM fhq_calendar.ceo_calendar_alerts'],
    ['read the acknowledgements', 'SELECT * FROM fhq_calendar.acknowledgements'],
    ['change an acknowledgement', `UPDATE fhq_calendar.acknowledgements SET note = 'x'`],
    ['delete an acknowledgement', 'DELETE FROM fhq_calendar.acknowledgements'],
    ['truncate the acknowledgements', 'TRUNCATE fhq_calendar.acknowledgements'],
    ['read the runbook', 'SELECT * FROM fhq_calendar.test_runbook_entries'],
    [
      'write the run ledger',
      `INSERT INTO fhq_calendar.evaluator_runs (run_id, as_of_date, mode) VALUES (gen_random_uuid(), now(), 'daily')`,
    ],
    ['change the signal registry', `UPDATE fhq_calendar.test_signal_registry SET source_table = 'x'`],
    ['read a source table', 'SELECT * FROM fixture.daily'],
    [
      'resolve a window',
      `SELECT fhq_calendar.resolve_test_window(test_id, 'SUCCESS', now(), '{}') FROM fhq_calendar.canonical_test_events`,
    ],
    ['create a table in fhq_calendar', 'CREATE TABLE fhq_calendar.mine (x int)'],
  ])('may not %s (insufficient_privilege)', async (_name, statement) => {
    expect(await asApprover(statement)).toBe('42501');
  });

  it("acknowledges an evaluator's alerts with canonical-tests ack; a re-run of the date leaves them acknowledged", async () => {
    const open = await db.exec(`SELECT a.alert_id FROM fhq_calendar.ceo_calendar_alerts AS a
                                JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
                                WHERE e.test_code = 'T-001' AND a.acknowledged_at IS NULL ORDER BY a.alert_id`);
    expect(open.rows.length).toBeGreaterThan(0);
    const { code, stdout, stderr } = await runCli(['ack', '--test', 'T-001', '--by', 'alice', '--json'], cwd, {
      DATABASE_URL: db.approverUri,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { ceo_action_was_required: boolean; alerts: { alert_id: string }[] };
    expect(doc.ceo_action_was_required).toBe(true);
    expect(doc.alerts.map((a) => a.alert_id).sort()).toEqual((open.rows as { alert_id: string }[]).map((r) => r.alert_id));
    const stamped = `SELECT a.alert_id, a.acknowledged_at, a.acknowledged_by FROM fhq_calendar.ceo_calendar_alerts AS a
                     JOIN fhq_calendar.canonical_test_events AS e USING (test_id) WHERE e.test_code = 'T-001' ORDER BY a.alert_id`;
    const after = (await db.exec(stamped)).rows as { alert_id: string; acknowledged_at: Date | null; acknowledged_by: string | null }[];
    expect(after.every((r) => r.acknowledged_by === 'alice' && r.acknowledged_at !== null)).toBe(true);
    expect((await db.exec(`SELECT ceo_action_required FROM fhq_calendar.canonical_test_events WHERE test_code = 'T-001'`)).rows).toEqual([
      { ceo_action_required: false },
    ]);
    expect((await runDate(db.pool, { date: '2026-03-05', settings: tempSettings() })).exitCode).toBe(0);
    expect((await db.exec(stamped)).rows).toEqual(after);
  });
});
