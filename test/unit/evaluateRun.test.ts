import { beforeEach, describe, expect, it } from 'vitest';
import { asOfFor } from '../../src/domain/asOf.js';
import { runGate } from '../../src/domain/gate.js';
import type { RunbookHistory, TestHistory } from '../../src/domain/history.js';
import type { MetricValue } from '../../src/domain/metric.js';
import type { AlertWrite, Plan } from '../../src/domain/plan.js';
import type { Snapshot } from '../../src/domain/snapshot.js';
import { canonicalJson, sha256Hex } from '../../src/domain/canonicalJson.js';
import { evaluationSha256, type TestRecord } from '../../src/domain/bundle.js';
import type { TestRow } from '../../src/domain/testRow.js';
import type { WindowState } from '../../src/domain/windowState.js';
import { evaluateChunks, evaluateInParts, evaluateRun } from '../../src/evaluate/evaluateRun.js';
import { mergeParts } from '../../src/domain/planParts.js';
import { ID_A, ID_B, registry, testRow as baseRow } from '../helpers/rows.js';

const RUN_A = '11111111-1111-4111-8111-111111111111';
const RUN_B = '22222222-2222-4222-8222-222222222222';
const ZONE = 'Europe/Oslo';
const RUN_TIME = '06:00';
/** The default as-of date: inside the window (2026-03-01 → 2026-03-31), the day DST starts in Oslo. */
const DATE = '2026-03-29';
const AS_OF = asOfFor(DATE, ZONE, RUN_TIME);
/** `end_ts` of the default test as the metrics map keys it: 2026-03-31 06:00 Europe/Oslo. */
const END = '2026-03-31T04:00:00.000Z';
/** A runbook row's `evidence_path`: relative to the evidence folder. */
const evidenceName = (date: string, code = 'EC-022') => `ORCHESTRATOR_${code}_${date.replaceAll('-', '')}.json`;
const evidencePath = (date: string, code = 'EC-022') => `/data/evidence/${evidenceName(date, code)}`;
const EVIDENCE = evidencePath(DATE);
const PENDING_REASON = 'no row at or before the as-of instant';

/** An evaluated row: the default test as last evaluated on 2026-03-28 (Day 28). */
const testRow = (patch: Partial<TestRow> = {}): TestRow =>
  baseRow({ days_elapsed: 28, days_remaining: 3, is_overdue: false, last_evaluated_date: '2026-03-28', ...patch });

/** A resolved LATEST metric on `fhq.metrics`; null = PENDING. */
function metric(key: string, value: number | boolean | null): MetricValue {
  const pending = value === null;
  return {
    key,
    value,
    status: pending ? 'PENDING' : 'AVAILABLE',
    pendingReason: pending ? PENDING_REASON : null,
    source: { schema: 'fhq', table: 'metrics', column: key === 'brier_score' ? 'brier' : key, timeColumn: 'measured_at' },
    aggregation: 'LATEST',
    rowsUsed: pending ? 0 : 1,
    window: null,
    latestRowAt: pending ? null : '2026-03-29T03:00:00.000Z',
    asOfExact: true,
  };
}

/** A metric whose source query failed. */
function errorMetric(key: string, message: string): MetricValue {
  return { ...metric(key, null), status: 'ERROR', pendingReason: null, error: message };
}

function windowState(patch: Partial<WindowState> = {}): WindowState {
  return {
    test_id: ID_A,
    days_elapsed: 29,
    days_remaining: 2,
    is_overdue: false,
    should_escalate: false,
    escalation_reason: null,
    recommended_actions: [],
    ...patch,
  };
}

type Values = { brier?: number | null; ready?: boolean | null; errors?: Record<string, string> };

function metricsOf(v: Values): Map<string, MetricValue> {
  const brier = v.brier === undefined ? 0.241 : v.brier;
  const ready = v.ready === undefined ? true : v.ready;
  const out = new Map<string, MetricValue>([
    ['brier_score', metric('brier_score', brier)],
    ['ready', metric('ready', ready)],
  ]);
  for (const [key, message] of Object.entries(v.errors ?? {})) out.set(key, errorMetric(key, message));
  return out;
}

interface Options extends Values {
  date?: string;
  rows?: TestRow[];
  window?: Partial<WindowState>;
  /** Metrics at the as-of instant only, overriding `brier` / `ready` there (they still hold at `end_ts`). */
  atAsOf?: Values;
  /** Leave the metrics map empty. */
  noMetrics?: boolean;
  history?: TestHistory;
  runId?: string;
  mode?: Snapshot['mode'];
  missedDates?: string[];
  resolutionGraceDays?: number;
  /** The record of test A as the run starts (newest revision of the date, chain head). */
  record?: TestRecord;
}

/**
 * A snapshot as discover builds it: the values `brier` / `ready` are resolved
 * both at the as-of instant and at `end_ts` (so open and closing windows find
 * them), unless `atAsOf` overrides the as-of instant.
 */
function snapshot(o: Options = {}): Snapshot {
  const tests = o.rows ?? [testRow()];
  const asOf = asOfFor(o.date ?? DATE, ZONE, RUN_TIME);
  const metrics = new Map<string, Map<string, MetricValue>>();
  if (!o.noMetrics) {
    metrics.set(END, metricsOf(o));
    metrics.set(asOf.instant, metricsOf(o.atAsOf ?? o));
  }
  return {
    asOf,
    runTime: RUN_TIME,
    resolutionGraceDays: o.resolutionGraceDays ?? 2,
    runId: o.runId ?? RUN_A,
    mode: o.mode ?? 'daily',
    missedDates: o.missedDates ?? [],
    evidenceDir: '/data/evidence',
    reportsDir: '/data/reports',
    tests,
    gate: runGate(tests, registry),
    windowStates: new Map(tests.map((t) => [t.test_id, windowState({ ...o.window, test_id: t.test_id })])),
    metrics,
    history: new Map(o.history ? [[ID_A, o.history]] : []),
    records: new Map(o.record ? [[ID_A, o.record]] : []),
    evaluatorVersion: '9.9.9',
  };
}

/** A file's bundle; a recorded revision's file carries no text in the plan, so it has none to read. */
const bundleOf = (content: string | null) => {
  if (content === null) throw new Error("a recorded revision's file: its text is exported from the record");
  return JSON.parse(content) as Record<string, unknown>;
};
const historyRow = (
  run_id: string,
  escalation_state: string,
  evidence_sha256: string | null,
  run_date: string,
  escalation_reasons: string[] = [],
  escalated_since: string | null = null,
): RunbookHistory => ({ test_id: ID_A, run_date, run_id, escalation_state, escalation_reasons, escalated_since, evidence_sha256 });
const previous = (row: RunbookHistory): TestHistory => ({ previous: row, current: null });

/** An alert of EC-022 on `runDate`. */
const alertA = (
  runDate: string,
  severity: AlertWrite['severity'],
  alertType: string,
  title: string,
  message: string,
  recommendedActions: string[],
): AlertWrite => ({ testId: ID_A, testCode: 'EC-022', runDate, severity, alertType, title, message, recommendedActions });

const BRIER_SNAPSHOT = {
  value: 0.241,
  status: 'AVAILABLE',
  pending_reason: null,
  baseline: 0.25,
  target: { op: '<=', value: 0.24 },
  target_met: false,
  aggregation: 'LATEST',
  source: 'fhq.metrics.brier',
  as_of_exact: true,
};
const READY_SNAPSHOT = {
  value: true,
  status: 'AVAILABLE',
  pending_reason: null,
  baseline: null,
  target: null,
  target_met: null,
  aggregation: 'LATEST',
  source: 'fhq.metrics.ready',
  as_of_exact: true,
};
const ESCALATE_ACTIONS = ['Decide whether to stop the test and roll back the change', 'Review the metrics with CEO'];
const READY_REASON = 'failure criteria met: ready == false (current false)';
const READY_KEY = 'failure: ready == false';

