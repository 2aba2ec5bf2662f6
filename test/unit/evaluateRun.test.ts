import { describe, expect, it } from 'vitest';
import { asOfFor } from '../../src/domain/asOf.js';
import { runGate } from '../../src/domain/gate.js';
import type { TestHistory } from '../../src/domain/history.js';
import type { TestRow } from '../../src/domain/testRow.js';
import type { MetricValue } from '../../src/domain/metric.js';
import type { WindowState } from '../../src/domain/windowState.js';
import { evaluateRun } from '../../src/evaluate/evaluateRun.js';
import type { Snapshot } from '../../src/domain/snapshot.js';
import { ID_A, ID_B, registry, testRow as baseRow } from '../helpers/rows.js';

const RUN_A = '11111111-1111-4111-8111-111111111111';
const RUN_B = '22222222-2222-4222-8222-222222222222';
const AS_OF = asOfFor('2026-03-29', 'Europe/Oslo', '06:00');
const EVIDENCE = '/data/evidence/ORCHESTRATOR_EC-022_20260329.json';

/** An evaluated row: the default test as last evaluated on 2026-03-28 (Day 28). */
const testRow = (patch: Partial<TestRow> = {}): TestRow =>
  baseRow({ days_elapsed: 28, days_remaining: 3, is_overdue: false, last_evaluated_date: '2026-03-28', ...patch });

function metric(key: string, column: string, value: number | boolean | null): MetricValue {
  const pending = value === null;
  return {
    key, value, status: pending ? 'PENDING' : 'AVAILABLE', pendingReason: pending ? 'no row at or before the as-of instant' : null,
    source: { schema: 'fhq', table: 'metrics', column, timeColumn: 'measured_at' }, aggregation: 'LATEST',
    rowsUsed: pending ? 0 : 1, window: null, latestRowAt: pending ? null : '2026-03-29T03:00:00.000Z', asOfExact: true,
  };
}

function windowState(patch: Partial<WindowState> = {}): WindowState {
  return {
    test_id: ID_A, days_elapsed: 29, days_remaining: 2, is_overdue: false,
    should_escalate: false, escalation_reason: null, recommended_actions: [], ...patch,
  };
}

interface Options {
  rows?: TestRow[];
  window?: Partial<WindowState>;
  brier?: number | null;
  ready?: boolean | null;
  history?: TestHistory;
  runId?: string;
  mode?: Snapshot['mode'];
  missedDates?: string[];
}

function snapshot(o: Options = {}): Snapshot {
  const tests = o.rows ?? [testRow()];
  return {
    asOf: AS_OF,
    runId: o.runId ?? RUN_A,
    mode: o.mode ?? 'daily',
    missedDates: o.missedDates ?? [],
    evidenceDir: '/data/evidence',
    reportsDir: '/data/reports',
    tests,
    gate: runGate(tests, registry),
    windowStates: new Map(tests.map((t) => [t.test_id, windowState({ ...o.window, test_id: t.test_id })])),
    metrics: new Map([
      ['brier_score', metric('brier_score', 'brier', o.brier === undefined ? 0.241 : o.brier)],
      ['ready', metric('ready', 'ready', o.ready === undefined ? true : o.ready)],
    ]),
    history: new Map(o.history ? [[ID_A, o.history]] : []),
  };
}

const bundleOf = (content: string) => JSON.parse(content) as Record<string, unknown>;
const historyRow = (run_id: string, escalation_state: string, evidence_sha256: string | null, run_date: string) =>
  ({ test_id: ID_A, run_date, run_id, escalation_state, evidence_sha256 });

