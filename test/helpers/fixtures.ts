import { resolveSettings, type Settings } from '../../src/config/settings.js';
import { runRoleScript } from '../globalSetup.js';
import type { TestDatabase } from './database.js';
import { tempDir } from './tempDir.js';

/**
 * Small source objects for integration tests (not the demo data):
 * `fixture.daily` (timestamped numeric signals) and `fixture.flags` (one row,
 * no time column), with registry rows:
 * brier → daily.brier LATEST, brier_7d → daily.brier AVG_7D, lift → daily.lift LATEST,
 * ready → flags.ready (no time column).
 */
export async function createSources(db: TestDatabase): Promise<void> {
  await db.exec(`
    CREATE SCHEMA fixture;
    CREATE TABLE fixture.daily (ts timestamptz NOT NULL, brier double precision, lift double precision);
    CREATE TABLE fixture.flags (ready boolean NOT NULL);
    INSERT INTO fixture.flags VALUES (true);
    INSERT INTO fhq_calendar.test_signal_registry (signal_key, source_schema, source_table, source_column, time_column, aggregation) VALUES
      ('brier', 'fixture', 'daily', 'brier', 'ts', 'LATEST'),
      ('brier_7d', 'fixture', 'daily', 'brier', 'ts', 'AVG_7D'),
      ('lift', 'fixture', 'daily', 'lift', 'ts', 'LATEST'),
      ('ready', 'fixture', 'flags', 'ready', NULL, 'LATEST');
  `);
  await grantSources(db);
}

/**
 * Grants the evaluator's role read access to every source the registry names
 * (sql/roles/02_grant_registry_sources.sql), as an administrator does after
 * changing the registry.
 */
export async function grantSources(db: TestDatabase): Promise<void> {
  await runRoleScript(db.adminUri, '02_grant_registry_sources.sql');
}

/** Inserts daily rows: `[instant, brier, lift]`. */
export async function addDaily(db: TestDatabase, rows: [string, number | null, number | null][]): Promise<void> {
  for (const [ts, brier, lift] of rows) {
    await db.exec('INSERT INTO fixture.daily (ts, brier, lift) VALUES ($1, $2, $3)', [ts, brier, lift]);
  }
}

/** A definition in the shapes of docs/registering-a-test.md; override any column. */
export interface TestFixture {
  test_code?: string;
  test_name?: string;
  status?: string;
  start_ts?: string | null;
  end_ts?: string | null;
  required_days?: number | null;
  mid_test_checkpoint?: string | null;
  baseline_definition?: unknown;
  target_metrics?: unknown;
  success_criteria?: unknown;
  failure_criteria?: unknown;
  escalation_path?: unknown;
}

/**
 * The default test: window 2026-03-01 00:00 → 2026-03-30 23:59:59 Europe/Oslo
 * (30 days, across the DST change of Sunday 2026-03-29), baseline brier 0.25;
 * success: brier <= baseline - 0.01 and ready == true; failure: brier > 0.30.
 */
export const DEFAULT_TEST: Required<TestFixture> = {
  test_code: 'T-001',
  test_name: 'Forecast pipeline change',
  status: 'ACTIVE',
  start_ts: '2026-03-01T00:00:00+01:00',
  end_ts: '2026-03-30T23:59:59+02:00',
  required_days: 30,
  mid_test_checkpoint: null,
  baseline_definition: { brier: 0.25 },
  target_metrics: { brier: { op: '<=', value: 0.24 } },
  success_criteria: {
    all: [
      { metric: 'brier', op: '<=', baseline_delta: -0.01 },
      { metric: 'ready', op: '==', value: true },
    ],
  },
  failure_criteria: { any: [{ metric: 'brier', op: '>', value: 0.3 }] },
  escalation_path: { owner: 'head-of-forecasting', notify: ['ceo-office'] },
};

/** A healthy test that uses only `lift`, so a registry defect of `brier` does not touch it. */
export const LIFT_ONLY_TEST: TestFixture = {
  test_code: 'GOOD-1',
  start_ts: '2026-02-27T00:00:00+01:00',
  baseline_definition: { lift: 0 },
  target_metrics: {},
  success_criteria: { all: [{ metric: 'lift', op: '>=', baseline_delta: 0 }] },
  failure_criteria: { any: [{ metric: 'lift', op: '<', value: -1 }] },
};

/**
 * Sources and two tests that make 2026-03-05 a busy date: T-001 escalates
 * (brier 0.35 > 0.30 mid-window) and T-ENDED, whose window closed on
 * 2026-03-02, resolves SUCCESS as of its close (the 0.35 row after the close
 * does not count). A run of that date writes two runbook rows, two alerts
 * (ESCALATION, RESOLUTION) and three files.
 */
export async function createEscalationAndResolution(db: TestDatabase): Promise<void> {
  await createSources(db);
  await addDaily(db, [
    ['2026-03-02T16:00:00Z', 0.2, 0],
    ['2026-03-04T16:00:00Z', 0.35, 0],
  ]);
  await insertTest(db);
  await insertTest(db, { test_code: 'T-ENDED', start_ts: '2026-02-01T00:00:00+01:00', end_ts: '2026-03-02T23:59:59+01:00' });
}

/** Registers a test by inserting only its definition columns; returns its test_id. */
export async function insertTest(db: TestDatabase, overrides: TestFixture = {}): Promise<string> {
  const t = { ...DEFAULT_TEST, ...overrides };
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v));
  const { rows } = await db.exec<{ test_id: string }>(
    `INSERT INTO fhq_calendar.canonical_test_events
       (test_code, test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
        baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING test_id`,
    [
      t.test_code,
      t.test_name,
      t.status,
      t.start_ts,
      t.end_ts,
      t.required_days,
      t.mid_test_checkpoint,
      json(t.baseline_definition),
      json(t.target_metrics),
      json(t.success_criteria),
      json(t.failure_criteria),
      json(t.escalation_path),
    ],
  );
  return rows[0]!.test_id;
}

/** Settings with fresh temporary report and evidence folders (Europe/Oslo, 06:00), removed after the test file ({@link tempDir}). */
export function tempSettings(overrides: Partial<Settings> = {}): Settings {
  const dir = tempDir('out');
  return { ...resolveSettings({}, {}, dir), ...overrides };
}

/** Every row of a table as JSON text, in a stable order (for before/after comparisons). */
export async function dumpTable(db: TestDatabase, table: string): Promise<string> {
  const { rows } = await db.exec(`SELECT to_jsonb(t) AS row FROM fhq_calendar.${table} AS t ORDER BY to_jsonb(t)::text`);
  return JSON.stringify(rows.map((r) => r.row));
}