describe('evaluateRun on a healthy open day', () => {
  // Evaluated in beforeEach, not while the tests are collected: mutation testing activates a mutant only around the tests.
  let plan: Plan;
  beforeEach(() => {
    plan = evaluateRun(snapshot());
  });

  it('plans one state update, one runbook row, one file and no alert', () => {
    expect(plan.halted).toBe(false);
    expect(plan.defects).toEqual([]);
    expect(plan.failedSignals).toEqual([]);
    expect(plan.runId).toBe(RUN_A);
    expect(plan.asOf).toEqual(AS_OF);
    expect(plan.alerts).toEqual([]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        progress: { daysElapsed: 29, daysRemaining: 2, isOverdue: false },
        escalationState: 'NONE',
        raiseCeoAction: false,
        lastEvaluatedDate: DATE,
      },
    ]);
    expect(plan.files.map((f) => f.path)).toEqual([EVIDENCE]);
    expect(plan.reportPath).toBe('/data/reports/RUNBOOK_20260329.md');
    expect(plan.outcomes).toEqual([
      {
        testCode: 'EC-022',
        dayNumber: 29,
        escalationState: 'NONE',
        verdict: 'PENDING',
        pendingMetrics: [],
        resolved: false,
        liveStateUpdated: true,
      },
    ]);
  });

  it('writes the runbook row with the metrics snapshot, no escalation and the evidence hash', () => {
    expect(plan.runbook).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        runDate: DATE,
        runId: RUN_A,
        dayNumber: 29,
        requiredDays: 30,
        status: 'ACTIVE',
        escalationState: 'NONE',
        ceoActionRequired: false,
        metricsSnapshot: { brier_score: BRIER_SNAPSHOT, ready: READY_SNAPSHOT },
        escalationReasons: [],
        escalatedSince: null,
        verdict: 'PENDING',
        notes: 'All metrics available.',
        evidencePath: evidenceName(DATE),
        evidenceSha256: plan.files[0]!.sha256,
      },
    ]);
  });

  it('writes the whole evidence bundle (schema 3) with phase, metrics_as_of, day_number, version, definition hash and registry rows', () => {
    const bundle = bundleOf(plan.files[0]!.content);
    const row = testRow();
    const definition = {
      start_ts: row.start_ts,
      end_ts: row.end_ts,
      required_days: 30,
      mid_test_checkpoint: null,
      baseline_definition: row.baseline_definition,
      target_metrics: row.target_metrics,
      success_criteria: row.success_criteria,
      failure_criteria: row.failure_criteria,
      escalation_path: row.escalation_path,
    };
    expect(plan.files[0]!.content).toBe(canonicalJson(bundle));
    expect(plan.files[0]!.sha256).toBe(sha256Hex(canonicalJson(bundle)));
    expect(plan.bundles).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        runDate: DATE,
        revision: 1,
        runId: RUN_A,
        text: plan.files[0]!.content,
        sha256: plan.files[0]!.sha256,
        previousSha256: null,
        evaluationSha256: evaluationSha256(bundle),
      },
    ]);
    expect(bundle).toEqual({
      schema: 'canonical-test-evidence/3',
      evaluator_version: '9.9.9',
      definition_sha256: sha256Hex(canonicalJson(definition)),
      registry: [
        {
          signal_key: 'brier_score',
          source_schema: 'fhq',
          source_table: 'metrics',
          source_column: 'brier',
          time_column: 'measured_at',
          aggregation: 'LATEST',
        },
        {
          signal_key: 'ready',
          source_schema: 'fhq',
          source_table: 'metrics',
          source_column: 'ready',
          time_column: 'measured_at',
          aggregation: 'LATEST',
        },
      ],
      live_state_before: { status: 'ACTIVE', verdict: 'PENDING', last_evaluated_date: row.last_evaluated_date },
      run_id: RUN_A,
      test_id: ID_A,
      test_code: 'EC-022',
      test_name: 'Context lift',
      as_of_date: DATE,
      as_of_instant: '2026-03-29T04:00:00.000Z',
      zone: ZONE,
      phase: 'open',
      metrics_as_of: '2026-03-29T04:00:00.000Z',
      verdict_as_of: null,
      definition,
      progress: { days_elapsed: 29, days_remaining: 2, is_overdue: false, required_days: 30, day_number: 29 },
      metrics: ['brier_score', 'ready'].map((key) => ({
        key,
        value: key === 'ready' ? true : 0.241,
        status: 'AVAILABLE',
        pending_reason: null,
        source: { schema: 'fhq', table: 'metrics', column: key === 'ready' ? 'ready' : 'brier', time_column: 'measured_at' },
        aggregation: 'LATEST',
        rows_used: 1,
        window: null,
        latest_row_at: '2026-03-29T03:00:00.000Z',
        as_of_exact: true,
      })),
      conditions: {
        success_criteria: {
          combinator: 'all',
          outcome: 'MET',
          conditions: [
            {
              metric: 'brier_score',
              op: '<=',
              threshold: 0.245,
              thresholdFrom: 'baseline_delta',
              baseline: 0.25,
              current: 0.241,
              outcome: 'MET',
            },
          ],
        },
        failure_criteria: {
          combinator: 'any',
          outcome: 'NOT_MET',
          conditions: [
            { metric: 'ready', op: '==', threshold: false, thresholdFrom: 'value', baseline: null, current: true, outcome: 'NOT_MET' },
          ],
        },
      },
      escalation: {
        previous_state: 'NONE',
        state: 'NONE',
        reasons: [],
        reason_keys: [],
        since: null,
        recommended_actions: [],
        time_based: { should_escalate: false, reason: null, applied: true },
      },
      close: null,
      actions: [
        'update canonical_test_events: days_elapsed=29, days_remaining=2, is_overdue=false, escalation_state=NONE, last_evaluated_date=2026-03-29',
      ],
      verdict: 'PENDING',
      live_state_updated: true,
      previous_bundle_sha256: null,
    });
  });

  it('keeps ceo_action_required on the runbook row while a person has not acknowledged it', () => {
    const kept = evaluateRun(snapshot({ rows: [testRow({ ceo_action_required: true })] }));
    expect(kept.runbook[0]!.ceoActionRequired).toBe(true);
    expect(kept.stateUpdates[0]!.raiseCeoAction).toBe(false);
  });

  it('raises one run-level MISSED_RUN warning naming the missed dates', () => {
    const missed = evaluateRun(snapshot({ missedDates: ['2026-03-26', '2026-03-27'] }));
    expect(missed.alerts).toEqual([
      {
        testId: null,
        testCode: null,
        runDate: DATE,
        severity: 'WARNING',
        alertType: 'MISSED_RUN',
        title: '2 day(s) without a completed run',
        message: 'No completed run for: 2026-03-26, 2026-03-27.',
        recommendedActions: ['Evaluate them: canonical-tests run --catch-up (or backfill --from 2026-03-26 --to 2026-03-27)'],
      },
    ]);
  });
});

describe('evaluateRun: pending metrics in an open window', () => {
  it('raises METRICS_PENDING naming the pending key, and still updates progress', () => {
    const plan = evaluateRun(snapshot({ brier: null }));
    expect(plan.alerts).toEqual([
      alertA(DATE, 'WARNING', 'METRICS_PENDING', 'EC-022: 1 metric(s) pending', `brier_score: ${PENDING_REASON}`, [
        'Check that the source tables named in test_signal_registry are being loaded',
      ]),
    ]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        progress: { daysElapsed: 29, daysRemaining: 2, isOverdue: false },
        escalationState: 'NONE',
        raiseCeoAction: false,
        lastEvaluatedDate: DATE,
      },
    ]);
    expect(plan.runbook[0]).toMatchObject({
      escalationState: 'NONE',
      verdict: 'PENDING',
      status: 'ACTIVE',
      dayNumber: 29,
      escalationReasons: [],
      escalatedSince: null,
    });
    expect(plan.runbook[0]!.notes).toBe(`Metrics pending: brier_score (${PENDING_REASON}).`);
    expect(plan.runbook[0]!.metricsSnapshot.brier_score).toEqual({
      ...BRIER_SNAPSHOT,
      value: null,
      status: 'PENDING',
      pending_reason: PENDING_REASON,
      target_met: null,
    });
    expect(plan.outcomes[0]!.pendingMetrics).toEqual(['brier_score']);
  });
});

