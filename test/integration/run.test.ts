import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'slonik';
import type { Settings } from '../../src/config/settings.js';
import { LockHeldError } from '../../src/errors.js';
import { RUN_LOCK } from '../../src/db/session.js';
import { runDate } from '../../src/run/runDate.js';
import type { MetricsSnapshot } from '../../src/domain/metricsSnapshot.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { parseEvidence, readEvidence } from '../helpers/evidence.js';
import { addDaily, createSources, dumpTable, insertTest, tempSettings } from '../helpers/fixtures.js';

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

/** The live state of a test, as {@link testRow} selects it. */
interface TestState {
  status: string;
  days_elapsed: number | null;
  days_remaining: number | null;
  is_overdue: boolean | null;
  escalation_state: string;
  ceo_action_required: boolean;
  verdict: string;
  resolved_at: Date | null;
  last_evaluated_date: string | null;
}
/** An alert with its test's code, as {@link alerts} selects it. */
interface AlertRow {
  run_date: string;
  test_code: string | null;
  severity: string;
  alert_type: string;
  message: string;
  recommended_actions: string[];
}
/** A runbook row, as {@link runbook} selects it. */
interface RunbookRow {
  run_date: string;
  run_id: string;
  day_number: number | null;
  required_days: number | null;
  status: string;
  escalation_state: string;
  ceo_action_required: boolean;
  metrics_snapshot: MetricsSnapshot;
  verdict: string;
  notes: string | null;
  evidence_path: string | null;
  evidence_sha256: string | null;
}

async function testRow(code = 'T-001') {
  const { rows } = await db.exec<TestState>(
    `SELECT status, days_elapsed, days_remaining, is_overdue, escalation_state, ceo_action_required, verdict,
            resolved_at, last_evaluated_date::text AS last_evaluated_date
     FROM fhq_calendar.canonical_test_events WHERE test_code = $1`,
    [code],
  );
  return rows[0]!;
}
async function alerts() {
  const { rows } = await db.exec<AlertRow>(
    `SELECT a.run_date::text AS run_date, e.test_code, a.severity, a.alert_type, a.message, a.recommended_actions
     FROM fhq_calendar.ceo_calendar_alerts a LEFT JOIN fhq_calendar.canonical_test_events e USING (test_id)
     ORDER BY a.run_date, a.alert_type`,
  );
  return rows;
}
async function runbook() {
  const { rows } = await db.exec<RunbookRow>(
    `SELECT run_date::text AS run_date, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
            metrics_snapshot, verdict, notes, evidence_path, evidence_sha256
     FROM fhq_calendar.test_runbook_entries ORDER BY run_date`,
  );
  return rows;
}

