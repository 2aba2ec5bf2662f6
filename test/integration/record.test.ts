import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { BUNDLE_CHUNK_ROWS } from '../../src/db/bundles.js';
import { APPLY_BATCH_TESTS } from '../../src/execute/applyInParts.js';
import { canonicalJson, sha256Hex } from '../../src/domain/canonicalJson.js';
import { backfill } from '../../src/run/backfill.js';
import { runDate } from '../../src/run/runDate.js';
import { todayIn } from '../../src/config/settings.js';
import { runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, insertTest, tempSettings } from '../helpers/fixtures.js';

/** The record: revisions that nothing overwrites, one chain per test in recording order, resolved tests re-evaluated. */

let db: TestDatabase;
let settings: Settings;

beforeEach(async () => {
  db = await freshDatabase();
  await createSources(db);
  settings = tempSettings();
});
afterEach(async () => {
  await db.drop();
  rmSync(join(settings.reportsDir, '..'), { recursive: true, force: true });
});

interface BundleRow {
  run_date: string;
  revision: number;
  sha256: string;
  previous_sha256: string | null;
  content: Record<string, unknown>;
}
const bundles = async (): Promise<BundleRow[]> =>
  (
    await db.exec<BundleRow>(
      `SELECT run_date::text AS run_date, revision, sha256, previous_sha256, content
       FROM fhq_calendar.evidence_bundles ORDER BY recorded_order`,
    )
  ).rows;
const runbookSha = async (date: string): Promise<string> =>
  (await db.exec(`SELECT evidence_sha256 FROM fhq_calendar.test_runbook_entries WHERE run_date = $1`, [date])).rows[0]!
    .evidence_sha256 as string;