describe('evaluateRun escalation in an open window', () => {
  const escalatedAlert = (date: string, since: string) =>
    alertA(date, 'CRITICAL', 'ESCALATION', 'EC-022: escalated to the CEO', `${READY_REASON} (escalated since ${since})`, ESCALATE_ACTIONS);

  it('escalates with a CRITICAL alert when the failure criteria are met', () => {
    const plan = evaluateRun(snapshot({ ready: false }));
    expect(plan.alerts).toEqual([escalatedAlert(DATE, DATE)]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        progress: { daysElapsed: 29, daysRemaining: 2, isOverdue: false },
        escalationState: 'ESCALATED',
        raiseCeoAction: true,
        lastEvaluatedDate: DATE,
      },
    ]);
    expect(plan.runbook[0]).toMatchObject({
      escalationState: 'ESCALATED',
      ceoActionRequired: true,
      verdict: 'PENDING',
      status: 'ACTIVE',
      escalationReasons: [READY_KEY],
      escalatedSince: DATE,
    });
    expect(plan.runbook[0]!.notes).toBe(`All metrics available. Escalated since ${DATE}: ${READY_REASON}.`);
    expect(plan.resolutions).toEqual([]);
    expect(bundleOf(plan.files[0]!.content).escalation).toEqual({
      previous_state: 'NONE',
      state: 'ESCALATED',
      reasons: [READY_REASON],
      reason_keys: [READY_KEY],
      since: DATE,
      recommended_actions: ESCALATE_ACTIONS,
      time_based: { should_escalate: false, reason: null, applied: true },
    });
  });

  it('does not alert again the next day when the same reasons hold, says so, and does not re-raise an acknowledged flag', () => {
    const plan = evaluateRun(
      snapshot({
        date: '2026-03-30',
        ready: false,
        history: previous(historyRow(RUN_B, 'ESCALATED', 'f'.repeat(64), DATE, [READY_KEY], DATE)),
      }),
    );
    expect(plan.alerts).toEqual([]);
    // Nothing new to decide: a person's acknowledgement (ceo_action_required false) holds.
    expect(plan.stateUpdates[0]).toMatchObject({ escalationState: 'ESCALATED', raiseCeoAction: false, lastEvaluatedDate: '2026-03-30' });
    expect(plan.runbook[0]).toMatchObject({
      escalationState: 'ESCALATED',
      ceoActionRequired: false,
      escalationReasons: [READY_KEY],
      escalatedSince: DATE,
    });
    expect(plan.runbook[0]!.notes).toBe(`All metrics available. Escalated since ${DATE} (still holds; already alerted): ${READY_REASON}.`);
  });

  it('alerts again when the reasons change, keeping the date the escalation started', () => {
    const plan = evaluateRun(
      snapshot({
        date: '2026-03-30',
        ready: false,
        history: previous(historyRow(RUN_B, 'ESCALATED', 'f'.repeat(64), DATE, ['time: checkpoint reached'], '2026-03-27')),
      }),
    );
    expect(plan.alerts).toEqual([escalatedAlert('2026-03-30', '2026-03-27')]);
    expect(plan.runbook[0]).toMatchObject({ escalationState: 'ESCALATED', escalationReasons: [READY_KEY], escalatedSince: '2026-03-27' });
    expect(plan.runbook[0]!.notes).toBe(`All metrics available. Escalated since 2026-03-27: ${READY_REASON}.`);
  });

  it('alerts on a new escalation and not on one already alerted, in a backfill as in a daily run', () => {
    const held = { ready: false, mode: 'backfill' as const };
    expect(
      evaluateRun(snapshot({ ...held, history: previous(historyRow(RUN_B, 'ESCALATED', null, '2026-03-28', [READY_KEY], '2026-03-27')) }))
        .alerts,
    ).toEqual([]);
    expect(evaluateRun(snapshot({ ...held, history: { previous: null, current: null } })).alerts).toEqual([escalatedAlert(DATE, DATE)]);
    expect(evaluateRun(snapshot({ ...held, history: previous(historyRow(RUN_B, 'NONE', null, '2026-03-28')) })).alerts).toEqual([
      escalatedAlert(DATE, DATE),
    ]);
  });

  it('clears an earlier escalation with an INFO alert', () => {
    const plan = evaluateRun(
      snapshot({ history: previous(historyRow(RUN_B, 'ESCALATED', 'f'.repeat(64), '2026-03-28', [READY_KEY], '2026-03-27')) }),
    );
    expect(plan.alerts).toEqual([
      alertA(
        DATE,
        'INFO',
        'ESCALATION_CLEARED',
        'EC-022: escalation cleared',
        'No escalation condition holds as of 2026-03-29; the state returns from ESCALATED to NONE.',
        [],
      ),
    ]);
    expect(plan.stateUpdates[0]).toMatchObject({ escalationState: 'NONE', raiseCeoAction: false });
    expect(plan.runbook[0]).toMatchObject({
      escalationState: 'NONE',
      escalationReasons: [],
      escalatedSince: null,
      ceoActionRequired: false,
    });
    expect(plan.runbook[0]!.notes).toBe('All metrics available. Escalation cleared (was ESCALATED).');
  });

  it('clears a SYSTEM_ERROR of the previous evaluation with an INFO alert', () => {
    const plan = evaluateRun(snapshot({ history: previous(historyRow(RUN_B, 'SYSTEM_ERROR', null, '2026-03-28')) }));
    expect(plan.alerts).toEqual([
      alertA(
        DATE,
        'INFO',
        'ESCALATION_CLEARED',
        'EC-022: escalation cleared',
        'No escalation condition holds as of 2026-03-29; the state returns from SYSTEM_ERROR to NONE.',
        [],
      ),
    ]);
    expect(plan.runbook[0]!.notes).toBe('All metrics available. Escalation cleared (was SYSTEM_ERROR).');
  });

  it('escalates with a WARNING on the time-based condition of the database', () => {
    const plan = evaluateRun(
      snapshot({ window: { should_escalate: true, escalation_reason: 'checkpoint reached', recommended_actions: ['Review progress'] } }),
    );
    expect(plan.alerts).toEqual([
      alertA(DATE, 'WARNING', 'ESCALATION', 'EC-022: escalated to the CEO', `checkpoint reached (escalated since ${DATE})`, [
        'Review progress',
      ]),
    ]);
    expect(plan.stateUpdates[0]).toMatchObject({ escalationState: 'ESCALATED', raiseCeoAction: true });
    expect(plan.runbook[0]).toMatchObject({
      escalationState: 'ESCALATED',
      escalationReasons: ['time: checkpoint reached'],
      escalatedSince: DATE,
    });
    expect(plan.runbook[0]!.notes).toBe(`All metrics available. Escalated since ${DATE}: checkpoint reached.`);
  });

  it('escalates CRITICAL with both reasons when the failure criteria and the time-based condition hold', () => {
    const plan = evaluateRun(
      snapshot({
        ready: false,
        window: { should_escalate: true, escalation_reason: 'checkpoint reached', recommended_actions: ['Review progress'] },
      }),
    );
    expect(plan.alerts).toEqual([
      alertA(
        DATE,
        'CRITICAL',
        'ESCALATION',
        'EC-022: escalated to the CEO',
        `${READY_REASON}; checkpoint reached (escalated since ${DATE})`,
        [...ESCALATE_ACTIONS, 'Review progress'],
      ),
    ]);
    expect(plan.runbook[0]!.escalationReasons).toEqual([READY_KEY, 'time: checkpoint reached']);
  });
});

describe('evaluateRun at the mid-test checkpoint', () => {
  /** 2026-03-28 13:00 in Oslo: after the as-of instant of 2026-03-28, before that of 2026-03-29. */
  const CHECKPOINT = '2026-03-28T12:00:00.000Z';
  const row = testRow({ mid_test_checkpoint: CHECKPOINT });
  const checkpointAlert = alertA(
    DATE,
    'WARNING',
    'CHECKPOINT',
    'EC-022: mid-test checkpoint reached',
    'Checkpoint 2026-03-28 13:00 Europe/Oslo reached: Day 29 of 30, 2 day(s) remaining. brier_score 0.241 (target <= 0.24: not met); ready true.',
    ['Review the checkpoint metrics with the test owner', 'Acknowledge when reviewed: canonical-tests ack --test EC-022 --by NAME'],
  );

  it('raises one CHECKPOINT warning on a healthy test, raises the CEO action and leaves the state NONE', () => {
    const plan = evaluateRun(snapshot({ rows: [row], history: previous(historyRow(RUN_B, 'NONE', null, '2026-03-28')) }));
    expect(plan.alerts).toEqual([checkpointAlert]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        progress: { daysElapsed: 29, daysRemaining: 2, isOverdue: false },
        escalationState: 'NONE',
        raiseCeoAction: true,
        lastEvaluatedDate: DATE,
      },
    ]);
    expect(plan.runbook[0]).toMatchObject({
      escalationState: 'NONE',
      ceoActionRequired: true,
      escalationReasons: [],
      escalatedSince: null,
    });
    expect(plan.runbook[0]!.notes).toBe('All metrics available. Mid-test checkpoint reached: the metrics are up for review.');
    expect(bundleOf(plan.files[0]!.content).actions).toEqual([
      'update canonical_test_events: days_elapsed=29, days_remaining=2, is_overdue=false, escalation_state=NONE, ceo_action_required=true, last_evaluated_date=2026-03-29',
      'alert CHECKPOINT (WARNING)',
    ]);
  });

  it('raises it on the first evaluation of a test without an earlier row', () => {
    expect(evaluateRun(snapshot({ rows: [row] })).alerts).toEqual([checkpointAlert]);
  });

  it('does not raise it again the next day', () => {
    const plan = evaluateRun(snapshot({ date: '2026-03-30', rows: [row], history: previous(historyRow(RUN_B, 'NONE', null, DATE)) }));
    expect(plan.alerts).toEqual([]);
    expect(plan.stateUpdates[0]!.raiseCeoAction).toBe(false);
    expect(plan.runbook[0]!.notes).toBe('All metrics available.');
  });

  it('does not raise it before the checkpoint', () => {
    const plan = evaluateRun(
      snapshot({ date: '2026-03-28', rows: [row], history: previous(historyRow(RUN_B, 'NONE', null, '2026-03-27')) }),
    );
    expect(plan.alerts).toEqual([]);
  });
});

