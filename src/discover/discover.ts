import type { DatabasePoolConnection, DatabaseTransactionConnection } from 'slonik';
import { loadRecords } from '../db/bundles.js';
import { loadHistory } from '../db/history.js';
import { loadWindowStates } from '../db/progress.js';
import { loadRegistry } from '../db/registry.js';
import { missedDates } from '../db/runs.js';
import { readOnlySnapshot } from '../db/session.js';
import { resolveSignals, type SignalCache, type SignalNeeds } from '../db/signals.js';
import { loadActiveTests, requireEvaluableTestCodes } from '../db/tests.js';
import type { AsOf } from '../domain/asOf.js';
import { runGate } from '../domain/gate.js';
import type { RunMode } from '../domain/runMode.js';
import type { Snapshot } from '../domain/snapshot.js';
import type { MetricValue } from '../domain/metric.js';
import { signalNeeds } from './needs.js';
import type { RangeCache } from './prefetch.js';

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
  /** A backfill's registry and signal values read once for its range; without it, everything is read now. */
  rangeCache?: RangeCache;
}

/**
 * The metrics of one date: each needed (key, instant) from the range's cache
 * when it holds it, the rest resolved now (one query per signal, failures
 * recorded per signal as ERROR metrics, exactly as without a cache).
 */
export async function resolveMetrics(tx: DatabaseTransactionConnection, needs: SignalNeeds, cache: SignalCache | undefined) {
  const missing = needs
    .map(({ source, instants }) => ({ source, instants: instants.filter((i) => !cache?.get(source.key)?.has(i)) }))
    .filter((n) => n.instants.length > 0);
  const resolved = await resolveSignals(tx, missing);
  // Built in the order a cacheless run builds it: by key, then instant.
  const metrics = new Map<string, Map<string, MetricValue>>();
  for (const { source, instants } of needs) {
    for (const instant of instants) {
      const metric = cache?.get(source.key)?.get(instant) ?? resolved.get(instant)?.get(source.key);
      if (!metric) continue;
      const byKey = metrics.get(instant) ?? new Map<string, MetricValue>();
      byKey.set(source.key, metric);
      metrics.set(instant, byKey);
    }
  }
  return metrics;
}

/**
 * Discover (docs/verdicts.md "What a run does", phase 1) plus every read evaluation needs,
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
    return readSnapshot(tx, options);
  });
}

/**
 * The reads of {@link discover}, in the caller's transaction (which should be
 * REPEATABLE READ, so that they all see one database state).
 *
 * @throws UsageError naming `--test` when a requested code names no test, or one neither ACTIVE nor RESOLVED.
 */
export async function readSnapshot(tx: DatabaseTransactionConnection, options: DiscoverOptions): Promise<Snapshot> {
  const tests = await loadActiveTests(tx, options.testCodes, { date: options.asOf.date, includeResolved: options.includeResolved });
  await requireEvaluableTestCodes(tx, options.testCodes);
  const gate = runGate(tests, options.rangeCache?.registry ?? (await loadRegistry(tx)), options.rangeCache?.parseDefinition);
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
  const metrics = await resolveMetrics(tx, signalNeeds(passed, [options.asOf]), options.rangeCache?.signals);
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
}