describe('revisions', () => {
  it('a corrected source row adds revision 2; the first stays in the table and under evidence/history/; an identical re-run adds nothing', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    const first = await bundles();
    expect(first.map((b) => [b.run_date, b.revision])).toEqual([['2026-03-10', 1]]);

    await db.exec(`UPDATE fixture.daily SET brier = 0.35 WHERE ts = '2026-03-09T16:00:00Z'`);
    await runDate(db.pool, { date: '2026-03-10', settings });
    const second = await bundles();
    expect(second.map((b) => [b.run_date, b.revision])).toEqual([
      ['2026-03-10', 1],
      ['2026-03-10', 2],
    ]);
    expect(second[0]).toEqual(first[0]); // nothing overwritten
    expect(second[1]!.previous_sha256).toBe(second[0]!.sha256);
    expect(await runbookSha('2026-03-10')).toBe(second[1]!.sha256);
    const current = readFileSync(join(settings.evidenceDir, 'ORCHESTRATOR_T-001_20260310.json'), 'utf8');
    const history = readFileSync(join(settings.evidenceDir, 'history', 'ORCHESTRATOR_T-001_20260310.r1.json'), 'utf8');
    expect(sha256Hex(current)).toBe(second[1]!.sha256);
    expect(sha256Hex(history)).toBe(second[0]!.sha256);
    expect(current).toBe(canonicalJson(second[1]!.content));

    await runDate(db.pool, { date: '2026-03-10', settings });
    expect((await bundles()).length).toBe(2);
  });

  it('an unchanged re-run of a past date, after live state moved on, rewrites exactly the recorded bytes', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    await runDate(db.pool, { date: '2026-03-11', settings });
    rmSync(join(settings.evidenceDir, 'ORCHESTRATOR_T-001_20260310.json'));
    await runDate(db.pool, { date: '2026-03-10', settings, mode: 'backfill' });
    const recorded = (await bundles()).filter((b) => b.run_date === '2026-03-10');
    expect(recorded.map((b) => b.revision)).toEqual([1]);
    expect(sha256Hex(readFileSync(join(settings.evidenceDir, 'ORCHESTRATOR_T-001_20260310.json'), 'utf8'))).toBe(recorded[0]!.sha256);
    expect(await runbookSha('2026-03-10')).toBe(recorded[0]!.sha256);
  });

  it('an unchanged re-run leaves the files that hold the recorded bytes alone and restores, from the record, those lost or edited', async () => {
    for (const code of ['T-001', 'T-002', 'T-003']) await insertTest(db, { test_code: code });
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    await db.exec(`UPDATE fixture.daily SET brier = 0.35 WHERE ts = '2026-03-09T16:00:00Z'`);
    await runDate(db.pool, { date: '2026-03-10', settings });
    const current = (await bundles()).filter((b) => b.revision === 2);
    expect(current).toHaveLength(3);
    const file = (code: string) => join(settings.evidenceDir, `ORCHESTRATOR_${code}_20260310.json`);
    const recorded = ['T-001', 'T-002', 'T-003'].map((code) => readFileSync(file(code), 'utf8'));
    expect(recorded.map(sha256Hex).sort()).toEqual(current.map((b) => b.sha256).sort());
    const untouched = statSync(file('T-001')).mtimeMs;
    rmSync(file('T-002'));
    writeFileSync(file('T-003'), 'edited by hand\n');

    const again = await runDate(db.pool, { date: '2026-03-10', settings });
    expect(again.plan.bundles).toEqual([]);
    // The plan holds no recorded text: the two lost files were read back from revision 2 of the record.
    expect(again.plan.files.map((f) => [basename(f.path), f.bytes]).sort()).toEqual([
      ['ORCHESTRATOR_T-001_20260310.json', null],
      ['ORCHESTRATOR_T-002_20260310.json', null],
      ['ORCHESTRATOR_T-003_20260310.json', null],
    ]);
    expect(again.filesWritten.filter((p) => p.endsWith('.json')).map((p) => basename(p))).toEqual([
      'ORCHESTRATOR_T-002_20260310.json',
      'ORCHESTRATOR_T-003_20260310.json',
    ]);
    expect(['T-001', 'T-002', 'T-003'].map((code) => readFileSync(file(code), 'utf8'))).toEqual(recorded);
    expect(statSync(file('T-001')).mtimeMs).toBe(untouched);
    expect((await bundles()).length).toBe(6);
  });

  it('backfilling dates out of order extends one chain in recording order instead of forking it', async () => {
    await insertTest(db);
    await addDaily(db, [
      ['2026-03-04T16:00:00Z', 0.2, 0],
      ['2026-03-05T16:00:00Z', 0.21, 0],
      ['2026-03-06T16:00:00Z', 0.22, 0],
    ]);
    for (const date of ['2026-03-05', '2026-03-07', '2026-03-06']) await runDate(db.pool, { date, settings, mode: 'backfill' });
    await db.exec(`UPDATE fixture.daily SET brier = 0.23 WHERE ts = '2026-03-04T16:00:00Z'`);
    await runDate(db.pool, { date: '2026-03-05', settings, mode: 'backfill' });
    const all = await bundles();
    expect(all.map((b) => [b.run_date, b.revision])).toEqual([
      ['2026-03-05', 1],
      ['2026-03-07', 1],
      ['2026-03-06', 1],
      ['2026-03-05', 2],
    ]);
    expect(all.map((b) => b.previous_sha256)).toEqual([null, all[0]!.sha256, all[1]!.sha256, all[2]!.sha256]);
    for (const b of all) {
      expect(b.content.previous_bundle_sha256).toBe(b.previous_sha256);
      expect(sha256Hex(canonicalJson(b.content))).toBe(b.sha256);
    }
  });
});

/** `tests` copies of the fixture test (T-001, then T-0002 …), all open on 2026-03-10, and one day of source data. */
async function insertTestsAndData(tests: number): Promise<void> {
  await insertTest(db);
  await db.exec(
    `INSERT INTO fhq_calendar.canonical_test_events
         (test_code, test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
          baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path)
       SELECT 'T-' || lpad(g::text, 4, '0'), test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
              baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path
       FROM fhq_calendar.canonical_test_events, generate_series(2, $1::int) AS g`,
    [tests],
  );
  await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
}

