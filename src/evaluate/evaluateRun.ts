import { describeDefect, type Defect } from '../discover/gate.js';
import { evaluateTest } from './evaluateTest.js';
import { haltFilePath, jsonFile, reportFilePath, stableBundle } from './fileNames.js';
import type { AlertWrite, Plan, RunbookWrite, StateUpdate, TestOutcome } from './plan.js';
import { movesLiveState, type Snapshot } from './snapshot.js';

/**
 * The plan of a halted run (SPEC §3 fail-closed gate): per offending test the
 * SYSTEM_ERROR state with `ceo_action_required`, one CRITICAL `SYSTEM_ERROR`
 * alert naming its defects and a runbook row; one halt evidence file with
 * every defect. Tests that passed the gate are not evaluated or written.
 */
function haltPlan(snapshot: Snapshot): Plan {
  const { asOf, gate } = snapshot;
  const byTest = new Map<string, Defect[]>();
  for (const defect of gate.defects) byTest.set(defect.testId, [...(byTest.get(defect.testId) ?? []), defect]);
  const offending = snapshot.tests.filter((t) => byTest.has(t.test_id));
  const path = haltFilePath(snapshot.evidenceDir, asOf.compactDate);
  const bundle = (runId: string) =>
    jsonFile(path, {
      schema: 'canonical-test-halt/1',
      run_id: runId,
      as_of_date: asOf.date,
      as_of_instant: asOf.instant,
      zone: asOf.zone,
      halted: true,
      tests_checked: snapshot.tests.map((t) => t.test_code),
      tests_refused: offending.map((t) => t.test_code),
      defects: gate.defects.map((d) => ({ test_code: d.testCode, test_id: d.testId, field: d.field, problem: d.problem })),
    });
  const { runId, file } = stableBundle(bundle, snapshot.runId, offending.map((t) => snapshot.history.get(t.test_id)?.current ?? null));

  const stateUpdates: StateUpdate[] = [];
  const runbook: RunbookWrite[] = [];
  const alerts: AlertWrite[] = [];
  const outcomes: TestOutcome[] = [];
  for (const test of offending) {
    const defects = byTest.get(test.test_id)!;
    const movesLive = movesLiveState(test, asOf.date);
    if (movesLive) {
      stateUpdates.push({ testId: test.test_id, testCode: test.test_code, progress: null, escalationState: 'SYSTEM_ERROR', raiseCeoAction: true, lastEvaluatedDate: asOf.date });
    }
    const lines = defects.map(describeDefect);
    alerts.push({
      testId: test.test_id, testCode: test.test_code, runDate: asOf.date, severity: 'CRITICAL', alertType: 'SYSTEM_ERROR',
      title: `${test.test_code}: incomplete definition, run halted`,
      message: lines.join('\n'),
      recommendedActions: ['Correct the named fields in fhq_calendar.canonical_test_events or fhq_calendar.test_signal_registry', `Re-run the date: canonical-tests run --date ${asOf.date}`],
    });
    runbook.push({
      testId: test.test_id, testCode: test.test_code, runDate: asOf.date, runId, dayNumber: null, requiredDays: test.required_days,
      status: test.status, escalationState: 'SYSTEM_ERROR', ceoActionRequired: true, metricsSnapshot: {}, verdict: test.verdict,
      notes: `Run halted by the fail-closed gate: ${lines.join('; ')}`, evidencePath: file.path, evidenceSha256: file.sha256,
    });
    outcomes.push({ testCode: test.test_code, dayNumber: null, escalationState: 'SYSTEM_ERROR', verdict: test.verdict, pendingMetrics: [], resolved: false, liveStateUpdated: movesLive });
  }
  return {
    runId, asOf, halted: true, defects: gate.defects, stateUpdates, resolutions: [], runbook, alerts, files: [file],
    reportPath: reportFilePath(snapshot.reportsDir, asOf.compactDate), outcomes,
  };
}

/**
 * Evaluation (SPEC §1 phase 2), free of I/O: from the snapshot to the plan of
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
 * daily run that no completed run covers (issue 3); null when none.
 */
function missedRunAlert(snapshot: Snapshot): AlertWrite | null {
  const dates = snapshot.missedDates;
  if (dates.length === 0) return null;
  return {
    testId: null, testCode: null, runDate: snapshot.asOf.date, severity: 'WARNING', alertType: 'MISSED_RUN',
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
    defects: [],
    stateUpdates: plans.flatMap((p) => (p.stateUpdate ? [p.stateUpdate] : [])),
    resolutions: plans.flatMap((p) => (p.resolution ? [p.resolution] : [])),
    runbook: plans.map((p) => p.runbook),
    alerts: plans.flatMap((p) => p.alerts),
    files: plans.map((p) => p.file),
    reportPath: reportFilePath(snapshot.reportsDir, snapshot.asOf.compactDate),
    outcomes: plans.map((p) => p.outcome),
  };
}