describe('a healthy day', () => {
  it('updates progress, writes one runbook row, evidence and the report, raises no alert', async () => {
    await insertTest(db);
    await addDaily(db, [
      ['2026-03-09T16:00:00Z', 0.2, 0.01],
      ['2026-03-10T04:00:00Z', 0.21, 0.02],
    ]);
    const result = await runDate(db.pool, { date: '2026-03-10', settings });

    expect(result.exitCode).toBe(0);
    expect(await testRow()).toEqual({
      status: 'ACTIVE',
      days_elapsed: 10,
      days_remaining: 20,
      is_overdue: false,
      escalation_state: 'NONE',
      ceo_action_required: false,
      verdict: 'PENDING',
      resolved_at: null,
      last_evaluated_date: '2026-03-10',
    });
    expect(await alerts()).toEqual([]);
    const [row, ...rest] = await runbook();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      run_date: '2026-03-10',
      run_id: result.plan.runId,
      day_number: 10,
      required_days: 30,
      status: 'ACTIVE',
      escalation_state: 'NONE',
      ceo_action_required: false,
      verdict: 'PENDING',
      notes: 'All metrics available.',
    });
    expect(row!.metrics_snapshot).toEqual({
      brier: {
        value: 0.21,
        status: 'AVAILABLE',
        pending_reason: null,
        baseline: 0.25,
        target: { op: '<=', value: 0.24 },
        target_met: true,
        aggregation: 'LATEST',
        source: 'fixture.daily.brier',
        as_of_exact: true,
      },
      ready: {
        value: true,
        status: 'AVAILABLE',
        pending_reason: null,
        baseline: null,
        target: null,
        target_met: null,
        aggregation: 'LATEST',
        source: 'fixture.flags.ready',
        as_of_exact: false,
      },
    });

    expect(row!.evidence_path).toBe('ORCHESTRATOR_T-001_20260310.json');
    const evidencePath = join(settings.evidenceDir, row!.evidence_path!);
    const evidenceText = readFileSync(evidencePath, 'utf8');
    expect(createHash('sha256').update(evidenceText).digest('hex')).toBe(row!.evidence_sha256);
    const evidence = parseEvidence(evidenceText);
    expect(evidence.as_of_instant).toBe('2026-03-10T05:00:00.000Z');
    expect(evidence.metrics[0]).toEqual({
      key: 'brier',
      value: 0.21,
      status: 'AVAILABLE',
      pending_reason: null,
      source: { schema: 'fixture', table: 'daily', column: 'brier', time_column: 'ts' },
      aggregation: 'LATEST',
      rows_used: 1,
      window: null,
      latest_row_at: '2026-03-10T04:00:00.000Z',
      as_of_exact: true,
    });
    expect(evidence.conditions!.success_criteria.outcome).toBe('MET');
    expect(evidence.conditions!.failure_criteria.outcome).toBe('NOT_MET');
    expect(evidence.previous_bundle_sha256).toBeNull();

    const report = readFileSync(`${settings.reportsDir}/RUNBOOK_20260310.md`, 'utf8');
    expect(report).toContain(
      [
        '## CANONICAL TEST: Forecast pipeline change',
        '',
        '| Field | Value |',
        '|-------|-------|',
        '| Test Code | T-001 |',
        '| Day | 10 of 30 |',
        '| Status | ACTIVE |',
        '| Escalation | NONE |',
        '| CEO Action Required | false |',
        '',
        '### Metrics Snapshot',
        '| Metric | Current | Baseline | Target | Met | Trend |',
        '|--------|---------|----------|--------|-----|-------|',
        '| brier | 0.21 | 0.25 | <= 0.24 | ✓ | ▄ |',
        '| ready | true | — | — | — | █ |',
        '',
        '### Verdict',
        'PENDING',
        '',
        '### Notes',
        '- Window: 2026-03-01 00:00 to 2026-03-30 23:59.',
        '- All metrics available.',
        `- Evidence: ORCHESTRATOR_T-001_20260310.json (SHA-256 ${row!.evidence_sha256}).`,
        '',
      ].join('\n'),
    );
    expect(report).toContain('| — | T-001 | Forecast pipeline change | 10 of 30 | ACTIVE | NONE | false | PENDING | — |\n');
  });

  it('averages AVG_7D over (T - 7 days, T] and chains evidence to the previous day', async () => {
    await insertTest(db, {
      baseline_definition: { brier_7d: 0.25 },
      target_metrics: {},
      success_criteria: { all: [{ metric: 'brier_7d', op: '<=', baseline_ratio: 0.9 }] },
      failure_criteria: { any: [{ metric: 'brier_7d', op: '>', value: 0.3 }] },
    });
    // 2026-03-03T05:00Z is exactly T - 7 days for T = 2026-03-10 06:00 Oslo: excluded.
    await addDaily(db, [
      ['2026-03-03T05:00:00Z', 0.9, 0],
      ['2026-03-05T12:00:00Z', 0.2, 0],
      ['2026-03-09T12:00:00Z', 0.24, 0],
      ['2026-03-10T05:00:01Z', 0.9, 0],
    ]);
    await runDate(db.pool, { date: '2026-03-09', settings });
    await runDate(db.pool, { date: '2026-03-10', settings });
    const [day9, day10] = await runbook();
    expect(day10!.metrics_snapshot.brier_7d!.value).toBeCloseTo(0.22, 12);
    const evidence = readEvidence(join(settings.evidenceDir, day10!.evidence_path!));
    expect(evidence.metrics[0]!.rows_used).toBe(2);
    expect(evidence.metrics[0]!.window).toEqual({ from: '2026-03-03T05:00:00.000Z', to: '2026-03-10T05:00:00.000Z' });
    expect(evidence.conditions!.success_criteria.conditions[0]).toMatchObject({ threshold: 0.225, outcome: 'MET' });
    expect(evidence.previous_bundle_sha256).toBe(day9!.evidence_sha256);
  });
});

describe('metrics unavailable', () => {
  it('defers the metric with a METRICS_PENDING warning and still updates progress', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-12T16:00:00Z', 0.2, 0]]); // after the as-of instant: invisible
    const result = await runDate(db.pool, { date: '2026-03-05', settings });
    expect(result.exitCode).toBe(0);
    expect(await testRow()).toMatchObject({
      days_elapsed: 5,
      days_remaining: 25,
      escalation_state: 'NONE',
      last_evaluated_date: '2026-03-05',
    });
    expect(await alerts()).toEqual([
      {
        run_date: '2026-03-05',
        test_code: 'T-001',
        severity: 'WARNING',
        alert_type: 'METRICS_PENDING',
        message: 'brier: no row at or before the as-of instant',
        recommended_actions: ['Check that the source tables named in test_signal_registry are being loaded'],
      },
    ]);
    const [row] = await runbook();
    expect(row!.notes).toBe('Metrics pending: brier (no row at or before the as-of instant).');
    expect(row!.metrics_snapshot.brier).toMatchObject({ value: null, status: 'PENDING' });
  });
});

