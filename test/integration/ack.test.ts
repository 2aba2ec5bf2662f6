import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_AN_APPROVER } from '../../src/run/ack.js';
import { CLI, runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { dumpTable, insertTest } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * `canonical-tests ack`, through the built executable, connected as a login
 * member of canonical_approver (sql/roles/03_canonical_approver.sql). The
 * alerts are inserted by the administrator, so every case knows exactly which
 * alerts are open.
 */

let db: TestDatabase;
let cwd: string;
let t1: string;
let t2: string;

/** Runs `canonical-tests ack args` as the approver's login (or `uri`). */
const ack = (args: string[], uri?: string) => runCli(['ack', ...args], cwd, { DATABASE_URL: uri ?? db.approverUri });

/** Inserts an alert as the administrator; returns its id. */
async function alert(testId: string | null, type: string, date: string, severity: string, acknowledged?: [string, string]) {
  const { rows } = await db.exec(
    `INSERT INTO fhq_calendar.ceo_calendar_alerts (test_id, run_date, severity, alert_type, title, message, acknowledged_at, acknowledged_by)
     VALUES ($1, $2, $3, $4, $4 || ' title', $4 || ' message', $5, $6) RETURNING alert_id`,
    [testId, date, severity, type, acknowledged?.[0] ?? null, acknowledged?.[1] ?? null],
  );
  return (rows as { alert_id: string }[])[0]!.alert_id;
}

/** Every alert: test code (or '(run)'), type, date, and who acknowledged it when. */
async function alerts() {
  const { rows } = await db.exec(`
    SELECT coalesce(e.test_code, '(run)') AS test, a.alert_type AS type, a.run_date::text AS date,
           a.acknowledged_at AS at, a.acknowledged_by AS by
    FROM fhq_calendar.ceo_calendar_alerts AS a LEFT JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
    ORDER BY test, date, type`);
  return rows as { test: string; type: string; date: string; at: Date | null; by: string | null }[];
}

/** The acknowledgements, oldest first. */
async function acknowledgements() {
  const { rows } = await db.exec(`
    SELECT ack_id, test_id, acknowledged_at, acknowledged_by, note, alert_ids::text[] AS alert_ids
    FROM fhq_calendar.acknowledgements ORDER BY acknowledged_at, ack_id`);
  return rows as {
    ack_id: string;
    test_id: string;
    acknowledged_at: Date;
    acknowledged_by: string;
    note: string | null;
    alert_ids: string[];
  }[];
}

async function flags() {
  const { rows } = await db.exec(`SELECT test_code, ceo_action_required FROM fhq_calendar.canonical_test_events ORDER BY test_code`);
  return Object.fromEntries(
    (rows as { test_code: string; ceo_action_required: boolean }[]).map((r) => [r.test_code, r.ceo_action_required]),
  );
}

/** The three tables `ack` writes, as JSON text (for "nothing changed"). */
async function snapshot(): Promise<string[]> {
  return Promise.all(['canonical_test_events', 'ceo_calendar_alerts', 'acknowledgements'].map((t) => dumpTable(db, t)));
}

let escalation: string;
let checkpoint: string;
const EARLIER = new Date('2026-03-04T08:00:00Z');

beforeAll(async () => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`).toBe(true);
  db = await freshDatabase();
  cwd = tempDir('ack');
  t1 = await insertTest(db);
  t2 = await insertTest(db, { test_code: 'T-002' });
  await db.exec(`UPDATE fhq_calendar.canonical_test_events SET ceo_action_required = true`);
  escalation = await alert(t1, 'ESCALATION', '2026-03-05', 'CRITICAL');
  checkpoint = await alert(t1, 'CHECKPOINT', '2026-03-16', 'WARNING');
  await alert(t1, 'METRICS_PENDING', '2026-03-03', 'WARNING', [EARLIER.toISOString(), 'bob']);
  await alert(t2, 'ESCALATION', '2026-03-05', 'CRITICAL');
  await alert(null, 'MISSED_RUN', '2026-03-05', 'WARNING');
});
afterAll(async () => {
  await db.drop();
});

describe('canonical-tests ack', () => {
  it("clears the flag, stamps exactly that test's open alerts and records who, when, the note and the alerts", async () => {
    const { code, stdout, stderr } = await ack(['--test', 'T-001', '--by', 'alice', '--note', 'Rolled back; agreed with the owner.']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^acknowledged T-001 by alice at \S+Z \(acknowledgement [0-9a-f-]{36}\)$/);
    expect(lines.slice(1)).toEqual([
      '  ceo_action_required: cleared',
      '  2 alert(s) acknowledged:',
      '    2026-03-05  CRITICAL  ESCALATION',
      '    2026-03-16  WARNING   CHECKPOINT',
      '  note: Rolled back; agreed with the owner.',
    ]);

    expect(await flags()).toEqual({ 'T-001': false, 'T-002': true });
    const [row, ...more] = await acknowledgements();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ test_id: t1, acknowledged_by: 'alice', note: 'Rolled back; agreed with the owner.' });
    expect([...row!.alert_ids].sort()).toEqual([escalation, checkpoint].sort());
    expect(lines[0]).toContain(`(acknowledgement ${row!.ack_id})`);
    const at = row!.acknowledged_at;
    expect(await alerts()).toEqual([
      { test: '(run)', type: 'MISSED_RUN', date: '2026-03-05', at: null, by: null },
      { test: 'T-001', type: 'METRICS_PENDING', date: '2026-03-03', at: EARLIER, by: 'bob' },
      { test: 'T-001', type: 'ESCALATION', date: '2026-03-05', at, by: 'alice' },
      { test: 'T-001', type: 'CHECKPOINT', date: '2026-03-16', at, by: 'alice' },
      { test: 'T-002', type: 'ESCALATION', date: '2026-03-05', at: null, by: null },
    ]);
    expect(lines[0]).toContain(` at ${at.toISOString()} `);
  });

  it('acknowledges a test with nothing open: a row with no alerts; --json prints snake_case; --by is trimmed', async () => {
    const { code, stdout, stderr } = await ack(['--test', 'T-001', '--by', '  carol ', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      'ack_id',
      'test_code',
      'test_id',
      'acknowledged_at',
      'acknowledged_by',
      'note',
      'ceo_action_was_required',
      'alerts',
    ]);
    expect(doc).toMatchObject({
      test_code: 'T-001',
      test_id: t1,
      acknowledged_by: 'carol',
      note: null,
      ceo_action_was_required: false,
      alerts: [],
    });
    const rows = await acknowledgements();
    expect(rows.map((r) => [r.acknowledged_by, r.alert_ids])).toEqual([
      ['alice', expect.any(Array)],
      ['carol', []],
    ]);
    expect(rows[1]!.ack_id).toBe(doc.ack_id);
    expect(rows[1]!.acknowledged_at.toISOString()).toBe(doc.acknowledged_at);
    expect(await flags()).toEqual({ 'T-001': false, 'T-002': true });
  });

  it('prints each alert of another test as JSON, with its type, date and severity', async () => {
    const { code, stdout } = await ack(['--test', 'T-002', '--by', 'dave', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { ceo_action_was_required: boolean; alerts: Record<string, string>[] };
    expect(doc.ceo_action_was_required).toBe(true);
    expect(doc.alerts.map((a) => Object.keys(a))).toEqual([['alert_id', 'alert_type', 'run_date', 'severity']]);
    expect(doc.alerts.map((a) => [a.alert_type, a.run_date, a.severity])).toEqual([['ESCALATION', '2026-03-05', 'CRITICAL']]);
    expect(await flags()).toEqual({ 'T-001': false, 'T-002': false });
    // The run-level alert belongs to no test: no ack touches it.
    expect((await alerts()).find((a) => a.type === 'MISSED_RUN')).toMatchObject({ at: null, by: null });
  });

  it('refuses an unknown test code: exit 2 naming --test, nothing written', async () => {
    const before = await snapshot();
    expect(await ack(['--test', 'NOPE', '--by', 'alice'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'canonical-tests: --test: no test has the code "NOPE"\n',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an empty, blank or missing --by: exit 2 naming --by, nothing written (even with no database configured)', async () => {
    await db.exec(`UPDATE fhq_calendar.canonical_test_events SET ceo_action_required = true WHERE test_code = 'T-002'`);
    const before = await snapshot();
    expect(await ack(['--test', 'T-002', '--by', '   '])).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: --by: must not be blank: say who acknowledges\n',
    });
    expect(await ack(['--test', 'T-002', '--by', ''])).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: --by: must not be empty: say who acknowledges\n',
    });
    const missing = await ack(['--test', 'T-002']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--by <name>' not specified");
    const noDatabase = await runCli(['ack', '--test', 'T-002', '--by', ' '], cwd);
    expect(noDatabase).toMatchObject({ code: 2, stderr: 'canonical-tests: --by: must not be blank: say who acknowledges\n' });
    expect(await ack(['--test', 'T-002', '--by', 'eve', '--note', 'bad\u0007bell'])).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: --note: must not contain control or format characters other than line breaks and tabs\n',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('writes all of it or nothing: a refused insert leaves the flag set and the alerts open (exit 1, the advice and the reason)', async () => {
    const open = await alert(t2, 'RESOLUTION', '2026-03-31', 'INFO');
    // Row-level security with no policy refuses the approver's insert (SQLSTATE 42501) after the two updates.
    await db.exec(`ALTER TABLE fhq_calendar.acknowledgements ENABLE ROW LEVEL SECURITY`);
    try {
      const before = await snapshot();
      const { code, stdout, stderr } = await ack(['--test', 'T-002', '--by', 'alice']);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `canonical-tests: ${NOT_AN_APPROVER}; the database said: new row violates row-level security policy for table "acknowledgements"\n`,
      );
      expect(await snapshot()).toEqual(before);
    } finally {
      await db.exec(`ALTER TABLE fhq_calendar.acknowledgements DISABLE ROW LEVEL SECURITY`);
    }
    expect(await flags()).toEqual({ 'T-001': false, 'T-002': true });
    const again = await ack(['--test', 'T-002', '--by', 'alice', '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { alerts: { alert_id: string }[] }).alerts.map((a) => a.alert_id)).toEqual([open]);
  });

  it('on a database without migration 000007: exit 1 saying to migrate', async () => {
    const old = await freshDatabase();
    try {
      await old.exec(`DROP TABLE fhq_calendar.acknowledgements; ALTER TABLE fhq_calendar.ceo_calendar_alerts DROP COLUMN acknowledged_by`);
      await insertTest(old);
      expect(await ack(['--test', 'T-001', '--by', 'alice'], old.adminUri)).toMatchObject({
        code: 1,
        stdout: '',
        stderr:
          'canonical-tests: the database has no fhq_calendar.acknowledgements table: apply the migrations first (canonical-tests migrate, as an administrator)\n',
      });
    } finally {
      await old.drop();
    }
  });
});
