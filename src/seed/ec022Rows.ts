import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { marketCloseInstant, type SignalDay } from './sp500Signals.js';
import { sourceDdl } from './sources.sql.js';

/** The definition columns of the EC-022 row. Instants are UTC ISO. */
export interface Ec022Definition {
  test_code: string;
  test_name: string;
  status: 'ACTIVE';
  start_ts: string;
  end_ts: string;
  required_days: number;
  mid_test_checkpoint: string;
  baseline_definition: { [key: string]: number | boolean };
  target_metrics: { [key: string]: { op: string; value: number | boolean } };
  success_criteria: { all: Array<{ [key: string]: string | number | boolean }> };
  failure_criteria: { any: Array<{ [key: string]: string | number | boolean }> };
  escalation_path: { owner: string; notify: string[] };
}

/** One row of `fhq_calendar.test_signal_registry` as the seed writes it. */
export interface RegistryRow {
  signal_key: string;
  source_schema: string;
  source_table: string;
  source_column: string;
  time_column: string | null;
  aggregation: string;
  description: string;
}

/**
 * Creates the `fhq_learning` source objects if missing and replaces the rows
 * of its three tables with `days` (set-based inserts, one per table).
 *
 * @returns the rows written per table.
 */
export async function replaceSourceRows(
  tx: CommonQueryMethods,
  days: readonly SignalDay[],
): Promise<{ ldowCycleMetrics: number; contextBrierDaily: number; learningVelocityMetrics: number }> {
  const stamped = days.map((d) => ({ ts: marketCloseInstant(d.date), d }));
  for (const statement of sourceDdl) await tx.query(statement);
  await tx.query(sql.unsafe`
    TRUNCATE fhq_learning.ldow_cycle_metrics, fhq_learning.context_brier_daily, fhq_learning.learning_velocity_metrics`);
  const cycles = await tx.query(sql.unsafe`
    INSERT INTO fhq_learning.ldow_cycle_metrics (cycle_ts, trade_date, close, daily_return, big_move, forecast_p, brier_score)
    SELECT * FROM ${sql.unnest(
      stamped.map(({ ts, d }) => [ts, d.date, d.close, d.dailyReturn, d.bigMove, d.referenceForecast, d.referenceBrier]),
      ['timestamptz', 'date', 'float8', 'float8', 'bool', 'float8', 'float8'],
    )}`);
  const context = await tx.query(sql.unsafe`
    INSERT INTO fhq_learning.context_brier_daily (metric_ts, trade_date, model_brier_20d, climatology_brier_20d)
    SELECT * FROM ${sql.unnest(
      stamped.map(({ ts, d }) => [ts, d.date, d.referenceBrierMean, d.climatologyBrierMean]),
      ['timestamptz', 'date', 'float8', 'float8'],
    )}`);
  const velocity = await tx.query(sql.unsafe`
    INSERT INTO fhq_learning.learning_velocity_metrics
      (metric_ts, trade_date, family_size, dead_count, death_rate_pct, tier1_size, tier1_dead_count)
    SELECT * FROM ${sql.unnest(
      stamped.map(({ ts, d }) => [ts, d.date, d.familySize, d.deadCount, d.deathRatePct, d.tier1Size, d.tier1DeadCount]),
      ['timestamptz', 'date', 'int4', 'int4', 'float8', 'int4', 'int4'],
    )}`);
  return { ldowCycleMetrics: cycles.rowCount, contextBrierDaily: context.rowCount, learningVelocityMetrics: velocity.rowCount };
}

/**
 * Upserts the registry rows on `signal_key`.
 *
 * @returns the number of rows written.
 */
export async function upsertRegistry(tx: CommonQueryMethods, rows: readonly RegistryRow[]): Promise<number> {
  const result = await tx.query(sql.unsafe`
    INSERT INTO fhq_calendar.test_signal_registry
      (signal_key, source_schema, source_table, source_column, time_column, aggregation, description)
    SELECT * FROM ${sql.unnest(
      rows.map((r) => [r.signal_key, r.source_schema, r.source_table, r.source_column, r.time_column, r.aggregation, r.description]),
      ['text', 'text', 'text', 'text', 'text', 'text', 'text'],
    )}
    ON CONFLICT (signal_key) DO UPDATE SET
      source_schema = EXCLUDED.source_schema, source_table = EXCLUDED.source_table,
      source_column = EXCLUDED.source_column, time_column = EXCLUDED.time_column,
      aggregation = EXCLUDED.aggregation, description = EXCLUDED.description`);
  return result.rowCount;
}