describe('evaluateRun before the window opens', () => {
  const row = testRow({
    start_ts: '2026-04-05T04:00:00.000Z',
    end_ts: '2026-05-05T04:00:00.000Z',
    days_elapsed: null,
    days_remaining: null,
    is_overdue: null,
    last_evaluated_date: null,
  });

  it('writes a Day 0 row saying when the window opens, and nothing else', () => {
    const plan = evaluateRun(snapshot({ rows: [row], noMetrics: true, window: { days_elapsed: 0, days_remaining: 30 } }));
    expect(plan.alerts).toEqual([]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        progress: { daysElapsed: 0, daysRemaining: 30, isOverdue: false },
        escalationState: 'NONE',
        raiseCeoAction: false,
        lastEvaluatedDate: DATE,
      },
    ]);
    expect(plan.runbook).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        runDate: DATE,
        runId: RUN_A,
        dayNumber: 0,
        requiredDays: 30,
        status: 'ACTIVE',
        escalationState: 'NONE',
        ceoActionRequired: false,
        metricsSnapshot: {},
        escalationReasons: [],
        escalatedSince: null,
        verdict: 'PENDING',
        notes: 'Window opens 2026-04-05 06:00 Europe/Oslo; nothing is evaluated before then.',
        evidencePath: evidenceName(DATE),
        evidenceSha256: plan.files[0]!.sha256,
      },
    ]);
    expect(plan.outcomes).toEqual([
      {
        testCode: 'EC-022',
        dayNumber: 0,
        escalationState: 'NONE',
        verdict: 'PENDING',
        pendingMetrics: [],
        resolved: false,
        liveStateUpdated: true,
      },
    ]);
    expect(bundleOf(plan.files[0]!.content)).toMatchObject({
      phase: 'before',
      metrics_as_of: null,
      verdict_as_of: null,
      metrics: [],
      conditions: null,
      escalation: null,
      close: null,
      progress: { days_elapsed: 0, days_remaining: 30, is_overdue: false, required_days: 30, day_number: 0 },
      verdict: 'PENDING',
    });
  });

  it('ignores failing metrics and time-based escalation before the window', () => {
    const plan = evaluateRun(
      snapshot({
        rows: [row],
        ready: false,
        errors: { brier_score: 'boom' },
        window: { days_elapsed: 0, days_remaining: 30, should_escalate: true, escalation_reason: 'x' },
      }),
    );
    expect(plan.alerts).toEqual([]);
    expect(plan.runbook[0]).toMatchObject({ dayNumber: 0, escalationState: 'NONE', metricsSnapshot: {} });
  });
});

describe('evaluateRun at the close of the window', () => {
  /** The morning after the close (2026-03-31 06:00 Oslo). */
  const CLOSE_DATE = '2026-04-01';
  const CLOSED_AT = '2026-03-31 06:00 Europe/Oslo';
  const overdue = {
    days_elapsed: 31,
    days_remaining: 0,
    is_overdue: true,
    should_escalate: true,
    escalation_reason: 'overdue and unresolved',
  };
  const closeRow = testRow({ days_elapsed: 30, days_remaining: 0, last_evaluated_date: '2026-03-31' });
  const close = (o: Options = {}) => evaluateRun(snapshot({ date: CLOSE_DATE, rows: [closeRow], window: overdue, ...o }));

  it.each([
    {
      name: 'SUCCESS',
      brier: 0.241,
      ready: true,
      severity: 'INFO',
      outcomes: 'success criteria MET, failure criteria NOT_MET',
      step: 'Promote the change: the success criteria held at the close of the window',
      state: 'NONE',
      escalated: '',
    },
    {
      name: 'FAILURE',
      brier: 0.241,
      ready: false,
      severity: 'CRITICAL',
      outcomes: 'success criteria MET, failure criteria MET',
      step: 'Roll back the change: the failure criteria held at the close of the window',
      state: 'ESCALATED',
      escalated: `Escalated since ${CLOSE_DATE}: ${READY_REASON}. `,
    },
    {
      name: 'INCONCLUSIVE',
      brier: 0.25,
      ready: true,
      severity: 'WARNING',
      outcomes: 'success criteria NOT_MET, failure criteria NOT_MET',
      step: 'Decide: extend the window, re-run the test or close it without a decision',
      state: 'NONE',
      escalated: '',
    },
  ] as const)(
    'resolves $name with only a RESOLUTION alert on Day required_days',
    ({ name, brier, ready, severity, outcomes, step, state, escalated }) => {
      const plan = close({ brier, ready });
      const file = plan.files[0]!;
      expect(file.path).toBe(evidencePath(CLOSE_DATE));
      expect(plan.alerts).toEqual([
        alertA(
          CLOSE_DATE,
          severity,
          'RESOLUTION',
          `EC-022: window closed, verdict ${name}`,
          `Evaluated as of the close (${CLOSED_AT}): ${outcomes}.`,
          [step],
        ),
      ]);
      expect(plan.resolutions).toEqual([
        {
          testId: ID_A,
          testCode: 'EC-022',
          verdict: name,
          asOf: '2026-04-01T04:00:00.000Z',
          evidence: { verdict: name, run_id: RUN_A, evidence_path: evidenceName(CLOSE_DATE), evidence_sha256: file.sha256 },
        },
      ]);
      expect(plan.stateUpdates).toEqual([
        {
          testId: ID_A,
          testCode: 'EC-022',
          progress: { daysElapsed: 31, daysRemaining: 0, isOverdue: false },
          escalationState: state,
          raiseCeoAction: true,
          lastEvaluatedDate: CLOSE_DATE,
        },
      ]);
      expect(plan.runbook[0]).toMatchObject({
        runDate: CLOSE_DATE,
        dayNumber: 30,
        requiredDays: 30,
        status: 'RESOLVED',
        verdict: name,
        escalationState: state,
        ceoActionRequired: true,
        escalationReasons: state === 'ESCALATED' ? [READY_KEY] : [],
        escalatedSince: state === 'ESCALATED' ? CLOSE_DATE : null,
        evidencePath: evidenceName(CLOSE_DATE),
      });
      expect(plan.runbook[0]!.notes).toBe(
        `All metrics available. ${escalated}Window closed ${CLOSED_AT}: verdict ${name}, evaluated as of the close. ${step}.`,
      );
      expect(plan.outcomes).toEqual([
        {
          testCode: 'EC-022',
          dayNumber: 30,
          escalationState: state,
          verdict: name,
          pendingMetrics: [],
          resolved: true,
          liveStateUpdated: true,
        },
      ]);
      const bundle = bundleOf(file.content);
      expect(bundle).toMatchObject({
        phase: 'closing',
        metrics_as_of: END,
        verdict_as_of: END,
        verdict: name,
        progress: { days_elapsed: 31, days_remaining: 0, is_overdue: false, required_days: 30, day_number: 30 },
        close: { decision: 'verdict', missing: [], grace_days: 2, days_after_close: 1 },
        escalation: { state, time_based: { should_escalate: true, reason: 'overdue and unresolved', applied: false } },
      });
      expect(bundle.actions).toEqual([
        `update canonical_test_events: days_elapsed=31, days_remaining=0, is_overdue=false, escalation_state=${state}, ceo_action_required=true, last_evaluated_date=${CLOSE_DATE}`,
        `alert RESOLUTION (${severity})`,
        `resolve_test_window(${name})`,
      ]);
    },
  );

  it('raises no ESCALATION_CLEARED at the close of an escalated test', () => {
    const plan = close({
      history: previous(historyRow(RUN_B, 'ESCALATED', null, '2026-03-31', ['time: overdue and unresolved'], '2026-03-31')),
    });
    expect(plan.alerts.map((a) => a.alertType)).toEqual(['RESOLUTION']);
    expect(plan.runbook[0]).toMatchObject({ verdict: 'SUCCESS', escalationState: 'NONE' });
    expect(plan.runbook[0]!.notes).toBe(
      `All metrics available. Window closed ${CLOSED_AT}: verdict SUCCESS, evaluated as of the close. Promote the change: the success criteria held at the close of the window.`,
    );
  });

  it('waits during the grace while a pending metric could change the verdict', () => {
    const plan = close({ brier: null });
    expect(plan.alerts).toEqual([
      alertA(CLOSE_DATE, 'WARNING', 'METRICS_PENDING', 'EC-022: 1 metric(s) pending', `brier_score: ${PENDING_REASON}`, [
        'Check that the source tables named in test_signal_registry are being loaded',
      ]),
    ]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        progress: { daysElapsed: 31, daysRemaining: 0, isOverdue: false },
        escalationState: 'NONE',
        raiseCeoAction: false,
        lastEvaluatedDate: CLOSE_DATE,
      },
    ]);
    expect(plan.runbook[0]).toMatchObject({
      dayNumber: 30,
      status: 'ACTIVE',
      verdict: 'PENDING',
      escalationState: 'NONE',
      ceoActionRequired: false,
    });
    expect(plan.runbook[0]!.notes).toBe(
      `Metrics pending: brier_score (${PENDING_REASON}). Window closed ${CLOSED_AT}; the verdict waits for late data on brier_score (1 more day(s) of the 2-day grace).`,
    );
    expect(plan.outcomes[0]).toEqual({
      testCode: 'EC-022',
      dayNumber: 30,
      escalationState: 'NONE',
      verdict: 'PENDING',
      pendingMetrics: ['brier_score'],
      resolved: false,
      liveStateUpdated: true,
    });
    expect(bundleOf(plan.files[0]!.content)).toMatchObject({
      phase: 'closing',
      metrics_as_of: END,
      verdict_as_of: null,
      verdict: 'PENDING',
      close: { decision: 'waiting', missing: ['brier_score'], grace_days: 2, days_after_close: 1 },
    });
  });

  it('still waits on the last day of the grace', () => {
    const plan = close({ date: '2026-04-02', brier: null });
    expect(plan.resolutions).toEqual([]);
    expect(plan.runbook[0]!.notes).toBe(
      `Metrics pending: brier_score (${PENDING_REASON}). Window closed ${CLOSED_AT}; the verdict waits for late data on brier_score (0 more day(s) of the 2-day grace).`,
    );
  });

  it('resolves INCONCLUSIVE naming the missing metric after the grace', () => {
    const date = '2026-04-03';
    const plan = close({ date, brier: null });
    const file = plan.files[0]!;
    expect(plan.alerts).toEqual([
      alertA(
        date,
        'WARNING',
        'RESOLUTION',
        'EC-022: window closed, verdict INCONCLUSIVE',
        `Evaluated as of the close (${CLOSED_AT}): success criteria PENDING, failure criteria NOT_MET; missing as of the close: brier_score.`,
        ['Decide: extend the window, re-run the test or close it without a decision'],
      ),
    ]);
    expect(plan.resolutions).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        verdict: 'INCONCLUSIVE',
        asOf: '2026-04-03T04:00:00.000Z',
        evidence: { verdict: 'INCONCLUSIVE', run_id: RUN_A, evidence_path: evidenceName(date), evidence_sha256: file.sha256 },
      },
    ]);
    expect(plan.runbook[0]).toMatchObject({ dayNumber: 30, status: 'RESOLVED', verdict: 'INCONCLUSIVE', ceoActionRequired: true });
    expect(plan.runbook[0]!.notes).toBe(
      `Metrics pending: brier_score (${PENDING_REASON}). Window closed ${CLOSED_AT}: verdict INCONCLUSIVE, evaluated as of the close; missing: brier_score. ` +
        'Decide: extend the window, re-run the test or close it without a decision.',
    );
    expect(bundleOf(file.content)).toMatchObject({
      verdict_as_of: END,
      close: { decision: 'verdict', missing: ['brier_score'], grace_days: 2, days_after_close: 3 },
    });
  });

  it('does not wait with a grace of 0 days', () => {
    const plan = close({ brier: null, resolutionGraceDays: 0 });
    expect(plan.resolutions.map((r) => r.verdict)).toEqual(['INCONCLUSIVE']);
    expect(plan.alerts.map((a) => a.alertType)).toEqual(['RESOLUTION']);
  });

  it('does not wait for a pending metric that cannot change the verdict', () => {
    const plan = close({ brier: null, ready: false });
    expect(plan.alerts).toEqual([
      alertA(
        CLOSE_DATE,
        'CRITICAL',
        'RESOLUTION',
        'EC-022: window closed, verdict FAILURE',
        `Evaluated as of the close (${CLOSED_AT}): success criteria PENDING, failure criteria MET; missing as of the close: brier_score.`,
        ['Roll back the change: the failure criteria held at the close of the window'],
      ),
    ]);
    expect(plan.resolutions.map((r) => r.verdict)).toEqual(['FAILURE']);
  });

  it('decides on the metrics as of end_ts, not those of the as-of instant', () => {
    const plan = close({ brier: 0.241, ready: true, atAsOf: { brier: 0.3, ready: false } });
    expect(plan.resolutions.map((r) => r.verdict)).toEqual(['SUCCESS']);
    expect(plan.alerts.map((a) => [a.alertType, a.severity])).toEqual([['RESOLUTION', 'INFO']]);
    expect(plan.runbook[0]!.metricsSnapshot).toEqual({ brier_score: BRIER_SNAPSHOT, ready: READY_SNAPSHOT });
    expect(plan.runbook[0]!.escalationState).toBe('NONE');
  });

  it('evaluates a window resolved earlier as open (no second close)', () => {
    const plan = close({ rows: [testRow({ verdict: 'SUCCESS', last_evaluated_date: '2026-03-31' })], window: { should_escalate: false } });
    expect(plan.resolutions).toEqual([]);
    expect(bundleOf(plan.files[0]!.content)).toMatchObject({ phase: 'open', metrics_as_of: '2026-04-01T04:00:00.000Z', close: null });
  });

  it('moves no live state for an as-of date before last_evaluated_date (a backfilled close)', () => {
    const plan = close({ rows: [testRow({ last_evaluated_date: '2026-04-05', ceo_action_required: true })] });
    expect(plan.stateUpdates).toEqual([]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.alerts.map((a) => a.alertType)).toEqual(['RESOLUTION']);
    expect(plan.outcomes[0]).toMatchObject({ verdict: 'SUCCESS', resolved: true, liveStateUpdated: false });
    expect(plan.runbook[0]).toMatchObject({ status: 'RESOLVED', verdict: 'SUCCESS', dayNumber: 30, ceoActionRequired: true });
    expect(plan.runbook[0]!.notes).toBe(
      `All metrics available. Window closed ${CLOSED_AT}: verdict SUCCESS, evaluated as of the close. Promote the change: the success criteria held at the close of the window. ` +
        'Backfill: live state kept (last evaluated 2026-04-05).',
    );
    const bundle = bundleOf(plan.files[0]!.content);
    expect(bundle.live_state_updated).toBe(false);
    expect(bundle.actions).toEqual([
      'leave canonical_test_events as it is: last_evaluated_date 2026-04-05 is after the as-of date',
      'alert RESOLUTION (INFO)',
    ]);
  });
});

