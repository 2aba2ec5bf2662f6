import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { backfill } from '../../src/run/backfill.js';
import { runDate } from '../../src/run/runDate.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, grantSources, insertTest, tempSettings } from '../helpers/fixtures.js';

/**
 * A backfill reads the registry and the signals once for its whole range
 * (README "Performance"). These tests run the same range once as one backfill
 * and once as one `run --date` per date in backfill mode, on two fresh
 * databases with the same fixed test and run ids, and require the same
 * files byte for byte and the same rows.
 */

/** Run before the range, on both databases alike. */
const PRIOR = '2026-03-24';
const DATES = ['2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01'];

/** Fixed ids, so that bundles, their hashes and chains can match byte for byte. */
const TEST_IDS: Record<string, string> = {
  'T-001': '00000000-0000-4000-8000-000000000001',
  'T-LONG': '00000000-0000-4000-8000-000000000002',
  'T-FRAGILE': '00000000-0000-4000-8000-000000000003',
};
const runIdFor = (date: string) => `10000000-0000-4000-8000-0000${date.replaceAll('-', '')}`;

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

/**
 * T-001 (2026-03-01 … 2026-03-30, Europe/Oslo, across the DST change of
 * 2026-03-29): a checkpoint on 2026-03-27, escalated from 2026-03-28 (brier
 * 0.35), cleared on 2026-03-30, closes on 2026-03-31. T-LONG stays open and
 * uses the 7-day average and the row without a time column.
 */
async function seedWindows(db: TestDatabase): Promise<void> {
  await createSources(db);
  await addDaily(db, [
    ['2026-03-20T16:00:00Z', 0.2, 0.1],
    ['2026-03-27T16:00:00Z', 0.35, 0.2],
    ['2026-03-29T16:00:00Z', 0.2, 0.3],
    ['2026-03-31T16:00:00Z', 0.4, 0.4],
  ]);
  await insertTest(db, { mid_test_checkpoint: '2026-03-27T00:00:00+01:00' });
  await insertTest(db, {
    test_code: 'T-LONG',
    start_ts: '2026-03-10T00:00:00+01:00',
    end_ts: '2026-06-30T23:59:59+02:00',
    required_days: null,
    baseline_definition: { brier_7d: 0.25, lift: 0 },
    target_metrics: { brier_7d: { op: '<=', value: 0.24 } },
    success_criteria: { all: [{ metric: 'brier_7d', op: '<=', baseline_delta: -0.01 }] },
    failure_criteria: {
      any: [
        { metric: 'lift', op: '<', value: -1 },
        { metric: 'ready', op: '==', value: false },
      ],
    },
  });
}

/**
 * T-FRAGILE reads `inv`, a view that divides by zero once a 2026-03-29 row is
 * the latest: its query fails for the dates from 2026-03-30 on, so the range
 * query fails as a whole and each date resolves it for itself.
 */
async function seedFragile(db: TestDatabase): Promise<void> {
  await seedWindows(db);
  await db.exec(`
    CREATE TABLE fixture.raw (ts timestamptz NOT NULL, d double precision NOT NULL);
    INSERT INTO fixture.raw VALUES ('2026-03-20T16:00:00Z', 2), ('2026-03-29T16:00:00Z', 0);
    CREATE VIEW fixture.fragile AS SELECT ts, 1.0 / d AS inv FROM fixture.raw;
    INSERT INTO fhq_calendar.test_signal_registry (signal_key, source_schema, source_table, source_column, time_column, aggregation)
      VALUES ('inv', 'fixture', 'fragile', 'inv', 'ts', 'LATEST');
  `);
  await grantSources(db);
  await insertTest(db, {
    test_code: 'T-FRAGILE',
    baseline_definition: { inv: 1 },
    target_metrics: {},
    success_criteria: { all: [{ metric: 'inv', op: '<=', value: 1 }] },
    failure_criteria: { any: [{ metric: 'inv', op: '>', value: 2 }] },
  });
}

async function fixIds(db: TestDatabase): Promise<void> {
  for (const [code, id] of Object.entries(TEST_IDS))
    await db.exec('UPDATE fhq_calendar.canonical_test_events SET test_id = $2 WHERE test_code = $1', [code, id]);
}

