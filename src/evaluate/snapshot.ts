import type { AsOf } from '../domain/asOf.js';
import type { GateResult } from '../discover/gate.js';
import type { TestHistory } from '../discover/history.js';
import type { TestRow } from '../discover/loadTests.js';
import type { MetricValue } from '../discover/signals.js';
import type { WindowState } from '../discover/windowState.js';

/**
 * Everything evaluation needs, read by discover before any write: the input of
 * the pure {@link evaluateRun}. Maps are keyed by test id, metrics by signal key.
 */
export interface Snapshot {
  asOf: AsOf;
  /** A fresh id for this run; rows whose content is unchanged keep the id that wrote them. */
  runId: string;
  evidenceDir: string;
  reportsDir: string;
  tests: readonly TestRow[];
  gate: GateResult;
  windowStates: Map<string, WindowState>;
  metrics: Map<string, MetricValue>;
  history: Map<string, TestHistory>;
}
