/**
 * DDL of the demo source objects in `fhq_learning` that the EC-022 registry rows
 * point at. Idempotent: `IF NOT EXISTS` tables, `OR REPLACE` views,
 * so seeding an already-seeded database changes no definition.
 *
 * Every daily row is stamped with the market close of its trading day (16:00
 * America/New_York, as timestamptz) and carries that day's `trade_date`; the
 * values are those of src/seed/sp500Signals.ts.
 */
import { sql } from 'slonik';

/** Rows the readiness view requires in each source table (one trading year). */
export const READINESS_MIN_DAYS = 250;

// A view body cannot take bind parameters: the constant goes in as a quoted literal.
const minDays = sql.fragment`${sql.literalValue(String(READINESS_MIN_DAYS))}::integer`;

/**
 * The statements that create the source objects, in order (schema, tables, then
 * the views that read them). Each is one statement without parameters, to be run
 * with `db.query`. Throws nothing itself; the database rejects an existing object
 * of the same name with incompatible columns.
 */
export const sourceDdl = [
  sql.unsafe`CREATE SCHEMA IF NOT EXISTS fhq_learning`,

  // One scored forecast cycle per trading day: the reference forecaster's daily Brier.
  sql.unsafe`
    CREATE TABLE IF NOT EXISTS fhq_learning.ldow_cycle_metrics (
      cycle_ts      timestamptz PRIMARY KEY,
      trade_date    date NOT NULL UNIQUE,
      close         double precision NOT NULL,
      daily_return  double precision NOT NULL,
      big_move      boolean NOT NULL,
      forecast_p    double precision NOT NULL,
      brier_score   double precision NOT NULL
    )`,

  // Trailing 20-trading-day mean Brier of the reference model and of climatology.
  sql.unsafe`
    CREATE TABLE IF NOT EXISTS fhq_learning.context_brier_daily (
      metric_ts              timestamptz PRIMARY KEY,
      trade_date             date NOT NULL UNIQUE,
      model_brier_20d        double precision NOT NULL,
      climatology_brier_20d  double precision NOT NULL
    )`,
  sql.unsafe`
    CREATE OR REPLACE VIEW fhq_learning.v_context_brier_impact AS
    SELECT metric_ts, trade_date, model_brier_20d, climatology_brier_20d,
           climatology_brier_20d - model_brier_20d AS brier_delta
    FROM fhq_learning.context_brier_daily`,

  // Share of the forecaster family (and of its tier-1 subset) worse than climatology.
  sql.unsafe`
    CREATE TABLE IF NOT EXISTS fhq_learning.learning_velocity_metrics (
      metric_ts         timestamptz PRIMARY KEY,
      trade_date        date NOT NULL UNIQUE,
      family_size       integer NOT NULL CHECK (family_size > 0),
      dead_count        integer NOT NULL,
      death_rate_pct    double precision NOT NULL,
      tier1_size        integer NOT NULL CHECK (tier1_size > 0),
      tier1_dead_count  integer NOT NULL
    )`,
  sql.unsafe`
    CREATE OR REPLACE VIEW fhq_learning.v_tier1_calibration_status AS
    SELECT metric_ts AS calibration_ts, trade_date, tier1_size, tier1_dead_count,
           tier1_dead_count::double precision / tier1_size AS death_rate
    FROM fhq_learning.learning_velocity_metrics`,

  // One row, no time column: whether both daily sources hold a trading year of data.
  sql.unsafe`
    CREATE OR REPLACE VIEW fhq_learning.v_addendum_a_readiness AS
    SELECT c.cycle_days, v.velocity_days,
           (c.cycle_days >= ${minDays} AND v.velocity_days >= ${minDays}) AS ios010_bridge_ready
    FROM (SELECT count(*)::integer AS cycle_days FROM fhq_learning.ldow_cycle_metrics) AS c,
         (SELECT count(*)::integer AS velocity_days FROM fhq_learning.learning_velocity_metrics) AS v`,
];
