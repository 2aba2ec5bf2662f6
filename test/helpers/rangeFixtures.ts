/**
 * Fixtures of the tests that compare two ways of running the same dates on
 * two fresh databases, byte for byte (test/integration/backfillRange.test.ts,
 * chunkedRun.test.ts): the seeds, fixed ids, and what the two ways must agree on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDatabase } from './database.js';
import { addDaily, createSources, grantSources, insertTest } from './fixtures.js';

/** Run before the range, on both databases alike. */
export const PRIOR = '2026-03-24';
export const DATES = ['2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01'];

/** Fixed ids, so that bundles, their hashes and chains can match byte for byte. */
export const TEST_IDS: Record<string, string> = {
  'T-001': '00000000-0000-4000-8000-000000000001',
  'T-LONG': '00000000-0000-4000-8000-000000000002',
  'T-FRAGILE': '00000000-0000-4000-8000-000000000003',
};
export const runIdFor = (date: string) => `10000000-0000-4000-8000-0000${date.replaceAll('-', '')}`;

/**
 * T-001 (2026-03-01 … 2026-03-30, Europe/Oslo, across the DST change of
 * 2026-03-29): a checkpoint on 2026-03-27, escalated from 2026-03-28 (brier
 * 0.35), cleared on 2026-03-30, closes on 2026-03-31. T-LONG stays open and
 * uses the 7-day average and the row without a time column.
 */
export async function seedWindows(db: TestDatabase): Promise<void> {
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
export async function seedFragile(db: TestDatabase): Promise<void> {
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

export async function fixIds(db: TestDatabase): Promise<void> {
  for (const [code, id] of Object.entries(TEST_IDS))
    await db.exec('UPDATE fhq_calendar.canonical_test_events SET test_id = $2 WHERE test_code = $1', [code, id]);
}

/** Every file of a folder (not its subfolders): name → exact text. */
export function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

/** What the two ways must agree on, without the timestamps of recording. */
export async function recorded(db: TestDatabase) {
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