describe('evaluateRun on a healthy test', () => {
  const plan = evaluateRun(snapshot());

  it('plans one state update, one runbook row, one file and no alert', () => {
    expect(plan.halted).toBe(false);
    expect(plan.defects).toEqual([]);
    expect(plan.runId).toBe(RUN_A);
    expect(plan.asOf).toEqual(AS_OF);
    expect(plan.alerts).toEqual([]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', progress: { daysElapsed: 29, daysRemaining: 2, isOverdue: false },
        escalationState: 'NONE', raiseCeoAction: false, lastEvaluatedDate: '2026-03-29',
      },
    ]);
    expect(plan.files.map((f) => f.path)).toEqual([EVIDENCE]);
    expect(plan.reportPath).toBe('/data/reports/RUNBOOK_20260329.md');
    expect(plan.outcomes).toEqual([
      { testCode: 'EC-022', dayNumber: 29, escalationState: 'NONE', verdict: 'PENDING', pendingMetrics: [], resolved: false, liveStateUpdated: true },
    ]);
  });

  it('writes the runbook row with the metrics snapshot and the evidence hash', () => {
    const file = plan.files[0]!;
    expect(plan.runbook).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', runDate: '2026-03-29', runId: RUN_A, dayNumber: 29, requiredDays: 30,
        status: 'ACTIVE', escalationState: 'NONE', ceoActionRequired: false,
        metricsSnapshot: {
          brier_score: {
            value: 0.241, status: 'AVAILABLE', pending_reason: null, baseline: 0.25, target: { op: '<=', value: 0.24 },
            target_met: false, aggregation: 'LATEST', source: 'fhq.metrics.brier', as_of_exact: true,
          },
          ready: {
            value: true, status: 'AVAILABLE', pending_reason: null, baseline: null, target: null,
            target_met: null, aggregation: 'LATEST', source: 'fhq.metrics.ready', as_of_exact: true,
          },
        },
        verdict: 'PENDING', notes: 'All metrics available.', evidencePath: EVIDENCE, evidenceSha256: file.sha256,
      },
    ]);
  });

  it('records run, progress, conditions and actions in the evidence bundle', () => {
    const bundle = bundleOf(plan.files[0]!.content);
    expect(bundle).toMatchObject({
      schema: 'canonical-test-evidence/1', run_id: RUN_A, test_id: ID_A, test_code: 'EC-022', test_name: 'Context lift',
      as_of_date: '2026-03-29', as_of_instant: '2026-03-29T04:00:00.000Z', zone: 'Europe/Oslo',
      progress: { days_elapsed: 29, days_remaining: 2, is_overdue: false, required_days: 30 },
      escalation: {
        previous_state: 'NONE', state: 'NONE', reasons: [], recommended_actions: [],
        time_based: { should_escalate: false, reason: null, applied: true },
      },
      actions: ['update canonical_test_events: days_elapsed=29, days_remaining=2, is_overdue=false, escalation_state=NONE, last_evaluated_date=2026-03-29'],
      verdict: 'PENDING', live_state_updated: true, previous_bundle_sha256: null,
    });
    expect(bundle.conditions).toEqual({
      success_criteria: {
        combinator: 'all', outcome: 'MET',
        conditions: [{ metric: 'brier_score', op: '<=', threshold: 0.245, thresholdFrom: 'baseline_delta', baseline: 0.25, current: 0.241, outcome: 'MET' }],
      },
      failure_criteria: {
        combinator: 'any', outcome: 'NOT_MET',
        conditions: [{ metric: 'ready', op: '==', threshold: false, thresholdFrom: 'value', baseline: null, current: true, outcome: 'NOT_MET' }],
      },
    });
  });
});

