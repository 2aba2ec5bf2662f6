import { describe, expect, it } from 'vitest';
import { asOfFor } from '../../src/domain/asOf.js';
import type { CriteriaResult } from '../../src/domain/criteria.js';
import { runGate } from '../../src/domain/gate.js';
import type { MetricValue } from '../../src/domain/metric.js';
import type { Snapshot } from '../../src/domain/snapshot.js';
import type { TestRow } from '../../src/domain/testRow.js';
import type { WindowState } from '../../src/domain/windowState.js';
import { checkpointAlert, escalationAlert, metricAgainstTarget, metricsPendingAlert, signalErrorAlert } from '../../src/evaluate/alerts.js';
import { testContext, type TestContext } from '../../src/evaluate/context.js';
import { decideEscalation } from '../../src/evaluate/escalation.js';
import { ID_A, registry, testRow } from '../helpers/rows.js';

const DATE = '2026-03-20';

function contextOf(patch: Partial<TestRow> = {}, window: Partial<WindowState> = {}): TestContext {
  const row = testRow({ days_elapsed: 19, days_remaining: 11, is_overdue: false, last_evaluated_date: '2026-03-19', ...patch });
  const gate = runGate([row], registry);
  const snapshot: Snapshot = {
    asOf: asOfFor(DATE, 'Europe/Oslo', '06:00'),
    runTime: '06:00',
    resolutionGraceDays: 2,
    runId: '11111111-1111-4111-8111-111111111111',
    mode: 'daily',
    missedDates: [],
    evidenceDir: '/data/evidence',
    reportsDir: '/data/reports',
    tests: [row],
    gate,
    windowStates: new Map([
      [
        ID_A,
        {
          test_id: ID_A,
          days_elapsed: 19,
          days_remaining: 11,
          is_overdue: false,
          should_escalate: false,
          escalation_reason: null,
          recommended_actions: [],
          ...window,
        },
      ],
    ]),
    metrics: new Map(),
    history: new Map(),
    records: new Map(),
    evaluatorVersion: '9.9.9',
  };
  return testContext(gate.passed[0]!, snapshot);
}

function metric(key: string, value: number | boolean | null, patch: Partial<MetricValue> = {}): MetricValue {
  return {
    key,
    value,
    status: value === null ? 'PENDING' : 'AVAILABLE',
    pendingReason: null,
    source: { schema: 'fhq', table: 'metrics', column: key, timeColumn: 'measured_at' },
    aggregation: 'LATEST',
    rowsUsed: value === null ? 0 : 1,
    window: null,
    latestRowAt: null,
    asOfExact: true,
    ...patch,
  };
}

const failureMet: CriteriaResult = {
  combinator: 'any',
  outcome: 'MET',
  conditions: [
    { metric: 'ready', op: '==', threshold: false, thresholdFrom: 'value', baseline: null, current: false, outcome: 'MET' },
    { metric: 'brier_score', op: '>', threshold: 0.3, thresholdFrom: 'value', baseline: null, current: 0.2, outcome: 'NOT_MET' },
  ],
};
const failureNotMet: CriteriaResult = { ...failureMet, outcome: 'NOT_MET', conditions: [] };

describe('metricAgainstTarget', () => {
  it('shows a metric against its target, met or not', () => {
    const ctx = contextOf();
    expect(metricAgainstTarget(ctx, metric('brier_score', 0.24))).toBe('brier_score 0.24 (target <= 0.24: met)');
    expect(metricAgainstTarget(ctx, metric('brier_score', 0.25))).toBe('brier_score 0.25 (target <= 0.24: not met)');
  });

  it('shows a pending metric with its target, and a metric without a target bare', () => {
    const ctx = contextOf();
    expect(metricAgainstTarget(ctx, metric('brier_score', null))).toBe('brier_score pending (target <= 0.24)');
    expect(metricAgainstTarget(ctx, metric('ready', null))).toBe('ready pending');
    expect(metricAgainstTarget(ctx, metric('ready', false))).toBe('ready false');
  });
});

describe('metricsPendingAlert', () => {
  it('names each pending key with its reason, "pending" when none is given, then what waits on them', () => {
    const ctx = contextOf();
    expect(
      metricsPendingAlert(ctx, [metric('brier_score', null, { pendingReason: 'no row' }), metric('ready', null)], ' (the verdict waits)'),
    ).toEqual({
      testId: ID_A,
      testCode: 'EC-022',
      runDate: DATE,
      severity: 'WARNING',
      alertType: 'METRICS_PENDING',
      title: 'EC-022: 2 metric(s) pending',
      message: 'brier_score: no row; ready: pending (the verdict waits)',
      recommendedActions: ['Check that the source tables named in test_signal_registry are being loaded'],
    });
  });
});

