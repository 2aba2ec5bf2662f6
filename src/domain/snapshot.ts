import type { AsOf } from './asOf.js';
import type { TestRecord } from './bundle.js';
import type { RunMode } from './runMode.js';
import type { GateResult } from './gate.js';
import type { TestHistory } from './history.js';
import type { TestRow } from './testRow.js';
import type { MetricValue } from './metric.js';
import type { WindowState } from './windowState.js';

/**
 * Backfill never moves live state backwards: a test's columns in
 * `canonical_test_events` change only when the as-of date (`YYYY-MM-DD`) is on
 * or after its `last_evaluated_date`.
 */
export function movesLiveState(row: Pick<TestRow, 'last_evaluated_date' | 'status'>, asOfDate: string): boolean {
  if (row.status === 'RESOLVED') return false; // re-evaluating the past never changes a resolved test
  return row.last_evaluated_date === null || asOfDate >= row.last_evaluated_date;
}

/**
 * Everything evaluation needs, read by discover before any write: the input of
 * the pure {@link evaluateRun}. Maps are keyed by test id, metrics by instant then signal key.
 */
export interface Snapshot {
  asOf: AsOf;
  /** `HH:MM`: the as-of instant of any date is this time on it in `asOf.zone`. */
  runTime: string;
  /** Days after the close that the verdict waits for a pending metric. */
  resolutionGraceDays: number;
  /** The id of this run; rows whose content is unchanged keep the id that wrote them. */
  runId: string;
  /** How the run was started; a backfill alerts on changes of state only. */
  mode: RunMode;
  /** Dates before the as-of date that no completed run covers (daily runs only). */
  missedDates: string[];
  evidenceDir: string;
  reportsDir: string;
  tests: readonly TestRow[];
  gate: GateResult;
  windowStates: Map<string, WindowState>;
  /** Resolved signals: instant (UTC ISO) → signal key → value. */
  metrics: Map<string, Map<string, MetricValue>>;
  history: Map<string, TestHistory>;
  /** The record of each test as the run starts: the date's newest revision and the chain's head. */
  records: Map<string, TestRecord>;
  /** The evaluator's version (package.json), written into every bundle. */
  evaluatorVersion: string;
}
