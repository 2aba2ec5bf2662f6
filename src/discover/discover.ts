import type { DatabasePoolConnection } from 'slonik';
import { loadRecords } from '../db/bundles.js';
import { loadHistory } from '../db/history.js';
import { loadWindowStates } from '../db/progress.js';
import { loadRegistry } from '../db/registry.js';
import { missedDates } from '../db/runs.js';
import { readOnlySnapshot } from '../db/session.js';
import { resolveSignals } from '../db/signals.js';
import { loadActiveTests, requireEvaluableTestCodes } from '../db/tests.js';
import type { AsOf } from '../domain/asOf.js';
import { runGate, type GatedTest } from '../domain/gate.js';
import type { SignalSource } from '../domain/registry.js';
import type { RunMode } from '../domain/runMode.js';
import type { Snapshot } from '../domain/snapshot.js';
import { metricsInstant } from '../domain/window.js';

/** What discovery needs besides the connection. */
export interface DiscoverOptions {
  asOf: AsOf;
  /** `HH:MM`: the as-of instant of any date is this time on it (for the checkpoint rule). */
  runTime: string;
  /** Days the verdict waits for late data after the close. */
  resolutionGraceDays: number;
  evidenceDir: string;
  reportsDir: string;
  /** `--test CODE ...`: only these tests (ACTIVE, or RESOLVED to re-evaluate their past). */
  testCodes?: readonly string[];
  /** `--include-resolved`: also re-evaluate RESOLVED tests, for dates up to their resolution. */
  includeResolved?: boolean;
  /** The run's id, minted once by the run that asks (src/run/). */
  runId: string;
  /** Only a daily run looks for missed days. */
  mode: RunMode;
  /** The evaluator's version, written into every bundle. */
  evaluatorVersion: string;
}

/** Per signal key, its source and every instant a test needs it at (the as-of instant, or `end_ts` at a close). */
function signalNeeds(passed: readonly GatedTest[], asOf: AsOf): { source: SignalSource; instants: string[] }[] {
  const needs = new Map<string, { source: SignalSource; instants: Set<string> }>();
  for (const test of passed) {
    const instant = metricsInstant(
      { start_ts: test.definition.startTs, end_ts: test.definition.endTs, verdict: test.row.verdict, status: test.row.status },
      asOf,
    );
    if (instant === null) continue;
    for (const source of Object.values(test.sources)) {
      const need = needs.get(source.key) ?? { source, instants: new Set<string>() };
      need.instants.add(instant);
      needs.set(source.key, need);
    }
  }
  return [...needs.values()]
    .sort((a, b) => a.source.key.localeCompare(b.source.key))
    .map((n) => ({ source: n.source, instants: [...n.instants].sort() }));
}

/**
 * Discover (README "How it works", phase 1) plus every read evaluation needs,
 * in one read-only REPEATABLE READ transaction so all of it sees one database
 * state: ACTIVE tests, registry and catalog, the gate, and — when the gate
 * passes — progress and escalation (one set-based query), the signals (one
 * query each, for every instant needed) and the runbook history. A failing
 * source is recorded as an ERROR metric, not thrown.
 *
 * @throws UsageError naming `--test` when a requested code names no test, or one neither ACTIVE nor RESOLVED.
 */
export async function discover(conn: DatabasePoolConnection, options: DiscoverOptions): Promise<Snapshot> {
  return conn.transaction(async (tx) => {
    await readOnlySnapshot(tx);
    const tests = await loadActiveTests(tx, options.testCodes, { date: options.asOf.date, includeResolved: options.includeResolved });
    await requireEvaluableTestCodes(tx, options.testCodes);
    const gate = runGate(tests, await loadRegistry(tx));
    const records = await loadRecords(
      tx,
      tests.map((t) => t.test_id),
      options.asOf.date,
    );
    const history = await loadHistory(
      tx,
      tests.map((t) => t.test_id),
      options.asOf.date,
    );
    const passed = gate.defects.length === 0 ? gate.passed : [];
    const windowStates = await loadWindowStates(
      tx,
      passed.map((t) => t.row.test_id),
      options.asOf.instant,
      options.asOf.zone,
    );
    const metrics = await resolveSignals(tx, signalNeeds(passed, options.asOf));
    const { mode } = options;
    return {
      asOf: options.asOf,
      runTime: options.runTime,
      resolutionGraceDays: options.resolutionGraceDays,
      runId: options.runId,
      mode,
      missedDates: mode === 'daily' ? await missedDates(tx, options.asOf.date) : [],
      evidenceDir: options.evidenceDir,
      reportsDir: options.reportsDir,
      tests,
      gate,
      windowStates,
      metrics,
      history,
      records,
      evaluatorVersion: options.evaluatorVersion,
    };
  });
}