describe('a run of more tests than one insert statement holds', () => {
  it('records every bundle once, in the order of the plan, each the one its runbook row and file name', async () => {
    const tests = 2 * BUNDLE_CHUNK_ROWS + 3;
    await insertTestsAndData(tests);
    const result = await runDate(db.pool, { date: '2026-03-10', settings });
    expect(result.plan.bundles.length).toBe(tests);
    const recorded = await db.exec<{ test_id: string; sha256: string; previous_sha256: string | null; evidence_sha256: string }>(
      `SELECT b.test_id::text AS test_id, b.sha256, b.previous_sha256, r.evidence_sha256
       FROM fhq_calendar.evidence_bundles AS b
       JOIN fhq_calendar.test_runbook_entries AS r ON r.test_id = b.test_id AND r.run_date = b.run_date
       ORDER BY b.recorded_order`,
    );
    expect(recorded.rows.map((b) => b.test_id)).toEqual(result.plan.bundles.map((b) => b.testId));
    expect(recorded.rows.map((b) => b.sha256)).toEqual(result.plan.bundles.map((b) => b.sha256));
    expect(recorded.rows.every((b) => b.previous_sha256 === null && b.evidence_sha256 === b.sha256)).toBe(true);
    expect(readdirSync(settings.evidenceDir).filter((name) => name.endsWith('.json')).length).toBe(tests);
  });
});

describe('re-evaluating a resolved test', () => {
  it('with corrected data: a CRITICAL VERDICT_DRIFT and a new revision of the close, the live verdict unchanged', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-30T10:00:00Z', 0.2, 0]]);
    await runDate(db.pool, { date: '2026-03-31', settings });
    const live = (await db.exec(`SELECT status, verdict, resolved_at FROM fhq_calendar.canonical_test_events`)).rows[0];
    expect(live).toMatchObject({ status: 'RESOLVED', verdict: 'SUCCESS' });

    await db.exec(`UPDATE fixture.daily SET brier = 0.4 WHERE ts = '2026-03-30T10:00:00Z'`);
    // A range past the resolution date does not abort: later dates simply leave the test out.
    const summary = await backfill(db.pool, { dates: ['2026-03-30', '2026-03-31', '2026-04-01'], settings, testCodes: ['T-001'] });
    expect(summary).toMatchObject({ datesDone: 3, testsEvaluated: 2, exitCode: 0 });
    expect((await db.exec(`SELECT status, verdict, resolved_at FROM fhq_calendar.canonical_test_events`)).rows[0]).toEqual(live);
    const drift = (
      await db.exec(`SELECT run_date::text AS d, severity, title FROM fhq_calendar.ceo_calendar_alerts WHERE alert_type = 'VERDICT_DRIFT'`)
    ).rows;
    expect(drift).toEqual([
      { d: '2026-03-31', severity: 'CRITICAL', title: 'T-001: re-evaluated verdict FAILURE differs from the recorded SUCCESS' },
    ]);
    const resolutions = (await db.exec(`SELECT count(*)::int AS n FROM fhq_calendar.ceo_calendar_alerts WHERE alert_type = 'RESOLUTION'`))
      .rows[0]!.n;
    expect(resolutions).toBe(1);
    const close = (await bundles()).filter((b) => b.run_date === '2026-03-31');
    expect(close.map((b) => [b.revision, b.content.verdict])).toEqual([
      [1, 'SUCCESS'],
      [2, 'FAILURE'],
    ]);
    expect(existsSync(join(settings.evidenceDir, 'history', 'ORCHESTRATOR_T-001_20260331.r1.json'))).toBe(true);
    expect(readdirSync(settings.evidenceDir).filter((f) => f.endsWith('20260401.json'))).toEqual([]);
  });

  it('a RESOLVED test is left out unless named with --test or --include-resolved', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-30T10:00:00Z', 0.2, 0]]);
    await runDate(db.pool, { date: '2026-03-31', settings });
    expect((await runDate(db.pool, { date: '2026-03-20', settings })).plan.outcomes).toEqual([]);
    const included = await runDate(db.pool, { date: '2026-03-20', settings, includeResolved: true });
    expect(included.plan.outcomes.map((o) => [o.testCode, o.liveStateUpdated])).toEqual([['T-001', false]]);
  });
});