describe('checkpointAlert', () => {
  it('shows "?" for a window without required_days', () => {
    const ctx = contextOf({ mid_test_checkpoint: '2026-03-15T11:00:00.000Z', required_days: null });
    expect(checkpointAlert(ctx, [metric('brier_score', 0.2), metric('ready', null)], 19).message).toBe(
      'Checkpoint 2026-03-15 12:00 Europe/Oslo reached: Day 19 of ?, 11 day(s) remaining. brier_score 0.2 (target <= 0.24: met); ready pending.',
    );
  });
});

describe('signalErrorAlert', () => {
  it('names each failing key on a line of its own, "query failed" without a message', () => {
    const ctx = contextOf();
    const alert = signalErrorAlert(ctx, [
      metric('brier_score', null, { status: 'ERROR', error: 'timeout' }),
      metric('ready', null, { status: 'ERROR' }),
    ]);
    expect(alert).toEqual({
      testId: ID_A,
      testCode: 'EC-022',
      runDate: DATE,
      severity: 'CRITICAL',
      alertType: 'SIGNAL_ERROR',
      title: 'EC-022: signal source failed, not evaluated',
      message: 'signal brier_score (fhq.metrics): timeout\nsignal ready (fhq.metrics): query failed',
      recommendedActions: ['Fix the source named above (or its registry row)', `Re-run the date: canonical-tests run --date ${DATE}`],
    });
  });
});

describe('decideEscalation and escalationAlert', () => {
  it('names only the met failure conditions, and the test owner when the path names none', () => {
    const ctx = contextOf({ escalation_path: { notify: ['ceo@example.com'] } });
    const escalation = decideEscalation(ctx, failureMet, true);
    expect(escalation).toEqual({
      state: 'ESCALATED',
      reasons: ['failure criteria met: ready == false (current false)'],
      reasonKeys: ['failure: ready == false'],
      recommendedActions: ['Decide whether to stop the test and roll back the change', 'Review the metrics with the test owner'],
      since: DATE,
      changed: true,
      previousState: 'NONE',
    });
    expect(escalationAlert(ctx, escalation, failureMet)).toMatchObject({
      severity: 'CRITICAL',
      message: `failure criteria met: ready == false (current false) (escalated since ${DATE})`,
    });
  });

  it('uses generic words for a time-based condition without a reason, and ignores it at a close', () => {
    const ctx = contextOf({}, { should_escalate: true, escalation_reason: null, recommended_actions: ['Look'] });
    const escalation = decideEscalation(ctx, failureNotMet, true);
    expect(escalation).toMatchObject({
      state: 'ESCALATED',
      reasons: ['time-based escalation condition'],
      reasonKeys: ['time: condition'],
      recommendedActions: ['Look'],
    });
    expect(escalationAlert(ctx, escalation, failureNotMet).severity).toBe('WARNING');
    expect(decideEscalation(ctx, failureNotMet, false)).toEqual({
      state: 'NONE',
      reasons: [],
      reasonKeys: [],
      recommendedActions: [],
      since: null,
      changed: false,
      previousState: 'NONE',
    });
  });

  it('sorts the reason keys', () => {
    const ctx = contextOf({}, { should_escalate: true, escalation_reason: 'a overdue', recommended_actions: [] });
    expect(decideEscalation(ctx, failureMet, true).reasonKeys).toEqual(['failure: ready == false', 'time: a overdue']);
  });
});

describe('decideEscalation with several failure conditions met', () => {
  it('names each met condition in order and sorts their keys', () => {
    const twoMet: CriteriaResult = {
      combinator: 'any',
      outcome: 'MET',
      conditions: [
        { metric: 'ready', op: '==', threshold: false, thresholdFrom: 'value', baseline: null, current: false, outcome: 'MET' },
        { metric: 'brier_score', op: '>', threshold: 0.3, thresholdFrom: 'value', baseline: null, current: 0.35, outcome: 'MET' },
      ],
    };
    const escalation = decideEscalation(contextOf(), twoMet, false);
    expect(escalation.reasons).toEqual(['failure criteria met: ready == false (current false); brier_score > 0.3 (current 0.35)']);
    expect(escalation.reasonKeys).toEqual(['failure: brier_score > 0.3', 'failure: ready == false']);
  });
});
