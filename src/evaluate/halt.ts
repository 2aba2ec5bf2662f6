import { describeDefect, type Defect } from '../domain/defect.js';
import { haltFilePath, jsonFile, pathInFolder, reportFilePath, stableBundle } from '../domain/fileNames.js';
import type { AlertWrite, EvidenceRef, Plan, RunbookWrite, StateUpdate, TestOutcome } from '../domain/plan.js';
import { movesLiveState, type Snapshot } from '../domain/snapshot.js';
import type { TestRow } from '../domain/testRow.js';

/** The CRITICAL `SYSTEM_ERROR` alert of a refused test, naming each defect on a line of its own. */
function refusalAlert(test: TestRow, lines: readonly string[], date: string): AlertWrite {
  return {
    testId: test.test_id,
    testCode: test.test_code,
    runDate: date,
    severity: 'CRITICAL',
    alertType: 'SYSTEM_ERROR',
    title: `${test.test_code}: incomplete definition, run halted`,
    message: lines.join('\n'),
    recommendedActions: [
      'Correct the named fields in fhq_calendar.canonical_test_events or fhq_calendar.test_signal_registry',
      `Re-run the date: canonical-tests run --date ${date}`,
    ],
  };
}

/** The runbook row of a refused test: SYSTEM_ERROR, no day number, pointing at the halt file. */
function refusalRunbookRow(test: TestRow, lines: readonly string[], date: string, file: EvidenceRef): RunbookWrite {
  return {
    testId: test.test_id,
    testCode: test.test_code,
    runDate: date,
    runId: file.runId,
    dayNumber: null,
    requiredDays: test.required_days,
    status: test.status,
    escalationState: 'SYSTEM_ERROR',
    ceoActionRequired: true,
    metricsSnapshot: {},
    verdict: test.verdict,
    notes: `Run halted by the fail-closed gate: ${lines.join('; ')}`,
    evidencePath: file.relativePath,
    evidenceSha256: file.sha256,
    escalationReasons: [],
    escalatedSince: null,
  };
}

/** What one refused test contributes to a halt: its live-state update (when the date may move it), alert, runbook row and outcome. */
function refusedTest(test: TestRow, defects: readonly Defect[], snapshot: Snapshot, file: EvidenceRef) {
  const { asOf } = snapshot;
  const movesLive = movesLiveState(test, asOf.date);
  const lines = defects.map(describeDefect);
  const stateUpdate: StateUpdate | null = movesLive
    ? {
        testId: test.test_id,
        testCode: test.test_code,
        progress: null,
        escalationState: 'SYSTEM_ERROR',
        raiseCeoAction: true,
        lastEvaluatedDate: asOf.date,
      }
    : null;
  const outcome: TestOutcome = {
    testCode: test.test_code,
    dayNumber: null,
    escalationState: 'SYSTEM_ERROR',
    verdict: test.verdict,
    pendingMetrics: [],
    resolved: false,
    liveStateUpdated: movesLive,
  };
  return {
    stateUpdate,
    alert: refusalAlert(test, lines, asOf.date),
    runbook: refusalRunbookRow(test, lines, asOf.date, file),
    outcome,
  };
}

/**
 * The plan of a halted run (README "The fail-closed gate"): per offending test the
 * SYSTEM_ERROR state with `ceo_action_required`, one CRITICAL `SYSTEM_ERROR`
 * alert naming its defects and a runbook row; one halt evidence file with
 * every defect. Tests that passed the gate are not evaluated or written.
 */
export function haltPlan(snapshot: Snapshot): Plan {
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
  const { runId, file } = stableBundle(
    bundle,
    snapshot.runId,
    offending.map((t) => snapshot.history.get(t.test_id)?.current ?? null),
  );
  const refused = offending.map((test) =>
    refusedTest(test, byTest.get(test.test_id)!, snapshot, {
      runId,
      relativePath: pathInFolder(snapshot.evidenceDir, file.path),
      sha256: file.sha256,
    }),
  );
  return {
    runId: snapshot.runId,
    asOf,
    halted: true,
    failedSignals: [],
    defects: gate.defects,
    stateUpdates: refused.flatMap((r) => (r.stateUpdate ? [r.stateUpdate] : [])),
    resolutions: [],
    runbook: refused.map((r) => r.runbook),
    alerts: refused.map((r) => r.alert),
    files: [file],
    bundles: [],
    reportPath: reportFilePath(snapshot.reportsDir, asOf.compactDate),
    outcomes: refused.map((r) => r.outcome),
  };
}
