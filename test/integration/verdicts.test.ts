import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { MetricsSnapshot } from '../../src/domain/metricsSnapshot.js';
import { runDate } from '../../src/run/runDate.js';
import { CLI, runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { readEvidence } from '../helpers/evidence.js';
import { addDaily, createSources, grantSources, insertTest, tempSettings } from '../helpers/fixtures.js';

/** Every temporary folder a test made; removed after each test. */
const folders: string[] = [];
const tempDir = (label: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `canonical-tests-verdicts-${label}-`));
  folders.push(dir);
  return dir;
};
const settingsFor = (overrides: Partial<Settings> = {}): Settings => {
  const s = tempSettings(overrides);
  folders.push(join(s.reportsDir, '..'));
  return s;
};

/** `YYYY-MM-DD` of today in Europe/Oslo, plus `days`. */
function osloDate(days = 0): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date());
  return new Date(Date.parse(`${today}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(() => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`).toBe(true);
});
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('with a database', () => {
  let db: TestDatabase;
  let settings: Settings;

  beforeEach(async () => {
    db = await freshDatabase();
    await createSources(db);
    settings = settingsFor();
  });
  afterEach(async () => {
    await db.drop();
  });

  async function testRow(code = 'T-001') {
    const { rows } = await db.exec<{
      status: string;
      is_overdue: boolean | null;
      escalation_state: string;
      verdict: string;
      last_evaluated_date: string | null;
    }>(
      `SELECT status, is_overdue, escalation_state, verdict, last_evaluated_date::text AS last_evaluated_date
       FROM fhq_calendar.canonical_test_events WHERE test_code = $1`,
      [code],
    );
    return rows[0]!;
  }
  async function alerts() {
    const { rows } = await db.exec<{ run_date: string; test_code: string | null; severity: string; alert_type: string; message: string }>(
      `SELECT a.run_date::text AS run_date, e.test_code, a.severity, a.alert_type, a.message
       FROM fhq_calendar.ceo_calendar_alerts a LEFT JOIN fhq_calendar.canonical_test_events e USING (test_id)
       ORDER BY a.run_date, a.alert_type, e.test_code`,
    );
    return rows;
  }
  async function runbook() {
    const { rows } = await db.exec<{
      run_date: string;
      test_code: string;
      day_number: number | null;
      required_days: number | null;
      status: string;
      escalation_state: string;
      verdict: string;
      notes: string | null;
      metrics_snapshot: MetricsSnapshot;
      evidence_path: string | null;
    }>(
      `SELECT r.run_date::text AS run_date, e.test_code, r.day_number, r.required_days, r.status, r.escalation_state,
              r.verdict, r.notes, r.metrics_snapshot, r.evidence_path
       FROM fhq_calendar.test_runbook_entries r JOIN fhq_calendar.canonical_test_events e USING (test_id)
       ORDER BY r.run_date, e.test_code`,
    );
    return rows;
  }
  const count = async (table: string) => (await db.exec<{ n: number }>(`SELECT count(*)::int AS n FROM fhq_calendar.${table}`)).rows[0]!.n;

  describe('rule 1: the verdict is taken as of end_ts, however late the first run after the close', () => {
    for (const [date, instant] of [
      ['2026-03-31', '2026-03-31T04:00:00.000Z'],
      ['2026-10-17', '2026-10-17T04:00:00.000Z'],
    ] as const) {
      it(`first run on ${date}: SUCCESS from the 0.2 row before the close; the 0.4 row after it does not count`, async () => {
        await insertTest(db);
        await addDaily(db, [
          ['2026-03-30T16:00:00Z', 0.2, 0],
          ['2026-04-05T10:00:00Z', 0.4, 0],
        ]);
        const result = await runDate(db.pool, { date, settings });
        expect(result.exitCode).toBe(0);
        expect(await testRow()).toEqual({
          status: 'RESOLVED',
          is_overdue: false,
          escalation_state: 'NONE',
          verdict: 'SUCCESS',
          last_evaluated_date: date,
        });
        const rows = await runbook();
        expect(rows.map((r) => [r.run_date, r.test_code, r.day_number, r.required_days, r.status, r.verdict])).toEqual([
          [date, 'T-001', 30, 30, 'RESOLVED', 'SUCCESS'],
        ]);
        expect(rows[0]!.metrics_snapshot.brier!.value).toBe(0.2);
        const evidence = readEvidence(join(settings.evidenceDir, rows[0]!.evidence_path!));
        expect(evidence.verdict_as_of).toBe('2026-03-30T21:59:59.000Z');
        expect(evidence.as_of_instant).toBe(instant);
        const report = readFileSync(join(settings.reportsDir, `RUNBOOK_${date.replaceAll('-', '')}.md`), 'utf8');
        expect(report).toContain('| Day | 30 of 30 |');
        expect(report).toContain('### Verdict\nSUCCESS\n\n### Deciding Metric\n');
        expect(report).toContain(
          '| T-001 | Forecast pipeline change | SUCCESS | Promote the change: the success criteria held at the close of the window |\n',
        );
        expect(report).toContain(
          '| VERDICT REACHED | T-001 | Forecast pipeline change | 30 of 30 | RESOLVED | NONE | true | SUCCESS | — |\n',
        );
        expect(report).toContain('### Window Summary\nFirst breach of the failure criteria: none. Days escalated: 0 of 1 evaluated.\n');
      });
    }
  });

  describe('rule 2: the resolution grace', () => {
    it('waits (PENDING, not overdue, METRICS_PENDING) while brier is missing, then resolves SUCCESS when the row arrives', async () => {
      await insertTest(db);
      expect((await runDate(db.pool, { date: '2026-03-31', settings })).exitCode).toBe(0);
      expect(await testRow()).toEqual({
        status: 'ACTIVE',
        is_overdue: false,
        escalation_state: 'NONE',
        verdict: 'PENDING',
        last_evaluated_date: '2026-03-31',
      });
      expect(await alerts()).toEqual([
        {
          run_date: '2026-03-31',
          test_code: 'T-001',
          severity: 'WARNING',
          alert_type: 'METRICS_PENDING',
          message: 'brier: no row at or before the as-of instant',
        },
      ]);
      const [waiting] = await runbook();
      expect(waiting).toMatchObject({ run_date: '2026-03-31', day_number: 30, verdict: 'PENDING' });

      await addDaily(db, [['2026-03-30T10:00:00Z', 0.2, 0]]);
      expect((await runDate(db.pool, { date: '2026-04-01', settings })).exitCode).toBe(0);
      expect(await testRow()).toEqual({
        status: 'RESOLVED',
        is_overdue: false,
        escalation_state: 'NONE',
        verdict: 'SUCCESS',
        last_evaluated_date: '2026-04-01',
      });
      expect((await runbook()).map((r) => [r.run_date, r.status, r.verdict])).toEqual([
        ['2026-03-31', 'ACTIVE', 'PENDING'],
        ['2026-04-01', 'RESOLVED', 'SUCCESS'],
      ]);
      expect((await alerts()).map((a) => [a.run_date, a.alert_type, a.severity])).toEqual([
        ['2026-03-31', 'METRICS_PENDING', 'WARNING'],
        ['2026-04-01', 'RESOLUTION', 'INFO'],
      ]);
    });

    it('with no data ever: PENDING on 03-31 and 04-01, INCONCLUSIVE on 04-02, the RESOLUTION alert naming brier', async () => {
      await insertTest(db);
      const verdicts: unknown[] = [];
      for (const date of ['2026-03-31', '2026-04-01', '2026-04-02']) {
        expect((await runDate(db.pool, { date, settings })).exitCode).toBe(0);
        verdicts.push([date, (await testRow()).status, (await testRow()).verdict]);
      }
      expect(verdicts).toEqual([
        ['2026-03-31', 'ACTIVE', 'PENDING'],
        ['2026-04-01', 'ACTIVE', 'PENDING'],
        ['2026-04-02', 'RESOLVED', 'INCONCLUSIVE'],
      ]);
      const resolutions = (await alerts()).filter((a) => a.alert_type === 'RESOLUTION');
      expect(resolutions.map((a) => [a.run_date, a.test_code, a.severity])).toEqual([['2026-04-02', 'T-001', 'WARNING']]);
      expect(resolutions[0]!.message).toBe(
        'Evaluated as of the close (2026-03-30 23:59 Europe/Oslo): success criteria PENDING, failure criteria PENDING; missing as of the close: brier.',
      );
      expect((await runbook()).map((r) => [r.run_date, r.day_number, r.verdict])).toEqual([
        ['2026-03-31', 30, 'PENDING'],
        ['2026-04-01', 30, 'PENDING'],
        ['2026-04-02', 30, 'INCONCLUSIVE'],
      ]);
    });
  });

  it('rule 3: before the window opens: day 0, PENDING, "Window opens …", no alert, empty snapshot', async () => {
    await insertTest(db, { start_ts: '2026-04-10T00:00:00+02:00', end_ts: '2026-05-09T23:59:59+02:00' });
    await addDaily(db, [['2026-04-04T16:00:00Z', 0.35, 0]]);
    expect((await runDate(db.pool, { date: '2026-04-05', settings })).exitCode).toBe(0);
    const rows = await runbook();
    expect(rows.map((r) => [r.run_date, r.day_number, r.required_days, r.status, r.escalation_state, r.verdict])).toEqual([
      ['2026-04-05', 0, 30, 'ACTIVE', 'NONE', 'PENDING'],
    ]);
    expect(rows[0]!.notes!.startsWith('Window opens 2026-04-10 00:00 Europe/Oslo')).toBe(true);
    expect(rows[0]!.metrics_snapshot).toEqual({});
    expect(await alerts()).toEqual([]);
    expect(await testRow()).toMatchObject({ status: 'ACTIVE', verdict: 'PENDING', escalation_state: 'NONE' });
  });

  it('rule 4 (CLI): a future --date or --to is exit 2 naming the option; nothing is written', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-02T16:00:00Z', 0.2, 0]]);
    const cwd = tempDir('future');
    const run = await runCli(['run', '--date', osloDate(30)], cwd, { DATABASE_URL: db.uri });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--date');
    expect(run.stderr).toContain(`${osloDate(30)} is in the future`);
    const backfill = await runCli(['backfill', '--from', osloDate(), '--to', osloDate(5)], cwd, { DATABASE_URL: db.uri });
    expect(backfill.code).toBe(2);
    expect(backfill.stderr).toContain('--to');
    expect(backfill.stderr).toContain(`${osloDate(5)} is in the future`);
    expect([await count('test_runbook_entries'), await count('ceo_calendar_alerts'), await count('evaluator_runs')]).toEqual([0, 0, 0]);
    expect(await testRow()).toMatchObject({ last_evaluated_date: null });
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
    expect(existsSync(join(cwd, 'evidence'))).toBe(false);
  });

  it('rule 5: five escalated days in a row raise exactly one ESCALATION alert', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-09T04:00:00Z', 0.2, 0]]);
    const dates = ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14'];
    await addDaily(
      db,
      dates.map((d): [string, number, number] => [`${d}T04:00:00Z`, 0.35, 0]),
    );
    for (const date of dates) expect((await runDate(db.pool, { date, settings })).exitCode).toBe(0);
    expect(await alerts()).toEqual([
      {
        run_date: '2026-03-10',
        test_code: 'T-001',
        severity: 'CRITICAL',
        alert_type: 'ESCALATION',
        message: 'failure criteria met: brier > 0.3 (current 0.35) (escalated since 2026-03-10)',
      },
    ]);
    const rows = await runbook();
    expect(rows.map((r) => [r.run_date, r.day_number, r.escalation_state])).toEqual(dates.map((d, i) => [d, 10 + i, 'ESCALATED']));
    for (const r of rows) expect(r.notes).toContain('Escalated since 2026-03-10');
    expect(await testRow()).toMatchObject({ escalation_state: 'ESCALATED', last_evaluated_date: '2026-03-14' });
  });

  it('rule 6 (CLI): a broken view among three tests: two evaluated, one SYSTEM_ERROR, exit 1', async () => {
    await db.exec(`CREATE VIEW fixture.broken AS SELECT ts, brier / 0 AS brier FROM fixture.daily`);
    await db.exec(`INSERT INTO fhq_calendar.test_signal_registry (signal_key, source_schema, source_table, source_column, time_column, aggregation)
                   VALUES ('broken_brier', 'fixture', 'broken', 'brier', 'ts', 'LATEST')`);
    await grantSources(db);
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
    await insertTest(db, { test_code: 'T-001' });
    await insertTest(db, { test_code: 'T-002' });
    await insertTest(db, {
      test_code: 'T-BROKEN',
      baseline_definition: { broken_brier: 0.25 },
      target_metrics: {},
      success_criteria: { all: [{ metric: 'broken_brier', op: '<=', baseline_delta: -0.01 }] },
      failure_criteria: { any: [{ metric: 'broken_brier', op: '>', value: 0.3 }] },
    });
    const cwd = tempDir('broken');
    const out = await runCli(['run', '--date', '2026-03-10'], cwd, { DATABASE_URL: db.uri });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('SIGNAL_ERROR signal broken_brier (fixture.broken): division by zero');
    expect((await runbook()).map((r) => [r.run_date, r.test_code, r.escalation_state, r.verdict])).toEqual([
      ['2026-03-10', 'T-001', 'NONE', 'PENDING'],
      ['2026-03-10', 'T-002', 'NONE', 'PENDING'],
      ['2026-03-10', 'T-BROKEN', 'SYSTEM_ERROR', 'PENDING'],
    ]);
    expect(await alerts()).toEqual([
      {
        run_date: '2026-03-10',
        test_code: 'T-BROKEN',
        severity: 'CRITICAL',
        alert_type: 'SIGNAL_ERROR',
        message: 'signal broken_brier (fixture.broken): division by zero',
      },
    ]);
  });

  it('rule 8 (CLI): DATABASE_URL is read from ./.env', async () => {
    await insertTest(db);
    const cwd = tempDir('dotenv');
    writeFileSync(join(cwd, '.env'), `DATABASE_URL=${db.uri}\n`);
    const out = await runCli(['status'], cwd);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('T-001');
  });

  it('rule 9: the stale halt row of a date goes when the date is re-run without the defect', async () => {
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
    await insertTest(db, { test_code: 'T-A' });
    await insertTest(db, { test_code: 'T-B' });
    await db.exec(`UPDATE fhq_calendar.canonical_test_events SET failure_criteria = NULL WHERE test_code = 'T-B'`);
    const halted = await runDate(db.pool, { date: '2026-03-10', settings });
    expect(halted.exitCode).toBe(3);
    // A halt evaluates nothing: only the defective test's SYSTEM_ERROR row is written.
    expect((await runbook()).map((r) => [r.run_date, r.test_code, r.escalation_state, r.verdict, r.notes])).toEqual([
      ['2026-03-10', 'T-B', 'SYSTEM_ERROR', 'PENDING', 'Run halted by the fail-closed gate: T-B: failure_criteria: is missing'],
    ]);
    const reportPath = join(settings.reportsDir, 'RUNBOOK_20260310.md');
    expect(readFileSync(reportPath, 'utf8')).toContain(
      [
        '### In SYSTEM_ERROR',
        '',
        'The run halted at the fail-closed gate: no other test was evaluated on this date. Every defect is in ORCHESTRATOR_HALT_20260310.json.',
        '',
        '| Test Code | Test Name | Cause | Detail |',
        '|-----------|-----------|-------|--------|',
        '| T-B | Forecast pipeline change | definition refused by the fail-closed gate | Run halted by the fail-closed gate: T-B: failure_criteria: is missing |',
        '',
      ].join('\n'),
    );

    await db.exec(`UPDATE fhq_calendar.canonical_test_events SET status = 'CANCELLED' WHERE test_code = 'T-B'`);
    const again = await runDate(db.pool, { date: '2026-03-10', settings });
    expect(again.exitCode).toBe(0);
    expect((await runbook()).map((r) => [r.run_date, r.test_code, r.escalation_state, r.verdict])).toEqual([
      ['2026-03-10', 'T-A', 'NONE', 'PENDING'],
    ]);
    const report = readFileSync(reportPath, 'utf8');
    expect(report).not.toContain('The run halted at the fail-closed gate');
    expect(report).not.toContain('### In SYSTEM_ERROR');
    expect(report).toContain('| — | T-A | Forecast pipeline change | 10 of 30 | ACTIVE | NONE | false | PENDING | — |\n');
    // No summary row and no section for T-B: its halt alert alone stays in the Alerts table.
    expect(report).not.toMatch(/^\| [^|]+ \| T-B \|/m);
    expect(report).not.toContain('| Test Code | T-B |');
    expect(report).toMatch(
      /^\| CRITICAL \| SYSTEM_ERROR \| T-B \| T-B: incomplete definition, run halted \| T-B: failure_criteria: is missing \|/m,
    );
    // The halt's alert is history and stays.
    expect(await alerts()).toEqual([
      {
        run_date: '2026-03-10',
        test_code: 'T-B',
        severity: 'CRITICAL',
        alert_type: 'SYSTEM_ERROR',
        message: 'T-B: failure_criteria: is missing',
      },
    ]);
  });
});

