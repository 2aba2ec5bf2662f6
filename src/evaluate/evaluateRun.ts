import { reportFilePath } from '../domain/fileNames.js';
import type { AlertWrite, Plan } from '../domain/plan.js';
import { mergeParts } from '../domain/planParts.js';
import type { Snapshot } from '../domain/snapshot.js';
import { evaluateTest, type TestPlan } from './evaluateTest.js';
import { haltPlan } from './halt.js';

/**
 * Tests per part of {@link evaluateInParts}: small enough that a run applying
 * part N while evaluating part N+1 hands the database a statement every few
 * milliseconds, large enough that a part costs no more statements than it
 * must (README "Performance").
 */
export const PART_TESTS = 50;

/**
 * Evaluation (docs/verdicts.md "What a run does", phase 2), free of I/O: from the snapshot to the plan of
 * every write. A halt when the gate found any defect; otherwise every test that
 * passed, in discovery order. The same plan as {@link mergeParts} of every
 * part of {@link evaluateInParts}.
 */
export function evaluateRun(snapshot: Snapshot): Plan {
  return mergeParts([...evaluateInParts(snapshot)]);
}

/**
 * The plan of {@link evaluateRun} in consecutive parts, each evaluated only
 * when asked for, so a run can apply one part while the next is evaluated
 * (src/execute/applyInParts.ts). A halt is one part; otherwise a part per
 * {@link PART_TESTS} tests in discovery order (at least one, even with no
 * test), then the run-level `MISSED_RUN` alert, when there is one, in a part of its own.
 * Every part carries the run's header (id, as-of, halted, failed sources,
 * defects, report path). Pure: reads only the snapshot.
 */
export function* evaluateInParts(snapshot: Snapshot, partTests: number = PART_TESTS): Generator<Plan, void, undefined> {
  let header: PlanHeader;
  if (snapshot.gate.defects.length > 0) {
    const halt = haltPlan(snapshot);
    header = halt;
    yield halt;
  } else {
    header = testsHeader(snapshot);
    // A run without tests still has its one part.
    if ((yield* testParts(header, snapshot, partTests)) === 0) yield planOfTests(header, []);
  }
  yield* missedRunPart(header, snapshot);
}

/**
 * The plan of a run whose tests come in chunks (src/discover/chunks.ts), in
 * parts as {@link evaluateInParts} gives them: a part per {@link PART_TESTS}
 * tests of each chunk in turn (at least one part, even with no test), then
 * the run-level `MISSED_RUN` alert, when there is one. Every part carries the
 * header of `base`. Each chunk is evaluated when its parts are asked for, and
 * dropped once they are: no more than one chunk is held at a time. Evaluation
 * itself is pure; the chunks come from the caller.
 *
 * @param base the run's snapshot without tests: its header and missed days.
 * @param chunks the snapshots of consecutive chunks of the tests that passed the gate, each `base` plus those tests.
 * @returns the same parts, merged, as {@link evaluateInParts} of one snapshot holding every chunk's tests.
 */
export async function* evaluateChunks(
  base: Snapshot,
  chunks: AsyncIterable<Snapshot>,
  partTests: number = PART_TESTS,
): AsyncGenerator<Plan, void, undefined> {
  const header = testsHeader(base);
  let parts = 0;
  for await (const chunk of chunks) parts += yield* testParts(header, chunk, partTests);
  if (parts === 0) yield planOfTests(header, []);
  yield* missedRunPart(header, base);
}

/** A part per `partTests` tests that passed the snapshot's gate, in order, each evaluated when asked for; returns how many parts. */
function* testParts(header: PlanHeader, snapshot: Snapshot, partTests: number): Generator<Plan, number, undefined> {
  const tests = snapshot.gate.passed;
  let parts = 0;
  for (let start = 0; start < tests.length; start += partTests, parts++)
    yield planOfTests(
      header,
      tests.slice(start, start + partTests).map((test) => evaluateTest(test, snapshot)),
    );
  return parts;
}

/** The part of the run-level `MISSED_RUN` alert, when there is one. */
function* missedRunPart(header: PlanHeader, snapshot: Snapshot): Generator<Plan, void, undefined> {
  const missed = missedRunAlert(snapshot);
  if (missed) yield { ...header, ...noWrites(), alerts: [missed] };
}

/**
 * One run-level WARNING `MISSED_RUN` alert naming the dates since the last
 * daily run that no completed run covers; null when none.
 */
function missedRunAlert(snapshot: Snapshot): AlertWrite | null {
  const dates = snapshot.missedDates;
  if (dates.length === 0) return null;
  return {
    testId: null,
    testCode: null,
    runDate: snapshot.asOf.date,
    severity: 'WARNING',
    alertType: 'MISSED_RUN',
    title: `${dates.length} day(s) without a completed run`,
    message: `No completed run for: ${dates.join(', ')}.`,
    recommendedActions: [`Evaluate them: canonical-tests run --catch-up (or backfill --from ${dates[0]} --to ${dates.at(-1)})`],
  };
}

type PlanHeader = Pick<Plan, 'runId' | 'asOf' | 'halted' | 'failedSignals' | 'defects' | 'reportPath'>;

/** What every part of a run that passed the gate carries besides its writes. */
function testsHeader(snapshot: Snapshot): PlanHeader {
  return {
    runId: snapshot.runId,
    asOf: snapshot.asOf,
    halted: false,
    failedSignals: failedSignals(snapshot),
    defects: [],
    reportPath: reportFilePath(snapshot.reportsDir, snapshot.asOf.compactDate),
  };
}

/** The (new, empty) lists of a part that writes nothing. */
function noWrites(): Pick<Plan, 'stateUpdates' | 'resolutions' | 'runbook' | 'alerts' | 'files' | 'bundles' | 'outcomes'> {
  return { stateUpdates: [], resolutions: [], runbook: [], alerts: [], files: [], bundles: [], outcomes: [] };
}

function planOfTests(header: PlanHeader, plans: readonly TestPlan[]): Plan {
  return {
    ...header,
    stateUpdates: plans.flatMap((p) => (p.stateUpdate ? [p.stateUpdate] : [])),
    resolutions: plans.flatMap((p) => (p.resolution ? [p.resolution] : [])),
    runbook: plans.map((p) => p.runbook),
    alerts: plans.flatMap((p) => p.alerts),
    files: plans.map((p) => p.file),
    bundles: plans.flatMap((p) => (p.bundle ? [p.bundle] : [])),
    outcomes: plans.map((p) => p.outcome),
  };
}

/** Every signal whose source failed at an instant this run needed, once each (exit 1). */
function failedSignals(snapshot: Snapshot): Plan['failedSignals'] {
  const failed = new Map<string, Plan['failedSignals'][number]>();
  for (const byKey of snapshot.metrics.values()) {
    for (const m of byKey.values()) {
      if (m.status === 'ERROR' && !failed.has(m.key))
        failed.set(m.key, { key: m.key, source: `${m.source.schema}.${m.source.table}`, message: m.error ?? 'query failed' });
    }
  }
  return [...failed.values()].sort((a, b) => a.key.localeCompare(b.key));
}