describe('acknowledgement', () => {
  it('ack (as the approver) clears the flag, and the next runbook shows who acknowledged and why', async () => {
    await insertTest(db);
    await addDaily(db, [['2026-03-09T16:00:00Z', 0.35, 0]]);
    await runDate(db.pool, { date: '2026-03-10', settings });
    const flag = async () =>
      (await db.exec<{ f: boolean }>(`SELECT ceo_action_required AS f FROM fhq_calendar.canonical_test_events`)).rows[0]!.f;
    expect(await flag()).toBe(true);
    const acked = await runCli(['ack', '--test', 'T-001', '--by', 'Kari Nordmann', '--note', 'rollback planned'], settings.reportsDir, {
      DATABASE_URL: db.approverUri,
    });
    expect(acked.code, acked.stderr).toBe(0);
    expect(await flag()).toBe(false);
    const today = todayIn('Europe/Oslo');
    await runDate(db.pool, { date: today, settings });
    const report = readFileSync(join(settings.reportsDir, `RUNBOOK_${today.replaceAll('-', '')}.md`), 'utf8');
    expect(report).toContain('Acknowledged');
    expect(report).toMatch(/\| T-001 \| Kari Nordmann \| \d{4}-\d{2}-\d{2} \d{2}:\d{2}[^|]*\| rollback planned \|/);
  });
});

/** Every test row, whole, in test code order. */
const testRows = async () =>
  (await db.exec(`SELECT to_jsonb(e) AS row FROM fhq_calendar.canonical_test_events AS e ORDER BY test_code`)).rows;

/** A failed run left nothing: no runbook row, bundle or alert, the test rows as `before`, no file (temporary or finished). */
async function expectNothingWritten(before: unknown[]): Promise<void> {
  const counts = await db.exec<{ runbook: number; bundles: number; alerts: number }>(
    `SELECT (SELECT count(*)::int FROM fhq_calendar.test_runbook_entries) AS runbook,
            (SELECT count(*)::int FROM fhq_calendar.evidence_bundles) AS bundles,
            (SELECT count(*)::int FROM fhq_calendar.ceo_calendar_alerts) AS alerts`,
  );
  expect(counts.rows).toEqual([{ runbook: 0, bundles: 0, alerts: 0 }]);
  expect(await testRows()).toEqual(before);
  expect(existsSync(settings.evidenceDir) ? readdirSync(settings.evidenceDir) : []).toEqual([]);
}

describe('a run whose statements fail after some of its tests were applied', () => {
  it('leaves none of its rows, bundles or files, and records its failure', async () => {
    const tests = 2 * BUNDLE_CHUNK_ROWS + 3;
    await insertTestsAndData(tests);
    // The last test's bundle is refused: the statements of every earlier test have run by then.
    await db.exec(`
      CREATE FUNCTION public.refuse_last_bundle() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT test_code FROM fhq_calendar.canonical_test_events WHERE test_id = NEW.test_id) = 'T-${String(tests).padStart(4, '0')}' THEN
          RAISE EXCEPTION 'bundle refused for the test';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_last_bundle BEFORE INSERT ON fhq_calendar.evidence_bundles FOR EACH ROW EXECUTE FUNCTION public.refuse_last_bundle()`);
    const before = await testRows();
    await expect(runDate(db.pool, { date: '2026-03-10', settings })).rejects.toThrow('bundle refused for the test');
    await expectNothingWritten(before);
    const ledger = await db.exec<{ outcome: string; error: string }>(`SELECT outcome, error FROM fhq_calendar.evaluator_runs`);
    expect(ledger.rows.map((r) => r.outcome)).toEqual(['FAILED']);
    expect(ledger.rows[0]!.error).toContain('bundle refused for the test');
  });
});

describe('a run whose evaluation fails while a batch of its writes is in flight', () => {
  it('leaves none of its rows, bundles or files: no statement reaches the database after the rollback', async () => {
    const tests = 2 * BUNDLE_CHUNK_ROWS + 3;
    await insertTestsAndData(tests);
    const before = await testRows();
    let staged = 0;
    // The first file of the second batch: its statements have just been sent, behind the first batch's.
    const onPhase = (phase: string) => {
      if (phase === 'file-staged' && ++staged === APPLY_BATCH_TESTS + 1) throw new Error('evaluation failed here');
    };
    await expect(runDate(db.pool, { date: '2026-03-10', settings, onPhase })).rejects.toThrow('evaluation failed here');
    expect(staged).toBe(APPLY_BATCH_TESTS + 1);
    await expectNothingWritten(before);
  });
});