describe('evaluateRun alerts and escalation', () => {
  it('raises METRICS_PENDING naming the pending key, and still updates progress', () => {
    const plan = evaluateRun(snapshot({ brier: null }));
    expect(plan.alerts).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', runDate: '2026-03-29', severity: 'WARNING', alertType: 'METRICS_PENDING',
        title: 'EC-022: 1 metric(s) pending', message: 'brier_score: no row at or before the as-of instant',
        recommendedActions: ['Check that the source tables named in test_signal_registry are being loaded'],
      },
    ]);
    expect(plan.stateUpdates).toHaveLength(1);
    expect(plan.stateUpdates[0]!.progress).toEqual({ daysElapsed: 29, daysRemaining: 2, isOverdue: false });
    expect(plan.runbook[0]!.notes).toBe('Metrics pending: brier_score (no row at or before the as-of instant).');
    expect(plan.outcomes[0]!.pendingMetrics).toEqual(['brier_score']);
  });

  it('escalates with a CRITICAL alert when the failure criteria are met mid-window', () => {
    const plan = evaluateRun(snapshot({ ready: false }));
    expect(plan.alerts).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', runDate: '2026-03-29', severity: 'CRITICAL', alertType: 'ESCALATION',
        title: 'EC-022: escalated to the CEO', message: 'failure criteria met mid-window: ready == false (current false)',
        recommendedActions: ['Decide whether to stop the test and roll back the change', 'Review the metrics with CEO'],
      },
    ]);
    expect(plan.stateUpdates[0]).toMatchObject({ escalationState: 'ESCALATED', raiseCeoAction: true });
    expect(plan.runbook[0]).toMatchObject({ escalationState: 'ESCALATED', ceoActionRequired: true, verdict: 'PENDING', status: 'ACTIVE' });
    expect(plan.runbook[0]!.notes).toBe('All metrics available. Escalated: failure criteria met mid-window: ready == false (current false).');
    expect(plan.resolutions).toEqual([]);
  });

  it('escalates with a WARNING on the time-based condition of the database', () => {
    const plan = evaluateRun(snapshot({ window: { should_escalate: true, escalation_reason: 'checkpoint reached', recommended_actions: ['Review progress'] } }));
    expect(plan.alerts).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', runDate: '2026-03-29', severity: 'WARNING', alertType: 'ESCALATION',
        title: 'EC-022: escalated to the CEO', message: 'checkpoint reached', recommendedActions: ['Review progress'],
      },
    ]);
    expect(plan.stateUpdates[0]!.escalationState).toBe('ESCALATED');
  });

  it('clears an earlier escalation with an INFO alert', () => {
    const plan = evaluateRun(snapshot({ history: { previous: historyRow(RUN_B, 'ESCALATED', 'f'.repeat(64), '2026-03-28'), current: null } }));
    expect(plan.alerts).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', runDate: '2026-03-29', severity: 'INFO', alertType: 'ESCALATION_CLEARED',
        title: 'EC-022: escalation cleared',
        message: 'No escalation condition holds as of 2026-03-29; the state returns from ESCALATED to NONE.', recommendedActions: [],
      },
    ]);
    expect(plan.stateUpdates[0]).toMatchObject({ escalationState: 'NONE', raiseCeoAction: false });
    expect(plan.runbook[0]!.notes).toBe('All metrics available. Escalation cleared (was ESCALATED).');
  });

  it('a backfilled date does not alert again on an escalation already alerted, and says so in the runbook', () => {
    const held = { window: { should_escalate: true, escalation_reason: 'checkpoint reached', recommended_actions: [] as string[] },
      history: { previous: historyRow(RUN_B, 'ESCALATED', 'f'.repeat(64), '2026-03-28'), current: null } };
    const backfill = evaluateRun(snapshot({ ...held, mode: 'backfill' }));
    expect(backfill.alerts).toEqual([]);
    expect(backfill.runbook[0]!.escalationState).toBe('ESCALATED');
    expect(backfill.runbook[0]!.notes).toBe('All metrics available. Escalated (still holds; already alerted): checkpoint reached.');
    expect(evaluateRun(snapshot({ ...held, mode: 'daily' })).alerts.map((a) => a.alertType)).toEqual(['ESCALATION']);
    const change = evaluateRun(snapshot({ ...held, mode: 'backfill', history: { previous: null, current: null } }));
    expect(change.alerts.map((a) => a.alertType)).toEqual(['ESCALATION']);
  });

  it('raises one run-level MISSED_RUN warning naming the missed dates', () => {
    const plan = evaluateRun(snapshot({ missedDates: ['2026-03-26', '2026-03-27'] }));
    expect(plan.alerts).toEqual([{
      testId: null, testCode: null, runDate: '2026-03-29', severity: 'WARNING', alertType: 'MISSED_RUN',
      title: '2 day(s) without a completed run', message: 'No completed run for: 2026-03-26, 2026-03-27.',
      recommendedActions: ['Evaluate them: canonical-tests run --catch-up (or backfill --from 2026-03-26 --to 2026-03-27)'],
    }]);
  });

  it('keeps ceo_action_required on the runbook row while a person has not acknowledged it', () => {
    const plan = evaluateRun(snapshot({ rows: [testRow({ ceo_action_required: true })] }));
    expect(plan.runbook[0]!.ceoActionRequired).toBe(true);
    expect(plan.stateUpdates[0]!.raiseCeoAction).toBe(false);
  });
});