describe('evaluateRun when a signal source fails', () => {
  const MESSAGE = 'canceling statement due to statement timeout';
  /** EC-023 uses brier_score only (failure: brier_score > 0.3), so a failing `ready` does not touch it. */
  const other = testRow({
    test_id: ID_B,
    test_code: 'EC-023',
    failure_criteria: { any: [{ metric: 'brier_score', op: '>', value: 0.3 }] },
  });

  it('puts only the test using the failed source in SYSTEM_ERROR, with one CRITICAL SIGNAL_ERROR alert', () => {
    const plan = evaluateRun(snapshot({ rows: [testRow(), other], errors: { ready: MESSAGE } }));
    expect(plan.halted).toBe(false);
    expect(plan.runId).toBe(RUN_A);
    expect(plan.failedSignals).toEqual([{ key: 'ready', source: 'fhq.metrics', message: MESSAGE }]);
    expect(plan.alerts).toEqual([
      alertA(DATE, 'CRITICAL', 'SIGNAL_ERROR', 'EC-022: signal source failed, not evaluated', `signal ready (fhq.metrics): ${MESSAGE}`, [
        'Fix the source named above (or its registry row)',
        'Re-run the date: canonical-tests run --date 2026-03-29',
      ]),
    ]);
    expect(plan.stateUpdates).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        progress: { daysElapsed: 29, daysRemaining: 2, isOverdue: false },
        escalationState: 'SYSTEM_ERROR',
        raiseCeoAction: true,
        lastEvaluatedDate: DATE,
      },
      {
        testId: ID_B,
        testCode: 'EC-023',
        progress: { daysElapsed: 29, daysRemaining: 2, isOverdue: false },
        escalationState: 'NONE',
        raiseCeoAction: false,
        lastEvaluatedDate: DATE,
      },
    ]);
    expect(plan.runbook[0]).toEqual({
      testId: ID_A,
      testCode: 'EC-022',
      runDate: DATE,
      runId: RUN_A,
      dayNumber: 29,
      requiredDays: 30,
      status: 'ACTIVE',
      escalationState: 'SYSTEM_ERROR',
      ceoActionRequired: true,
      metricsSnapshot: {
        brier_score: BRIER_SNAPSHOT,
        ready: { ...READY_SNAPSHOT, value: null, status: 'ERROR', error: MESSAGE },
      },
      escalationReasons: [],
      escalatedSince: null,
      verdict: 'PENDING',
      notes: `Not evaluated: signal ready (fhq.metrics) failed: ${MESSAGE}.`,
      evidencePath: evidenceName(DATE),
      evidenceSha256: plan.files[0]!.sha256,
    });
    expect(plan.runbook[1]).toMatchObject({
      testCode: 'EC-023',
      escalationState: 'NONE',
      verdict: 'PENDING',
      notes: 'All metrics available.',
      evidencePath: evidenceName(DATE, 'EC-023'),
    });
    expect(plan.outcomes.map((o) => [o.testCode, o.escalationState])).toEqual([
      ['EC-022', 'SYSTEM_ERROR'],
      ['EC-023', 'NONE'],
    ]);
    expect(bundleOf(plan.files[0]!.content)).toMatchObject({
      phase: 'open',
      metrics_as_of: AS_OF.instant,
      conditions: null,
      escalation: null,
      close: null,
    });
  });

  it('does not resolve a closing window whose source failed at end_ts', () => {
    const plan = evaluateRun(snapshot({ date: '2026-04-01', errors: { ready: MESSAGE } }));
    expect(plan.resolutions).toEqual([]);
    expect(plan.alerts.map((a) => a.alertType)).toEqual(['SIGNAL_ERROR']);
    expect(plan.runbook[0]).toMatchObject({ escalationState: 'SYSTEM_ERROR', dayNumber: 30, verdict: 'PENDING', status: 'ACTIVE' });
    expect(bundleOf(plan.files[0]!.content)).toMatchObject({ phase: 'closing', metrics_as_of: END });
  });
});

