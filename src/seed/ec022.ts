/**
 * The EC-022 demo scenario: real S&P 500 data (vega-datasets, BSD-3-Clause)
 * turned into the five learning signals of the demo, their registry rows, and
 * the EC-022 test window over February 2020.
 *
 * Window: 2020-02-03 00:00 → 2020-03-03 23:59:59 Europe/Oslo, 30 calendar days
 * (Day 1 = 2020-02-03), checkpoint at the start of Day 16 (2020-02-18 00:00).
 * A daily run at 06:00 Oslo sees the previous NYSE close (22:00 Oslo in winter).
 *
 * Values as the evaluator resolves them at 06:00 Oslo (derivation in
 * sp500Signals.ts; figures from the data, rounded):
 *
 *   as-of (Day)        newest close (move)      brier_score  context_lift  lvi  tier1
 *   02-03 … 02-24 (1–22)  01-31 … 02-21 (≤ 1.77 %)  0.000044   +0.000356      0    0
 *   02-25 (23)         02-24 (−3.35 %)          0.197378     −0.000978    100    1
 *   02-26 (24)         02-25 (−3.03 %)          0.381177     +0.000681     40    0
 *   02-28 (26)         02-27 (−4.42 %)          0.553070     +0.004946     20    0
 *   03-03 (30)         03-02 (+4.60 %)          0.516351     +0.011655     20    0
 *   03-04 (after end)  03-03 (−2.81 %)          0.478634     +0.021579      0    0
 *
 * Baseline = each value as of start_ts (newest close 2020-01-31): brier_score
 * 0.0000444444 (= (1/150)², AVG_7D), context_lift 0.000355556, lvi 0,
 * tier1_death_rate 0, ios010_bridge_ready true; computed from the data at seed time.
 * - Success (all): brier_score ≤ baseline + 0.05, context_lift ≥ 0, lvi ≤ 40,
 *   ios010_bridge_ready == true. Holds on Days 1–22, fails from Day 23.
 * - Failure (any): brier_score > baseline + 0.10, tier1_death_rate ≥ 1,
 *   ios010_bridge_ready == false. First true on Day 23 (the 2020-02-24 selloff),
 *   so the evaluator escalates; still true after the window (brier 0.4786), so
 *   the run of 2020-03-04 resolves EC-022 with verdict FAILURE.
 */
import { DateTime } from 'luxon';
import type { CommonQueryMethods } from 'slonik';
import { deleteTest, insertTestIfAbsent, replaceSourceRows, upsertRegistry, type Ec022Definition } from './ec022Rows.js';
import { loadSp500Closes } from './loadSp500.js';
import { deriveSignals, marketCloseInstant, type SignalDay } from './sp500Signals.js';
import { READINESS_MIN_DAYS } from './sources.sql.js';

/** The test code this scenario owns. */
export const EC022_CODE = 'EC-022';

const ZONE = 'Europe/Oslo';
const FIRST_DAY = '2020-02-03';
const LAST_DAY = '2020-03-03';
const DAY_MS = 86_400_000;