/** Every file of a folder: name → exact text. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

/** What the two ways must agree on, without the timestamps of recording. */
async function recorded(db: TestDatabase) {
  const rows = async (text: string) => (await db.exec(text)).rows;
  return {
    tests: await rows(`SELECT test_code, status, days_elapsed, days_remaining, is_overdue, escalation_state, ceo_action_required, verdict,
                              resolved_at IS NOT NULL AS resolved, last_evaluated_date::text AS d
                       FROM fhq_calendar.canonical_test_events ORDER BY test_code`),
    runbook:
      await rows(`SELECT test_id, run_date::text AS d, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
                                metrics_snapshot, verdict, notes, regexp_replace(evidence_path, '^.*/', '') AS evidence_file, evidence_sha256
                         FROM fhq_calendar.test_runbook_entries ORDER BY run_date, test_id`),
    alerts: await rows(`SELECT test_id, run_date::text AS d, severity, alert_type, title, message, recommended_actions, acknowledged_at
                        FROM fhq_calendar.ceo_calendar_alerts ORDER BY run_date, test_id, alert_type`),
    bundles: await rows(`SELECT test_id, run_date::text AS d, revision, run_id, content, sha256, previous_sha256, evaluation_sha256
                         FROM fhq_calendar.evidence_bundles ORDER BY recorded_order`),
    ledger:
      await rows(`SELECT run_id, as_of_date::text AS d, mode, outcome, exit_code, tests_evaluated, escalations, resolutions, alerts, error, halt_file
                        FROM fhq_calendar.evaluator_runs ORDER BY started_at`),
  };
}

/** Seeds two fresh databases alike; runs the range as one backfill on the first and date by date on the second. */
async function bothWays(seed: (db: TestDatabase) => Promise<void>) {
  const [one, apart] = [await freshDatabase(), await freshDatabase()];
  databases.push(one, apart);
  const settings: [Settings, Settings] = [tempSettings(), tempSettings()];
  for (const [i, db] of [one, apart].entries()) {
    await seed(db);
    await fixIds(db);
    // A date before the range: the range's reports chart history it did not write.
    await runDate(db.pool, { date: PRIOR, settings: settings[i]!, runId: runIdFor(PRIOR) });
  }
  const summary = await backfill(one.pool, { dates: DATES, settings: settings[0], runIdFor });
  const exitCodes = [];
  for (const date of DATES) {
    const result = await runDate(apart.pool, { date, settings: settings[1], mode: 'backfill', runId: runIdFor(date) });
    exitCodes.push(result.exitCode);
  }
  const [a, b] = [await recorded(one), await recorded(apart)];
  const evidence = [files(settings[0].evidenceDir), files(settings[1].evidenceDir)];
  const reports = [files(settings[0].reportsDir), files(settings[1].reportsDir)];
  return { summary, exitCodes, a, b, evidence, reports };
}

describe('a backfill in one session', () => {
  it('writes the same files byte for byte, and the same rows, as one run per date (checkpoint, escalation, DST, close)', async () => {
    const { summary, exitCodes, a, b, evidence, reports } = await bothWays(seedWindows);
    expect(summary).toEqual({
      datesDone: 7,
      testsEvaluated: 13,
      escalationAlerts: 1,
      resolutions: 1,
      halts: 0,
      haltedAt: null,
      exitCode: 0,
    });
    expect(exitCodes).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(evidence[0]).toEqual(evidence[1]);
    expect(reports[0]).toEqual(reports[1]);
    expect(Object.keys(reports[0]!)).toEqual([PRIOR, ...DATES].map((d) => `RUNBOOK_${d.replaceAll('-', '')}.md`));
    // T-001 resolves on 2026-03-31: it is out of scope on 2026-04-01.
    expect(Object.keys(evidence[0]!)).toHaveLength(2 + 13);
    expect(a).toEqual(b);
    expect(a.alerts.map((r) => [r.d, r.alert_type])).toEqual([
      ['2026-03-27', 'CHECKPOINT'],
      ['2026-03-28', 'ESCALATION'],
      ['2026-03-30', 'ESCALATION_CLEARED'],
      ['2026-03-31', 'RESOLUTION'],
    ]);
    expect(a.ledger.map((r) => [r.d, r.mode, r.outcome, r.exit_code])).toEqual([
      [PRIOR, 'daily', 'DONE', 0],
      ...DATES.map((d) => [d, 'backfill', 'DONE', 0]),
    ]);
  });

  it('resolves a source whose range query fails date by date, each date recording its own failure', async () => {
    const { summary, exitCodes, a, b, evidence, reports } = await bothWays(seedFragile);
    expect(summary.exitCode).toBe(1);
    expect(summary.datesDone).toBe(7);
    expect(exitCodes).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(evidence[0]).toEqual(evidence[1]);
    expect(reports[0]).toEqual(reports[1]);
    expect(a).toEqual(b);
    expect(a.ledger.map((r) => [r.d, r.exit_code, r.error])).toEqual([
      [PRIOR, 0, null],
      ...DATES.slice(0, 4).map((d) => [d, 0, null]),
      ...DATES.slice(4).map((d) => [d, 1, 'signal inv (fixture.fragile): division by zero']),
    ]);
    expect(a.alerts.filter((r) => r.alert_type === 'SIGNAL_ERROR').map((r) => r.d)).toEqual(DATES.slice(4));
  });
});