describe('evaluateRun on a backfilled date', () => {
  it('moves no live state for an as-of date before last_evaluated_date', () => {
    const plan = evaluateRun(snapshot({ mode: 'backfill', rows: [testRow({ last_evaluated_date: '2026-03-30' })] }));
    expect(plan.stateUpdates).toEqual([]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.outcomes[0]!.liveStateUpdated).toBe(false);
    expect(plan.runbook).toHaveLength(1);
    expect(plan.runbook[0]!.notes).toBe('All metrics available. Backfill: live state kept (last evaluated 2026-03-30).');
    const bundle = bundleOf(plan.files[0]!.content);
    expect(bundle.live_state_updated).toBe(false);
    expect(bundle.actions).toEqual(['leave canonical_test_events as it is: last_evaluated_date 2026-03-30 is after the as-of date']);
  });

  it('moves live state when the as-of date equals last_evaluated_date', () => {
    const plan = evaluateRun(snapshot({ rows: [testRow({ last_evaluated_date: DATE })] }));
    expect(plan.stateUpdates).toHaveLength(1);
    expect(plan.outcomes[0]!.liveStateUpdated).toBe(true);
  });
});

describe('evaluateRun re-runs, revisions and the hash chain', () => {
  /** The record after `plan` committed: its bundle is the date's newest revision and the chain's head. */
  const recordOf = (plan: ReturnType<typeof evaluateRun>): TestRecord => {
    const b = plan.bundles[0]!;
    return {
      current: {
        revision: b.revision,
        runId: b.runId,
        sha256: b.sha256,
        previousSha256: b.previousSha256,
        evaluationSha256: b.evaluationSha256,
      },
      chainHead: b.sha256,
    };
  };

  it('an identical re-evaluation records nothing and keeps the earlier run id in the rows, byte for byte; the plan has the new run id', () => {
    const first = evaluateRun(snapshot({ runId: RUN_A }));
    const again = evaluateRun(snapshot({ runId: RUN_B, record: recordOf(first) }));
    expect(again.runId).toBe(RUN_B);
    expect(again.bundles).toEqual([]);
    expect(again.runbook).toEqual(first.runbook);
    expect(again.runbook[0]!.runId).toBe(RUN_A);
    // The file is the recorded revision's: its text is not held by the plan but exported from the record where missing.
    expect(again.files).toEqual([
      {
        path: first.files[0]!.path,
        content: null,
        sha256: first.files[0]!.sha256,
        recorded: { testId: ID_A, runDate: first.asOf.date, revision: 1 },
      },
    ]);
    expect(again.stateUpdates).toEqual(first.stateUpdates);
  });

  it('re-evaluating a past date after live state moved on records nothing new (what it did to live state is not the evaluation)', () => {
    const first = evaluateRun(snapshot({ runId: RUN_A }));
    const later = evaluateRun(snapshot({ runId: RUN_B, record: recordOf(first), rows: [testRow({ last_evaluated_date: '2026-03-30' })] }));
    expect(later.bundles).toEqual([]);
    expect(later.stateUpdates).toEqual([]);
    expect(later.runbook[0]!.evidenceSha256).toBe(first.files[0]!.sha256);
  });

  it('keeps the earlier run id in the resolution of an unchanged close', () => {
    const opts = { date: '2026-04-01', rows: [testRow({ last_evaluated_date: '2026-03-31' })] };
    const first = evaluateRun(snapshot({ ...opts, runId: RUN_A }));
    const again = evaluateRun(snapshot({ ...opts, runId: RUN_B, record: recordOf(first) }));
    expect(again.runId).toBe(RUN_B);
    expect(again.resolutions).toEqual(first.resolutions);
    expect(again.resolutions[0]!.evidence.run_id).toBe(RUN_A);
  });

  it('a different evaluation of the same date is revision 2, chained to the newest bundle of the test, with the new run id', () => {
    const first = evaluateRun(snapshot({ runId: RUN_A }));
    const head = 'c'.repeat(64); // a later date's bundle, recorded after revision 1
    const corrected = evaluateRun(snapshot({ runId: RUN_B, brier: 0.2, record: { ...recordOf(first), chainHead: head } }));
    expect(corrected.bundles).toHaveLength(1);
    expect(corrected.bundles[0]).toMatchObject({ revision: 2, runId: RUN_B, previousSha256: head });
    expect(corrected.runbook[0]!.runId).toBe(RUN_B);
    expect(corrected.runbook[0]!.evidenceSha256).toBe(corrected.bundles[0]!.sha256);
    expect(bundleOf(corrected.files[0]!.content)).toMatchObject({ run_id: RUN_B, previous_bundle_sha256: head });
  });

  it("chains a first bundle to the test's newest bundle of any date", () => {
    const sha = 'a'.repeat(64);
    const plan = evaluateRun(snapshot({ record: { current: null, chainHead: sha } }));
    expect(plan.bundles[0]).toMatchObject({ revision: 1, previousSha256: sha });
    expect(bundleOf(plan.files[0]!.content).previous_bundle_sha256).toBe(sha);
  });
});

describe('evaluateRun when the gate halts', () => {
  const broken = testRow({ test_id: ID_B, test_code: 'EC-023', start_ts: null });
  let plan: Plan;
  beforeEach(() => {
    plan = evaluateRun(snapshot({ rows: [testRow(), broken] }));
  });
  const haltPath = '/data/evidence/ORCHESTRATOR_HALT_20260329.json';

  it('plans only the offending test: SYSTEM_ERROR, one CRITICAL alert, one runbook row', () => {
    expect(plan.halted).toBe(true);
    expect(plan.runId).toBe(RUN_A);
    expect(plan.failedSignals).toEqual([]);
    expect(plan.defects).toEqual([{ testId: ID_B, testCode: 'EC-023', field: 'start_ts', problem: 'is missing: the window has no start' }]);
    expect(plan.stateUpdates).toEqual([
      { testId: ID_B, testCode: 'EC-023', progress: null, escalationState: 'SYSTEM_ERROR', raiseCeoAction: true, lastEvaluatedDate: DATE },
    ]);
    expect(plan.alerts).toEqual([
      {
        testId: ID_B,
        testCode: 'EC-023',
        runDate: DATE,
        severity: 'CRITICAL',
        alertType: 'SYSTEM_ERROR',
        title: 'EC-023: incomplete definition, run halted',
        message: 'EC-023: start_ts: is missing: the window has no start',
        recommendedActions: [
          'Correct the named fields in fhq_calendar.canonical_test_events or fhq_calendar.test_signal_registry',
          'Re-run the date: canonical-tests run --date 2026-03-29',
        ],
      },
    ]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.runbook).toEqual([
      {
        testId: ID_B,
        testCode: 'EC-023',
        runDate: DATE,
        runId: RUN_A,
        dayNumber: null,
        requiredDays: 30,
        status: 'ACTIVE',
        escalationState: 'SYSTEM_ERROR',
        ceoActionRequired: true,
        metricsSnapshot: {},
        verdict: 'PENDING',
        notes: 'Run halted by the fail-closed gate: EC-023: start_ts: is missing: the window has no start',
        evidencePath: 'ORCHESTRATOR_HALT_20260329.json',
        evidenceSha256: plan.files[0]!.sha256,
        escalationReasons: [],
        escalatedSince: null,
      },
    ]);
    expect(plan.outcomes).toEqual([
      {
        testCode: 'EC-023',
        dayNumber: null,
        escalationState: 'SYSTEM_ERROR',
        verdict: 'PENDING',
        pendingMetrics: [],
        resolved: false,
        liveStateUpdated: true,
      },
    ]);
  });

  it('writes one halt file listing every defect', () => {
    expect(plan.files.map((f) => f.path)).toEqual([haltPath]);
    expect(bundleOf(plan.files[0]!.content)).toEqual({
      schema: 'canonical-test-halt/1',
      run_id: RUN_A,
      as_of_date: DATE,
      as_of_instant: '2026-03-29T04:00:00.000Z',
      zone: ZONE,
      halted: true,
      tests_checked: ['EC-022', 'EC-023'],
      tests_refused: ['EC-023'],
      defects: [{ test_code: 'EC-023', test_id: ID_B, field: 'start_ts', problem: 'is missing: the window has no start' }],
    });
  });

  it('keeps the run id of an identical earlier halt file in the rows; the plan carries the current run id', () => {
    const first = plan.files[0]!;
    const again = evaluateRun({
      ...snapshot({ rows: [testRow(), broken], runId: RUN_B }),
      history: new Map([[ID_B, { previous: null, current: { ...historyRow(RUN_A, 'SYSTEM_ERROR', first.sha256, DATE), test_id: ID_B } }]]),
    });
    expect(again.runId).toBe(RUN_B);
    expect(again.runbook[0]!.runId).toBe(RUN_A);
    expect(again.files[0]!.content).toBe(first.content);
  });

  it('appends the MISSED_RUN warning to a halt', () => {
    const halted = evaluateRun(snapshot({ rows: [testRow(), broken], missedDates: ['2026-03-27'] }));
    expect(halted.alerts.map((a) => a.alertType)).toEqual(['SYSTEM_ERROR', 'MISSED_RUN']);
  });
});