describe('evaluateRun at the end of the window', () => {
  const overdue = { days_elapsed: 32, days_remaining: 0, is_overdue: true, should_escalate: true, escalation_reason: 'overdue and unresolved' };

  it.each([
    { name: 'SUCCESS', brier: 0.241, ready: true, verdict: 'SUCCESS', severity: 'INFO', outcomes: 'Success criteria MET, failure criteria NOT_MET.',
      step: 'Promote the change: the success criteria held at the close of the window' },
    { name: 'FAILURE', brier: 0.241, ready: false, verdict: 'FAILURE', severity: 'CRITICAL', outcomes: 'Success criteria MET, failure criteria MET.',
      step: 'Roll back the change: the failure criteria held at the close of the window' },
    { name: 'INCONCLUSIVE', brier: 0.25, ready: true, verdict: 'INCONCLUSIVE', severity: 'WARNING', outcomes: 'Success criteria NOT_MET, failure criteria NOT_MET.',
      step: 'Decide: extend the window, re-run the test or close it without a decision' },
    { name: 'INCONCLUSIVE (pending)', brier: null, ready: true, verdict: 'INCONCLUSIVE', severity: 'WARNING',
      outcomes: 'Success criteria PENDING, failure criteria NOT_MET; pending: brier_score.',
      step: 'Decide: extend the window, re-run the test or close it without a decision' },
  ] as const)('resolves $name', ({ brier, ready, verdict, severity, outcomes, step }) => {
    const plan = evaluateRun(snapshot({ brier, ready, window: overdue }));
    const file = plan.files[0]!;
    expect(plan.resolutions).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', verdict, asOf: '2026-03-29T04:00:00.000Z',
        evidence: { verdict, run_id: RUN_A, evidence_path: EVIDENCE, evidence_sha256: file.sha256 },
      },
    ]);
    expect(plan.alerts.filter((a) => a.alertType === 'RESOLUTION')).toEqual([
      {
        testId: ID_A, testCode: 'EC-022', runDate: '2026-03-29', severity, alertType: 'RESOLUTION',
        title: `EC-022: window closed, verdict ${verdict}`, message: outcomes, recommendedActions: [step],
      },
    ]);
    // The time-based "overdue" escalation is superseded by the resolution.
    expect(plan.alerts.some((a) => a.alertType === 'ESCALATION')).toBe(verdict === 'FAILURE');
    expect(plan.runbook[0]).toMatchObject({ status: 'RESOLVED', verdict, ceoActionRequired: true });
    expect(plan.stateUpdates[0]).toMatchObject({ progress: { daysElapsed: 32, daysRemaining: 0, isOverdue: true }, raiseCeoAction: true });
    expect(plan.outcomes[0]).toMatchObject({ verdict, resolved: true, liveStateUpdated: true });
    expect(bundleOf(file.content).actions).toContain(`resolve_test_window(${verdict})`);
  });

  it('escalates on failure at the close without "mid-window"', () => {
    const plan = evaluateRun(snapshot({ ready: false, window: overdue }));
    expect(plan.alerts.find((a) => a.alertType === 'ESCALATION')).toMatchObject({
      severity: 'CRITICAL', message: 'failure criteria met: ready == false (current false)',
    });
  });

  it('moves no live state for an as-of date before last_evaluated_date', () => {
    const plan = evaluateRun(snapshot({ rows: [testRow({ last_evaluated_date: '2026-03-30', ceo_action_required: true })], window: overdue }));
    expect(plan.stateUpdates).toEqual([]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.outcomes[0]!.liveStateUpdated).toBe(false);
    expect(plan.runbook).toHaveLength(1);
    expect(plan.runbook[0]!.notes).toBe(
      'All metrics available. Window closed: verdict SUCCESS. Promote the change: the success criteria held at the close of the window. ' +
        'Backfill: live state kept (last evaluated 2026-03-30).',
    );
    const bundle = bundleOf(plan.files[0]!.content);
    expect(bundle.live_state_updated).toBe(false);
    expect(bundle.actions).toEqual([
      'leave canonical_test_events as it is: last_evaluated_date 2026-03-30 is after the as-of date',
      'alert RESOLUTION (INFO)',
    ]);
  });

  it('moves live state when the as-of date equals last_evaluated_date', () => {
    const plan = evaluateRun(snapshot({ rows: [testRow({ last_evaluated_date: '2026-03-29' })] }));
    expect(plan.stateUpdates).toHaveLength(1);
    expect(plan.outcomes[0]!.liveStateUpdated).toBe(true);
  });
});