/** The demo's registry rows (upserted on `signal_key`). */
export const EC022_REGISTRY = [
  {
    signal_key: 'lvi',
    source_schema: 'fhq_learning',
    source_table: 'learning_velocity_metrics',
    source_column: 'death_rate_pct',
    time_column: 'metric_ts',
    aggregation: 'LATEST',
    description:
      'Learning velocity: % (0–100) of the five big-move forecasters (5–60 trading-day lookbacks) whose 20-trading-day mean Brier is worse than climatology; one row per NYSE close.',
  },
  {
    signal_key: 'brier_score',
    source_schema: 'fhq_learning',
    source_table: 'ldow_cycle_metrics',
    source_column: 'brier_score',
    time_column: 'cycle_ts',
    aggregation: 'AVG_7D',
    description:
      'Daily Brier score (0–1, lower is better) of the reference forecaster (20-trading-day lookback) of "next close moves more than 2 %", averaged over the 7 days up to the as-of instant.',
  },
  {
    signal_key: 'context_lift',
    source_schema: 'fhq_learning',
    source_table: 'v_context_brier_impact',
    source_column: 'brier_delta',
    time_column: 'metric_ts',
    aggregation: 'LATEST',
    description:
      'Climatology minus reference-model mean Brier over the last 20 trading days; positive = the model adds skill over the 250-day base rate.',
  },
  {
    signal_key: 'ios010_bridge_ready',
    source_schema: 'fhq_learning',
    source_table: 'v_addendum_a_readiness',
    source_column: 'ios010_bridge_ready',
    time_column: null,
    aggregation: 'LATEST',
    description: `True when ldow_cycle_metrics and learning_velocity_metrics each hold at least ${READINESS_MIN_DAYS} trading days; current value only (the view has no time column).`,
  },
  {
    signal_key: 'tier1_death_rate',
    source_schema: 'fhq_learning',
    source_table: 'v_tier1_calibration_status',
    source_column: 'death_rate',
    time_column: 'calibration_ts',
    aggregation: 'LATEST',
    description:
      'Fraction (0–1) of the tier-1 forecasters (5- and 10-trading-day lookbacks) whose 20-trading-day mean Brier is worse than climatology.',
  },
] as const;

/** What {@link seedEc022} wrote. Instants are UTC ISO-8601. */
export interface SeedSummary {
  /** Rows written per object (source tables replaced in full; registry upserted). */
  rowsWritten: {
    ldowCycleMetrics: number;
    contextBrierDaily: number;
    learningVelocityMetrics: number;
    testSignalRegistry: number;
    /** 1 when the EC-022 row was inserted, 0 when an existing row was kept. */
    canonicalTestEvents: number;
  };
  /** Rows removed by `reset` (all 0 without it). */
  rowsDeleted: { testRunbookEntries: number; ceoCalendarAlerts: number; canonicalTestEvents: number };
  /** Trading dates of the first and last daily source row. */
  dataRange: { first: string; last: string };
  /** The EC-022 window as written (or as it would be written when the row was kept). */
  window: { start: string; end: string };
}

/**
 * Builds the EC-022 definition from the derived signals: the fixed window
 * (calendar days in Europe/Oslo) and the baseline = each signal's value as of
 * `start_ts`, resolved as the registry resolves it (LATEST row at or before the
 * start; brier_score averaged over the 7 days before it), rounded to 6
 * significant digits.
 *
 * @param days the output of `deriveSignals`, in date order.
 * @throws Error when no signal row precedes the window start.
 */
export function buildEc022Definition(days: readonly SignalDay[]): Ec022Definition {
  const start = DateTime.fromISO(FIRST_DAY, { zone: ZONE }).startOf('day');
  const end = DateTime.fromISO(LAST_DAY, { zone: ZONE }).endOf('day').set({ millisecond: 0 });
  const requiredDays = end.startOf('day').diff(start, 'days').days + 1;
  return {
    test_code: EC022_CODE,
    test_name: 'Learning-signal stability of the S&P 500 big-move forecasters (Feb 2020)',
    status: 'ACTIVE',
    start_ts: start.toUTC().toISO()!,
    end_ts: end.toUTC().toISO()!,
    required_days: requiredDays,
    mid_test_checkpoint: start
      .plus({ days: Math.floor(requiredDays / 2) })
      .toUTC()
      .toISO()!,
    baseline_definition: baselineAt(days, start),
    target_metrics: EC022_TARGETS,
    success_criteria: EC022_SUCCESS,
    failure_criteria: EC022_FAILURE,
    escalation_path: { owner: 'forecasting-research-lead', notify: ['ceo-office', 'model-risk-governance'] },
  };
}

const EC022_TARGETS: Ec022Definition['target_metrics'] = {
  brier_score: { op: '<=', value: 0.05 },
  context_lift: { op: '>=', value: 0 },
  lvi: { op: '<=', value: 40 },
  tier1_death_rate: { op: '<', value: 1 },
  ios010_bridge_ready: { op: '==', value: true },
};