describe('escalation', () => {
  it('escalates on failure criteria met mid-window, then clears without clearing ceo_action_required', async () => {
    await insertTest(db);
    await addDaily(db, [
      ['2026-03-10T16:00:00Z', 0.35, 0],
      ['2026-03-11T16:00:00Z', 0.2, 0],
    ]);
    await runDate(db.pool, { date: '2026-03-11', settings });
    expect(await testRow()).toMatchObject({ escalation_state: 'ESCALATED', ceo_action_required: true, verdict: 'PENDING' });
    await runDate(db.pool, { date: '2026-03-12', settings });
    expect(await testRow()).toMatchObject({ escalation_state: 'NONE', ceo_action_required: true });
    const all = await alerts();
    expect(all.map((a) => [a.run_date, a.alert_type, a.severity])).toEqual([
      ['2026-03-11', 'ESCALATION', 'CRITICAL'],
      ['2026-03-12', 'ESCALATION_CLEARED', 'INFO'],
    ]);
    expect(all[0]!.message).toBe('failure criteria met: brier > 0.3 (current 0.35) (escalated since 2026-03-11)');
    expect((await runbook()).map((r) => [r.run_date, r.escalation_state, r.ceo_action_required])).toEqual([
      ['2026-03-11', 'ESCALATED', true],
      ['2026-03-12', 'NONE', true],
    ]);
  });

  it('raises one CHECKPOINT warning on a healthy test and sets ceo_action_required without escalating', async () => {
    await insertTest(db, { mid_test_checkpoint: '2026-03-15T00:00:00+01:00' });
    await addDaily(db, [['2026-03-01T16:00:00Z', 0.2, 0]]);
    for (const date of ['2026-03-14', '2026-03-15', '2026-03-16']) await runDate(db.pool, { date, settings });
    expect((await runbook()).map((r) => [r.run_date, r.escalation_state, r.ceo_action_required])).toEqual([
      ['2026-03-14', 'NONE', false],
      ['2026-03-15', 'NONE', true],
      ['2026-03-16', 'NONE', true],
    ]);
    const all = await alerts();
    expect(all.map((a) => [a.run_date, a.alert_type, a.severity])).toEqual([['2026-03-15', 'CHECKPOINT', 'WARNING']]);
    expect(all[0]!.message).toMatch(/^Checkpoint 2026-03-15 00:00 Europe\/Oslo reached: Day 15 of 30, 15 day\(s\) remaining\. brier 0\.2 /);
    expect(await testRow()).toMatchObject({ escalation_state: 'NONE', ceo_action_required: true });
  });
});

describe('DST: a window across the last Sunday of March', () => {
  it('counts calendar days in Europe/Oslo and takes 06:00 local as the as-of instant', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-01T16:00:00Z', 0.2, 0]]);
    const seen: unknown[] = [];
    for (const date of ['2026-03-28', '2026-03-29', '2026-03-30']) {
      const { plan } = await runDate(db.pool, { date, settings });
      const row = await testRow();
      seen.push([plan.asOf.instant, row.days_elapsed, row.days_remaining, row.is_overdue]);
    }
    expect(seen).toEqual([
      ['2026-03-28T05:00:00.000Z', 28, 2, false],
      ['2026-03-29T04:00:00.000Z', 29, 1, false],
      ['2026-03-30T04:00:00.000Z', 30, 0, false],
    ]);
  });
});

describe('end of window', () => {
  const cases = [
    { verdict: 'SUCCESS', brier: 0.2, severity: 'INFO', step: 'Promote the change: the success criteria held at the close of the window' },
    {
      verdict: 'FAILURE',
      brier: 0.4,
      severity: 'CRITICAL',
      step: 'Roll back the change: the failure criteria held at the close of the window',
    },
    {
      verdict: 'INCONCLUSIVE',
      brier: 0.27,
      severity: 'WARNING',
      step: 'Decide: extend the window, re-run the test or close it without a decision',
    },
    {
      verdict: 'INCONCLUSIVE',
      brier: null,
      severity: 'WARNING',
      step: 'Decide: extend the window, re-run the test or close it without a decision',
    },
  ] as const;
  for (const c of cases) {
    it(`resolves ${c.verdict} when brier is ${c.brier ?? 'pending'}`, async () => {
      await insertTest(db);
      if (c.brier !== null) await addDaily(db, [['2026-03-30T16:00:00Z', c.brier, 0]]);
      // A pending metric with no grace resolves at once; the grace itself is tested below.
      const result = await runDate(db.pool, {
        date: '2026-03-31',
        settings: { ...settings, resolutionGraceDays: c.brier === null ? 0 : 2 },
      });
      expect(result.exitCode).toBe(0);
      expect(await testRow()).toMatchObject({
        status: 'RESOLVED',
        verdict: c.verdict,
        resolved_at: new Date('2026-03-31T04:00:00Z'),
        is_overdue: false,
        ceo_action_required: true,
        last_evaluated_date: '2026-03-31',
        days_elapsed: 31,
        days_remaining: 0,
      });
      const resolution = (await alerts()).find((a) => a.alert_type === 'RESOLUTION');
      expect(resolution).toMatchObject({ severity: c.severity, recommended_actions: [c.step] });
      const [row] = await runbook();
      expect(row).toMatchObject({ status: 'RESOLVED', verdict: c.verdict });
      const report = readFileSync(`${settings.reportsDir}/RUNBOOK_20260331.md`, 'utf8');
      expect(report).toContain(`### Verdict\n${c.verdict}\n`);
    });
  }
});