describe('evaluateRun re-runs and the hash chain', () => {
  it('keeps the run id of an identical earlier bundle, byte for byte', () => {
    const first = evaluateRun(snapshot({ runId: RUN_A }));
    const firstFile = first.files[0]!;
    const again = evaluateRun(snapshot({
      runId: RUN_B, history: { previous: null, current: historyRow(RUN_A, 'NONE', firstFile.sha256, '2026-03-29') },
    }));
    expect(again.runbook[0]!.runId).toBe(RUN_A);
    expect(again.files[0]!.content).toBe(firstFile.content);
    expect(again.files[0]!.sha256).toBe(firstFile.sha256);
    expect(again.runbook[0]!.evidenceSha256).toBe(firstFile.sha256);
  });

  it('takes the new run id when the earlier bundle differs', () => {
    const plan = evaluateRun(snapshot({
      runId: RUN_B, history: { previous: null, current: historyRow(RUN_A, 'NONE', '0'.repeat(64), '2026-03-29') },
    }));
    expect(plan.runbook[0]!.runId).toBe(RUN_B);
    expect(bundleOf(plan.files[0]!.content).run_id).toBe(RUN_B);
  });

  it('chains the evidence to the previous bundle', () => {
    const previous = 'a'.repeat(64);
    const plan = evaluateRun(snapshot({ history: { previous: historyRow(RUN_B, 'NONE', previous, '2026-03-28'), current: null } }));
    expect(bundleOf(plan.files[0]!.content).previous_bundle_sha256).toBe(previous);
  });
});

describe('evaluateRun when the gate halts', () => {
  const broken = testRow({ test_id: ID_B, test_code: 'EC-023', start_ts: null });
  const plan = evaluateRun(snapshot({ rows: [testRow(), broken] }));
  const haltPath = '/data/evidence/ORCHESTRATOR_HALT_20260329.json';

  it('plans only the offending test: SYSTEM_ERROR, one CRITICAL alert, one runbook row', () => {
    expect(plan.halted).toBe(true);
    expect(plan.defects).toEqual([{ testId: ID_B, testCode: 'EC-023', field: 'start_ts', problem: 'is missing: the window has no start' }]);
    expect(plan.stateUpdates).toEqual([
      { testId: ID_B, testCode: 'EC-023', progress: null, escalationState: 'SYSTEM_ERROR', raiseCeoAction: true, lastEvaluatedDate: '2026-03-29' },
    ]);
    expect(plan.alerts).toEqual([
      {
        testId: ID_B, testCode: 'EC-023', runDate: '2026-03-29', severity: 'CRITICAL', alertType: 'SYSTEM_ERROR',
        title: 'EC-023: incomplete definition, run halted', message: 'EC-023: start_ts: is missing: the window has no start',
        recommendedActions: [
          'Correct the named fields in fhq_calendar.canonical_test_events or fhq_calendar.test_signal_registry',
          'Re-run the date: canonical-tests run --date 2026-03-29',
        ],
      },
    ]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.runbook.map((r) => r.testId)).toEqual([ID_B]);
    expect(plan.runbook[0]).toMatchObject({
      runId: RUN_A, escalationState: 'SYSTEM_ERROR', ceoActionRequired: true, dayNumber: null, metricsSnapshot: {}, verdict: 'PENDING',
      notes: 'Run halted by the fail-closed gate: EC-023: start_ts: is missing: the window has no start',
      evidencePath: haltPath, evidenceSha256: plan.files[0]!.sha256,
    });
    expect(plan.outcomes).toEqual([
      { testCode: 'EC-023', dayNumber: null, escalationState: 'SYSTEM_ERROR', verdict: 'PENDING', pendingMetrics: [], resolved: false, liveStateUpdated: true },
    ]);
  });

  it('writes one halt file listing every defect', () => {
    expect(plan.files.map((f) => f.path)).toEqual([haltPath]);
    expect(bundleOf(plan.files[0]!.content)).toEqual({
      schema: 'canonical-test-halt/1', run_id: RUN_A, as_of_date: '2026-03-29', as_of_instant: '2026-03-29T04:00:00.000Z',
      zone: 'Europe/Oslo', halted: true, tests_checked: ['EC-022', 'EC-023'], tests_refused: ['EC-023'],
      defects: [{ test_code: 'EC-023', test_id: ID_B, field: 'start_ts', problem: 'is missing: the window has no start' }],
    });
  });

  it('keeps the run id of an identical earlier halt file', () => {
    const first = plan.files[0]!;
    const again = evaluateRun({
      ...snapshot({ rows: [testRow(), broken], runId: RUN_B }),
      history: new Map([[ID_B, { previous: null, current: { test_id: ID_B, run_date: '2026-03-29', run_id: RUN_A, escalation_state: 'SYSTEM_ERROR', evidence_sha256: first.sha256 } }]]),
    });
    expect(again.runId).toBe(RUN_A);
    expect(again.runbook[0]!.runId).toBe(RUN_A);
    expect(again.files[0]!.content).toBe(first.content);
  });
});