describe('evaluateRun: the checkpoint at the exact as-of instants', () => {
  it('is reached on the date whose as-of instant is the checkpoint itself', () => {
    const row = testRow({ mid_test_checkpoint: AS_OF.instant });
    const plan = evaluateRun(snapshot({ rows: [row], history: previous(historyRow(RUN_B, 'NONE', null, '2026-03-28')) }));
    expect(plan.alerts.map((a) => a.alertType)).toEqual(['CHECKPOINT']);
  });

  it('is not reached again when the previous evaluation was exactly at the checkpoint', () => {
    const row = testRow({ mid_test_checkpoint: asOfFor('2026-03-28', ZONE, RUN_TIME).instant });
    const plan = evaluateRun(snapshot({ rows: [row], history: previous(historyRow(RUN_B, 'NONE', null, '2026-03-28')) }));
    expect(plan.alerts).toEqual([]);
    expect(plan.runbook[0]!.notes).toBe('All metrics available.');
  });
});

describe('evaluateRun re-evaluating a RESOLVED test', () => {
  const CLOSE_DATE = '2026-04-01';
  const CLOSED_AT = '2026-03-31 06:00 Europe/Oslo';
  const resolved = testRow({
    status: 'RESOLVED',
    verdict: 'SUCCESS',
    last_evaluated_date: '2026-03-31',
    resolved_at: '2026-04-01T04:00:00.000Z',
  });

  it('raises no second RESOLUTION when the re-evaluated verdict is the recorded one, and moves no live state', () => {
    const plan = evaluateRun(snapshot({ date: CLOSE_DATE, rows: [resolved] }));
    expect(plan.alerts).toEqual([]);
    expect(plan.stateUpdates).toEqual([]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.runbook[0]).toMatchObject({ status: 'RESOLVED', verdict: 'SUCCESS', dayNumber: 30 });
    expect(plan.outcomes[0]).toMatchObject({ verdict: 'SUCCESS', resolved: true, liveStateUpdated: false });
  });

  it('raises a CRITICAL VERDICT_DRIFT when the data as it is now closes with another verdict', () => {
    const plan = evaluateRun(snapshot({ date: CLOSE_DATE, rows: [resolved], ready: false }));
    expect(plan.alerts).toEqual([
      alertA(
        CLOSE_DATE,
        'CRITICAL',
        'VERDICT_DRIFT',
        'EC-022: re-evaluated verdict FAILURE differs from the recorded SUCCESS',
        `Re-evaluated as of the close (${CLOSED_AT}) with the data as it is now: success criteria MET, failure criteria MET, verdict FAILURE. The live verdict stays SUCCESS.`,
        [
          'Find which source rows changed since the window resolved (canonical-tests history)',
          'Decide whether the recorded verdict stands',
        ],
      ),
    ]);
    expect(plan.resolutions).toEqual([]);
    expect(plan.runbook[0]).toMatchObject({ status: 'RESOLVED', verdict: 'FAILURE' });
  });

  it('records a date inside the window as ACTIVE, as the test was then', () => {
    const plan = evaluateRun(snapshot({ rows: [resolved] }));
    expect(plan.runbook[0]).toMatchObject({ status: 'ACTIVE', verdict: 'PENDING', dayNumber: 29 });
    expect(plan.stateUpdates).toEqual([]);
    expect(bundleOf(plan.files[0]!.content)).toMatchObject({ phase: 'open', live_state_updated: false });
  });
});

describe('evaluateRun: escalation against the previous evaluation', () => {
  it('dates an escalation from today when the previous escalated row has no start date', () => {
    const plan = evaluateRun(
      snapshot({ ready: false, history: previous(historyRow(RUN_B, 'ESCALATED', null, '2026-03-28', [READY_KEY], null)) }),
    );
    expect(plan.runbook[0]).toMatchObject({ escalationState: 'ESCALATED', escalatedSince: DATE });
    expect(plan.alerts).toEqual([]);
  });

  it('alerts when a new reason joins one already alerted', () => {
    const plan = evaluateRun(
      snapshot({
        ready: false,
        window: { should_escalate: true, escalation_reason: 'checkpoint reached', recommended_actions: [] },
        history: previous(historyRow(RUN_B, 'ESCALATED', null, '2026-03-28', [READY_KEY], '2026-03-20')),
      }),
    );
    expect(plan.alerts.map((a) => [a.alertType, a.message])).toEqual([
      ['ESCALATION', `${READY_REASON}; checkpoint reached (escalated since 2026-03-20)`],
    ]);
  });

  it('alerts on becoming escalated even when the previous row, not escalated, listed the same reason', () => {
    const plan = evaluateRun(
      snapshot({ ready: false, history: previous(historyRow(RUN_B, 'NONE', null, '2026-03-28', [READY_KEY], '2026-03-20')) }),
    );
    expect(plan.alerts.map((a) => a.alertType)).toEqual(['ESCALATION']);
    expect(plan.runbook[0]).toMatchObject({ escalatedSince: DATE });
  });
});

describe('evaluateRun: failed signals of the run', () => {
  it('lists each failed signal once, by key, "query failed" without a message, and names them in the notes', () => {
    const s = snapshot();
    const failed = new Map<string, MetricValue>([
      ['ready', errorMetric('ready', 'timeout')],
      ['brier_score', { ...errorMetric('brier_score', 'x'), error: undefined }],
    ]);
    s.metrics.set(AS_OF.instant, failed);
    s.metrics.set(END, failed);
    const plan = evaluateRun(s);
    expect(plan.failedSignals).toEqual([
      { key: 'brier_score', source: 'fhq.metrics', message: 'query failed' },
      { key: 'ready', source: 'fhq.metrics', message: 'timeout' },
    ]);
    expect(plan.runbook[0]!.notes).toBe(
      'Not evaluated: signal brier_score (fhq.metrics) failed: query failed; signal ready (fhq.metrics) failed: timeout.',
    );
    expect(plan.outcomes[0]!.pendingMetrics).toEqual([]);
    expect(plan.runbook[0]!.metricsSnapshot.brier_score).toMatchObject({ status: 'ERROR', error: null });
    expect((bundleOf(plan.files[0]!.content).metrics as unknown[])[0]).toMatchObject({ key: 'brier_score', status: 'ERROR', error: null });
  });

  it('names the first and the last missed date in the catch-up advice', () => {
    const plan = evaluateRun(snapshot({ missedDates: ['2026-03-25', '2026-03-26', '2026-03-27'] }));
    expect(plan.alerts.at(-1)!.recommendedActions).toEqual([
      'Evaluate them: canonical-tests run --catch-up (or backfill --from 2026-03-25 --to 2026-03-27)',
    ]);
  });
});

describe('evaluateRun: notes, progress and the checkpoint in more cases', () => {
  it('names every pending metric with its reason in the notes', () => {
    const plan = evaluateRun(snapshot({ brier: null, ready: null }));
    expect(plan.runbook[0]!.notes).toBe(`Metrics pending: brier_score (${PENDING_REASON}), ready (${PENDING_REASON}).`);
  });

  it('joins several escalation reasons in the notes', () => {
    const plan = evaluateRun(
      snapshot({ ready: false, window: { should_escalate: true, escalation_reason: 'checkpoint reached', recommended_actions: [] } }),
    );
    expect(plan.runbook[0]!.notes).toBe(`All metrics available. Escalated since ${DATE}: ${READY_REASON}; checkpoint reached.`);
  });

  it('keeps is_overdue of an open window as the database computed it', () => {
    const plan = evaluateRun(snapshot({ window: { is_overdue: true } }));
    expect(plan.stateUpdates[0]!.progress).toEqual({ daysElapsed: 29, daysRemaining: 2, isOverdue: true });
  });

  it('raises no CHECKPOINT at the close, even when no evaluation saw the checkpoint', () => {
    const row = testRow({ mid_test_checkpoint: '2026-03-15T11:00:00.000Z', last_evaluated_date: '2026-03-31' });
    const plan = evaluateRun(snapshot({ date: '2026-04-01', rows: [row] }));
    expect(plan.alerts.map((a) => a.alertType)).toEqual(['RESOLUTION']);
  });
});

