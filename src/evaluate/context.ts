import type { Definition } from '../domain/definition.js';
import type { GatedTest } from '../domain/gate.js';
import type { TestHistory } from '../domain/history.js';
import type { MetricValue } from '../domain/metric.js';
import type { AlertWrite, Severity } from '../domain/plan.js';
import { movesLiveState, type Snapshot } from '../domain/snapshot.js';
import type { TestRow } from '../domain/testRow.js';
import type { WindowState } from '../domain/windowState.js';

/** One test's inputs, gathered once from the snapshot for the small planners of `src/evaluate/`. */
export interface TestContext {
  row: TestRow;
  definition: Definition;
  /** The checked registry source of every signal key the test uses. */
  sources: GatedTest['sources'];
  snapshot: Snapshot;
  window: WindowState;
  history: TestHistory;
  /** Whether this as-of date may write the test's live columns (not a backfill behind `last_evaluated_date`). */
  movesLive: boolean;
  /** Builds an alert of this test and date. */
  alert(severity: Severity, alertType: string, title: string, message: string, recommendedActions: string[]): AlertWrite;
}

/**
 * Gathers a gated test's context.
 *
 * @throws Error when the snapshot has no progress row for the test (a discover defect, never a user error).
 */
export function testContext(test: GatedTest, snapshot: Snapshot): TestContext {
  const { row } = test;
  const window = snapshot.windowStates.get(row.test_id);
  if (!window) throw new Error(`no progress row for test ${row.test_code}`);
  return {
    row,
    definition: test.definition,
    sources: test.sources,
    snapshot,
    window,
    history: snapshot.history.get(row.test_id) ?? { previous: null, current: null },
    movesLive: movesLiveState(row, snapshot.asOf.date),
    alert: (severity, alertType, title, message, recommendedActions) => ({
      testId: row.test_id,
      testCode: row.test_code,
      runDate: snapshot.asOf.date,
      severity,
      alertType,
      title,
      message,
      recommendedActions,
    }),
  };
}

/**
 * The test's metrics as of `instant`, in key order.
 *
 * @throws Error when discover did not resolve a key the test uses at that instant.
 */
export function metricsAt(test: GatedTest, snapshot: Snapshot, instant: string): MetricValue[] {
  return Object.keys(test.sources)
    .sort()
    .map((key) => {
      const metric = snapshot.metrics.get(instant)?.get(key);
      if (!metric) throw new Error(`signal ${key} was not resolved as of ${instant} for test ${test.row.test_code}`);
      return metric;
    });
}