/**
 * Deletes the test `code`: its runbook entries, its alerts, then its row.
 * The record (`evidence_bundles`, `acknowledgements`) is append-only
 * (docs/record.md), so a test that has any is refused, unless
 * `eraseRecord` is set: only the demo asks for that, on the embedded
 * database it owns, so that `npm start` can run again in the same folder.
 *
 * @param options.eraseRecord delete the test's acknowledgements and evidence bundles first.
 * @returns the rows deleted per table (the record's rows are not counted).
 * @throws UsageError naming `--reset` when the test has a record and `eraseRecord` is not set.
 */
export async function deleteTest(
  tx: CommonQueryMethods,
  code: string,
  options: { eraseRecord?: boolean } = {},
): Promise<{ testRunbookEntries: number; ceoCalendarAlerts: number; canonicalTestEvents: number }> {
  const ids = sql.fragment`SELECT test_id FROM fhq_calendar.canonical_test_events WHERE test_code = ${code}`;
  if (options.eraseRecord) {
    await tx.query(sql.unsafe`DELETE FROM fhq_calendar.acknowledgements WHERE test_id IN (${ids})`);
    await tx.query(sql.unsafe`DELETE FROM fhq_calendar.evidence_bundles WHERE test_id IN (${ids})`);
  } else {
    const record = await tx.one(sql.type(recordCounts)`
      SELECT (SELECT count(*) FROM fhq_calendar.evidence_bundles WHERE test_id IN (${ids}))::int AS bundles,
             (SELECT count(*) FROM fhq_calendar.acknowledgements WHERE test_id IN (${ids}))::int AS acknowledgements`);
    if (record.bundles > 0 || record.acknowledgements > 0) {
      throw new UsageError(
        '--reset',
        `${code} has ${record.bundles} evidence bundle(s) and ${record.acknowledgements} acknowledgement(s) in the record ` +
          '(fhq_calendar.evidence_bundles, fhq_calendar.acknowledgements), which is append-only: ' +
          'a test that has been evaluated cannot be reset; seed a fresh database instead (nothing was changed)',
      );
    }
  }
  const entries = await tx.query(sql.unsafe`
    DELETE FROM fhq_calendar.test_runbook_entries WHERE test_id IN (${ids})`);
  const alerts = await tx.query(sql.unsafe`
    DELETE FROM fhq_calendar.ceo_calendar_alerts WHERE test_id IN (${ids})`);
  const tests = await tx.query(sql.unsafe`
    DELETE FROM fhq_calendar.canonical_test_events WHERE test_code = ${code}`);
  return { testRunbookEntries: entries.rowCount, ceoCalendarAlerts: alerts.rowCount, canonicalTestEvents: tests.rowCount };
}

const recordCounts = z.object({ bundles: z.number().int(), acknowledgements: z.number().int() });

const testIdRow = z.object({ test_id: z.string().uuid() });

/**
 * Inserts the test row of `t`, unless a row with its code exists (then it is left untouched).
 *
 * @returns true when the row was inserted.
 */
export async function insertTestIfAbsent(tx: CommonQueryMethods, t: Ec022Definition): Promise<boolean> {
  const inserted = await tx.maybeOne(sql.type(testIdRow)`
    INSERT INTO fhq_calendar.canonical_test_events
      (test_code, test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
       baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path)
    VALUES (${t.test_code}, ${t.test_name}, ${t.status}, ${t.start_ts}::timestamptz, ${t.end_ts}::timestamptz,
            ${t.required_days}, ${t.mid_test_checkpoint}::timestamptz,
            ${sql.jsonb(t.baseline_definition)}, ${sql.jsonb(t.target_metrics)}, ${sql.jsonb(t.success_criteria)},
            ${sql.jsonb(t.failure_criteria)}, ${sql.jsonb(t.escalation_path)})
    ON CONFLICT (test_code) DO NOTHING
    RETURNING test_id`);
  return inserted !== null;
}
