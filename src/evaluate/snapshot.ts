import type { AsOf } from '../domain/asOf.js';
import type { RunMode } from '../ledger/ledger.js';
import type { GateResult } from '../discover/gate.js';
import type { TestHistory } from '../discover/history.js';
import type { TestRow } from '../discover/loadTests.js';
import type { MetricValue } from '../discover/signals.js';
import type { WindowState } from '../discover/windowState.js';

/**
 * SPEC §3 "Backfill never moves live state backwards": a test's columns in
 * `canonical_test_events` change only when the as-of date (`YYYY-MM-DD`) is on
 * or after its `last_evaluated_date`.
 */
export function movesLiveState(row: Pick<TestRow, 'last_evaluated_date'>, asOfDate: string): boolean {
  return row.last_evaluated_date === null || asOfDate >= row.last_evaluated_date;
}

/**
 * Everything evaluation needs, read by discover before any write: the input of
 * the pure {@link evaluateRun}. Maps are keyed by test id, metrics by signal key.
 */
export interface Snapshot {
  asOf: AsOf;
  /** A fresh id for this run; rows whose content is unchanged keep the id that wrote them. */
  runId: string;
  /** How the run was started; a backfill alerts on changes of state only. */
  mode: RunMode;
  /** Dates before the as-of date that no completed run covers (daily runs only; issue 3). */
  missedDates: string[];
  evidenceDir: string;
  reportsDir: string;
  tests: readonly TestRow[];
  gate: GateResult;
  windowStates: Map<string, WindowState>;
  metrics: Map<string, MetricValue>;
  history: Map<string, TestHistory>;
}