describe('without a database', () => {
  it('rule 7 (CLI): no connection and no --embedded is exit 2 naming DATABASE_URL and --embedded', async () => {
    for (const args of [['status'], ['run']]) {
      const cwd = tempDir('noconn');
      const out = await runCli(args, cwd);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('DATABASE_URL');
      expect(out.stderr).toContain('--embedded');
      expect(existsSync(join(cwd, '.embedded-pg'))).toBe(false);
      expect(existsSync(join(cwd, 'reports'))).toBe(false);
      expect(existsSync(join(cwd, 'evidence'))).toBe(false);
    }
  });

  it('rule 7 (CLI): status with no connection leaves its working folder empty', async () => {
    const cwd = tempDir('noconn-status');
    expect((await runCli(['status'], cwd)).code).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });

  // The run log is opened on first use, so a refused run leaves no logs/ folder either.
  it('rule 7 (CLI): run with no connection leaves its working folder empty', async () => {
    const cwd = tempDir('noconn-run');
    expect((await runCli(['run'], cwd)).code).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('rule 10 (CLI): exit 4 leaves a database_unreachable log line and a halt file, never the password', async () => {
    const cwd = tempDir('unreachable');
    const out = await runCli(['run', '--date', '2026-03-10'], cwd, { DATABASE_URL: 'postgres://nobody:secret-pw@127.0.0.1:1/x' });
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('database unreachable at postgres://nobody:***@127.0.0.1:1/x');
    const logText = readFileSync(join(cwd, 'logs', 'canonical-tests.log'), 'utf8');
    const lines = logText
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.event, l.as_of_date])).toEqual([['database_unreachable', '2026-03-10']]);
    const haltText = readFileSync(join(cwd, 'evidence', 'ORCHESTRATOR_HALT_20260310.json'), 'utf8');
    expect(JSON.parse(haltText)).toMatchObject({
      schema: 'canonical-test-halt/1',
      as_of_date: '2026-03-10',
      as_of_instant: '2026-03-10T05:00:00.000Z',
      zone: 'Europe/Oslo',
      halted: true,
      reason: 'database unreachable',
    });
    for (const text of [logText, haltText, out.stdout, out.stderr]) expect(text).not.toContain('secret-pw');
  });
});