describe('evaluateRun on an incomplete snapshot (a discover defect)', () => {
  it('refuses a test without a progress row', () => {
    const s = snapshot();
    s.windowStates.clear();
    expect(() => evaluateRun(s)).toThrow(new Error('no progress row for test EC-022'));
  });

  it('refuses a test whose metrics were not resolved at the instant it needs', () => {
    expect(() => evaluateRun(snapshot({ noMetrics: true }))).toThrow(
      new Error(`signal brier_score was not resolved as of ${AS_OF.instant} for test EC-022`),
    );
    const s = snapshot();
    s.metrics.get(AS_OF.instant)!.delete('ready');
    expect(() => evaluateRun(s)).toThrow(new Error(`signal ready was not resolved as of ${AS_OF.instant} for test EC-022`));
  });
});

describe('evaluateRun: several defects, several missing metrics', () => {
  it('halts a backfilled test with two defects: one alert line and one note part each, no live state, no bundle', () => {
    const broken = testRow({ test_id: ID_B, test_code: 'EC-023', start_ts: null, end_ts: null, last_evaluated_date: '2026-04-05' });
    const plan = evaluateRun(snapshot({ rows: [testRow(), broken] }));
    const start = 'EC-023: start_ts: is missing: the window has no start';
    const end = 'EC-023: end_ts: is missing: the window has no end';
    expect(plan.alerts.map((a) => a.message)).toEqual([`${start}\n${end}`]);
    expect(plan.runbook.map((r) => r.notes)).toEqual([`Run halted by the fail-closed gate: ${start}; ${end}`]);
    expect(plan.stateUpdates).toEqual([]);
    expect(plan.bundles).toEqual([]);
    expect(plan.outcomes[0]).toMatchObject({ liveStateUpdated: false, escalationState: 'SYSTEM_ERROR' });
  });

  it('names every metric the close waits for, then every metric missing at the INCONCLUSIVE close', () => {
    const row = testRow({ days_elapsed: 30, days_remaining: 0, last_evaluated_date: '2026-03-31' });
    const waiting = evaluateRun(snapshot({ date: '2026-04-01', rows: [row], brier: null, ready: null }));
    expect(waiting.runbook[0]!.notes).toContain(
      'Window closed 2026-03-31 06:00 Europe/Oslo; the verdict waits for late data on brier_score, ready (1 more day(s) of the 2-day grace).',
    );
    const late = evaluateRun(snapshot({ date: '2026-04-04', rows: [row], brier: null, ready: null }));
    expect(late.runbook[0]!.notes).toContain('verdict INCONCLUSIVE, evaluated as of the close; missing: brier_score, ready.');
    expect(late.alerts.map((a) => a.message)).toEqual([
      'Evaluated as of the close (2026-03-31 06:00 Europe/Oslo): success criteria PENDING, failure criteria PENDING; missing as of the close: brier_score, ready.',
    ]);
  });

  it('says "pending" for a pending metric without a reason', () => {
    const s = snapshot({ brier: null });
    s.metrics.get(AS_OF.instant)!.set('brier_score', { ...metric('brier_score', null), pendingReason: null });
    expect(evaluateRun(s).runbook[0]!.notes).toBe('Metrics pending: brier_score (pending).');
  });
});

describe('evaluation in parts', () => {
  const rows = Array.from({ length: 5 }, (_, i) =>
    testRow({ test_id: `00000000-0000-4000-8000-00000000010${i}`, test_code: `EC-10${i}`, start_ts: `2026-03-0${i + 1}T05:00:00.000Z` }),
  );
  const codesOf = (plan: Plan) => plan.runbook.map((r) => r.testCode);

  it('splits the tests in order into parts of the given size, and the parts merge into exactly the whole plan', () => {
    const snap = snapshot({ rows, missedDates: ['2026-03-27'] });
    const parts = [...evaluateInParts(snap, 2)];
    expect(parts.map(codesOf)).toEqual([['EC-100', 'EC-101'], ['EC-102', 'EC-103'], ['EC-104'], []]);
    expect(parts.at(-1)!.alerts.map((a) => a.alertType)).toEqual(['MISSED_RUN']);
    expect(parts.every((p) => p.runId === RUN_A && p.reportPath === '/data/reports/RUNBOOK_20260329.md' && !p.halted)).toBe(true);
    const whole = evaluateRun(snap);
    expect(mergeParts(parts)).toEqual(whole);
    expect(codesOf(whole)).toEqual(['EC-100', 'EC-101', 'EC-102', 'EC-103', 'EC-104']);
    expect(whole.files.length).toBe(5);
  });

  it('evaluates a part only when it is asked for', () => {
    const snap = snapshot({ rows });
    const parts = evaluateInParts(snap, 2);
    expect(codesOf(parts.next().value as Plan)).toEqual(['EC-100', 'EC-101']);
    // A broken snapshot after the first part only breaks the parts still to come.
    snap.windowStates.clear();
    expect(() => parts.next()).toThrow();
  });

  it('gives one part for no test, and a halt as one part followed by the missed-run alert', () => {
    const empty = [...evaluateInParts(snapshot({ rows: [] }), 2)];
    expect(empty.map(codesOf)).toEqual([[]]);
    expect(empty[0]!.files).toEqual([]);
    const broken = testRow({ test_id: ID_B, test_code: 'EC-BAD', success_criteria: null });
    const halted = [...evaluateInParts(snapshot({ rows: [...rows, broken], missedDates: ['2026-03-27'] }), 2)];
    expect(halted.map((p) => [p.halted, p.alerts.map((a) => a.alertType)])).toEqual([
      [true, ['SYSTEM_ERROR']],
      [true, ['MISSED_RUN']],
    ]);
    expect(mergeParts(halted)).toEqual(evaluateRun(snapshot({ rows: [...rows, broken], missedDates: ['2026-03-27'] })));
  });

  it('refuses to merge no part', () => {
    expect(() => mergeParts([])).toThrow('mergeParts: no part');
  });
});

describe('evaluation in chunks of tests', () => {
  const rows = Array.from({ length: 5 }, (_, i) =>
    testRow({ test_id: `00000000-0000-4000-8000-00000000010${i}`, test_code: `EC-10${i}`, start_ts: `2026-03-0${i + 1}T05:00:00.000Z` }),
  );
  const codesOf = (plan: Plan) => plan.runbook.map((r) => r.testCode);
  /** The snapshot of the whole run cut as discover cuts it: the base without tests, then one snapshot per chunk. */
  function cut(whole: Snapshot, size: number) {
    const base: Snapshot = { ...whole, tests: [], gate: { passed: [], defects: [] }, windowStates: new Map() };
    const chunks: Snapshot[] = [];
    for (let start = 0; start < whole.tests.length; start += size) {
      const tests = whole.tests.slice(start, start + size);
      const ids = new Set(tests.map((t) => t.test_id));
      chunks.push({
        ...base,
        tests,
        gate: { passed: whole.gate.passed.filter((g) => ids.has(g.row.test_id)), defects: [] },
        windowStates: new Map([...whole.windowStates].filter(([id]) => ids.has(id))),
      });
    }
    return { base, chunks };
  }
  async function all(parts: AsyncIterable<Plan>): Promise<Plan[]> {
    const out: Plan[] = [];
    for await (const part of parts) out.push(part);
    return out;
  }
  /** The chunks as discover hands them over: each read (here, noted in `asked`) only when asked for. */
  async function* yielding(chunks: readonly Snapshot[], asked: string[]) {
    for (const [i, chunk] of chunks.entries()) {
      asked.push(`chunk ${i}`);
      yield await Promise.resolve(chunk);
    }
  }

  it('gives the parts of each chunk in turn, then the missed-run alert, merging into exactly the plan of the whole snapshot', async () => {
    const whole = snapshot({ rows, missedDates: ['2026-03-27'] });
    const { base, chunks } = cut(whole, 3);
    const parts = await all(evaluateChunks(base, yielding(chunks, []), 2));
    expect(parts.map(codesOf)).toEqual([['EC-100', 'EC-101'], ['EC-102'], ['EC-103', 'EC-104'], []]);
    expect(parts.at(-1)!.alerts.map((a) => a.alertType)).toEqual(['MISSED_RUN']);
    expect(mergeParts(parts)).toEqual(evaluateRun(whole));
  });

  it('asks for a chunk only when the parts before it are taken', async () => {
    const { base, chunks } = cut(snapshot({ rows }), 2);
    const asked: string[] = [];
    const parts = evaluateChunks(base, yielding(chunks, asked), 50);
    expect(codesOf((await parts.next()).value as Plan)).toEqual(['EC-100', 'EC-101']);
    expect(asked).toEqual(['chunk 0']);
    expect(codesOf((await parts.next()).value as Plan)).toEqual(['EC-102', 'EC-103']);
    expect(asked).toEqual(['chunk 0', 'chunk 1']);
  });

  it('gives one empty part for no chunk at all, as for a run without tests', async () => {
    const none = snapshot({ rows: [] });
    const parts = await all(evaluateChunks(none, yielding([], []), 2));
    expect(parts.map(codesOf)).toEqual([[]]);
    expect(mergeParts(parts)).toEqual(evaluateRun(none));
  });
});