const EC022_SUCCESS: Ec022Definition['success_criteria'] = {
  all: [
    { metric: 'brier_score', op: '<=', baseline_delta: 0.05 },
    { metric: 'context_lift', op: '>=', value: 0 },
    { metric: 'lvi', op: '<=', value: 40 },
    { metric: 'ios010_bridge_ready', op: '==', value: true },
  ],
};

const EC022_FAILURE: Ec022Definition['failure_criteria'] = {
  any: [
    { metric: 'brier_score', op: '>', baseline_delta: 0.1 },
    { metric: 'tier1_death_rate', op: '>=', value: 1 },
    { metric: 'ios010_bridge_ready', op: '==', value: false },
  ],
};

/**
 * Each signal's value as of `start`, resolved as the registry resolves it
 * (LATEST row at or before it; brier_score averaged over the 7 days before it),
 * rounded to 6 significant digits.
 *
 * @throws Error when no signal row precedes `start`.
 */
function baselineAt(days: readonly SignalDay[], start: DateTime): Ec022Definition['baseline_definition'] {
  const startMs = start.toMillis();
  // Close instants grow with the date: walk back from the newest row.
  const closeMs = (d: SignalDay): number => Date.parse(marketCloseInstant(d.date));
  let last = days.length - 1;
  while (last >= 0 && closeMs(days[last]!) > startMs) last--;
  const latest = days[last];
  if (!latest) throw new Error(`no signal row at or before the EC-022 start ${start.toISO()}`);
  let first = last;
  while (first > 0 && closeMs(days[first - 1]!) > startMs - 7 * DAY_MS) first--;
  const lastWeek = days.slice(first, last + 1);
  const brier = lastWeek.reduce((sum, d) => sum + d.referenceBrier, 0) / lastWeek.length;
  const round = (x: number): number => Number(x.toPrecision(6));
  return {
    brier_score: round(brier),
    context_lift: round(latest.brierDelta),
    lvi: round(latest.deathRatePct),
    tier1_death_rate: round(latest.tier1DeathRate),
    ios010_bridge_ready: last + 1 >= READINESS_MIN_DAYS,
  };
}

/**
 * Seeds the EC-022 demo in one transaction: creates the `fhq_learning` source
 * objects if missing, replaces their rows with the signals derived from the S&P
 * 500 CSV (≈4 835 trading days, 2001-01-29 … 2020-04-17, set-based inserts),
 * upserts the five registry rows, and inserts the EC-022 test row.
 *
 * @param db a pool or connection (nested in a savepoint when already in a transaction).
 * @param options.reset delete EC-022's runbook entries, alerts and row first, then
 *   insert it fresh; without it an existing EC-022 row is left untouched. A
 *   test with a record is refused (UsageError naming `--reset`).
 * @param options.eraseRecord with `reset`, also delete EC-022's acknowledgements
 *   and evidence bundles (the demo's own embedded database only).
 * @returns counts of rows written/deleted, the data range and the EC-022 window.
 * @throws Error when the CSV cannot be read; slonik errors when the contract
 *   tables (sql/ migrations) are missing or a source object has other columns.
 */
export async function seedEc022(db: CommonQueryMethods, options: { reset?: boolean; eraseRecord?: boolean } = {}): Promise<SeedSummary> {
  const days = deriveSignals(await loadSp500Closes());
  const definition = buildEc022Definition(days);
  return db.transaction(async (tx) => {
    // The reset first: a refusal (a test with a record) then costs no source rows written and rolled back.
    const rowsDeleted = options.reset
      ? await deleteTest(tx, EC022_CODE, { eraseRecord: options.eraseRecord })
      : { testRunbookEntries: 0, ceoCalendarAlerts: 0, canonicalTestEvents: 0 };
    const sources = await replaceSourceRows(tx, days);
    const registry = await upsertRegistry(tx, EC022_REGISTRY);
    const inserted = await insertTestIfAbsent(tx, definition);
    return {
      rowsWritten: { ...sources, testSignalRegistry: registry, canonicalTestEvents: inserted ? 1 : 0 },
      rowsDeleted,
      dataRange: { first: days[0]?.date ?? '', last: days.at(-1)?.date ?? '' },
      window: { start: definition.start_ts, end: definition.end_ts },
    };
  });
}