describe('idempotence and dry runs', () => {
  it('running the same date twice leaves the database and the files exactly as one run does', async () => {
    await insertTest(db);
    await insertTest(db, { test_code: 'T-002', start_ts: '2026-03-02T00:00:00+01:00' });
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.35, 0]]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    const files = () =>
      Object.fromEntries(
        [settings.evidenceDir, settings.reportsDir].flatMap((dir) =>
          readdirSync(dir).map((f) => [`${dir}/${f}`, readFileSync(`${dir}/${f}`, 'utf8')]),
        ),
      );
    const tables = async () =>
      Promise.all(['canonical_test_events', 'test_runbook_entries', 'ceo_calendar_alerts'].map((t) => dumpTable(db, t)));
    const before = { files: files(), tables: await tables() };
    const again = await runDate(db.pool, { date: '2026-03-10', settings });
    expect(again.filesWritten).toEqual([]);
    expect({ files: files(), tables: await tables() }).toEqual(before);
    expect(Object.keys(before.files).length).toBe(3);
    expect((await alerts()).length).toBe(2);
  });

  it('a dry run writes nothing and returns the plan of every write', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.35, 0]]);
    const before = await Promise.all(['canonical_test_events', 'test_runbook_entries', 'ceo_calendar_alerts'].map((t) => dumpTable(db, t)));
    const result = await runDate(db.pool, { date: '2026-03-10', settings, dryRun: true });
    expect(result.filesWritten).toEqual([]);
    expect(result.plan.stateUpdates.map((u) => u.escalationState)).toEqual(['ESCALATED']);
    expect(result.plan.alerts.map((a) => a.alertType)).toEqual(['ESCALATION']);
    expect(result.plan.files.map((f) => f.path)).toEqual([`${settings.evidenceDir}/ORCHESTRATOR_T-001_20260310.json`]);
    expect(
      await Promise.all(['canonical_test_events', 'test_runbook_entries', 'ceo_calendar_alerts'].map((t) => dumpTable(db, t))),
    ).toEqual(before);
    expect(existsSync(settings.evidenceDir)).toBe(false);
    expect(existsSync(settings.reportsDir)).toBe(false);
  });
});

describe('backfill never moves live state backwards', () => {
  it('a past date writes its runbook row, alerts and files but leaves canonical_test_events alone', async () => {
    await insertTest(db);
    await addDaily(db, [
      ['2026-03-04T16:00:00Z', 0.35, 0],
      ['2026-03-09T16:00:00Z', 0.2, 0],
    ]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    const live = await testRow();
    const past = await runDate(db.pool, { date: '2026-03-05', settings });
    expect(await testRow()).toEqual(live);
    expect(past.plan.stateUpdates).toEqual([]);
    expect((await runbook()).map((r) => [r.run_date, r.escalation_state, r.day_number])).toEqual([
      ['2026-03-05', 'ESCALATED', 5],
      ['2026-03-10', 'NONE', 10],
    ]);
    expect((await alerts()).map((a) => [a.run_date, a.alert_type])).toEqual([['2026-03-05', 'ESCALATION']]);
    expect(existsSync(`${settings.reportsDir}/RUNBOOK_20260305.md`)).toBe(true);
    expect(existsSync(`${settings.evidenceDir}/ORCHESTRATOR_T-001_20260305.json`)).toBe(true);
  });
});

describe('one run at a time', () => {
  it('refuses with LockHeldError (exit 5) and writes nothing while another session holds the run lock', async () => {
    await insertTest(db);
    await db.pool.connect(async (holder) => {
      await holder.query(sql.unsafe`SELECT pg_advisory_lock(${RUN_LOCK})`);
      const error = await runDate(db.pool, { date: '2026-03-10', settings }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as LockHeldError).exitCode).toBe(5);
      await holder.query(sql.unsafe`SELECT pg_advisory_unlock(${RUN_LOCK})`);
    });
    expect(await runbook()).toEqual([]);
    expect(existsSync(settings.reportsDir)).toBe(false);
  });
});
