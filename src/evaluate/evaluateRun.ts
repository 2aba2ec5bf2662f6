import { reportFilePath } from '../domain/fileNames.js';
import type { AlertWrite, Plan } from '../domain/plan.js';
import type { Snapshot } from '../domain/snapshot.js';
import { evaluateTest } from './evaluateTest.js';
import { haltPlan } from './halt.js';

/**
 * Evaluation (README "How it works", phase 2), free of I/O: from the snapshot to the plan of
 * every write. A halt when the gate found any defect; otherwise every test that
 * passed, in discovery order.
 */
export function evaluateRun(snapshot: Snapshot): Plan {
  const plan = snapshot.gate.defects.length > 0 ? haltPlan(snapshot) : testsPlan(snapshot);
  const missed = missedRunAlert(snapshot);
  return missed ? { ...plan, alerts: [...plan.alerts, missed] } : plan;
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

function testsPlan(snapshot: Snapshot): Plan {
  const plans = snapshot.gate.passed.map((test) => evaluateTest(test, snapshot));
  return {
    runId: snapshot.runId,
    asOf: snapshot.asOf,
    halted: false,
    failedSignals: failedSignals(snapshot),
    defects: [],
    stateUpdates: plans.flatMap((p) => (p.stateUpdate ? [p.stateUpdate] : [])),
    resolutions: plans.flatMap((p) => (p.resolution ? [p.resolution] : [])),
    runbook: plans.map((p) => p.runbook),
    alerts: plans.flatMap((p) => p.alerts),
    files: plans.map((p) => p.file),
    bundles: plans.flatMap((p) => (p.bundle ? [p.bundle] : [])),
    reportPath: reportFilePath(snapshot.reportsDir, snapshot.asOf.compactDate),
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
