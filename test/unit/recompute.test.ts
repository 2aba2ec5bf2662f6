import { describe, expect, it } from 'vitest';
import { describeMismatch, evaluateConditions, recomputeBundle, recordedMetricValues } from '../../src/domain/recompute.js';
import { parseDefinition } from '../../src/domain/definition.js';

const definition = {
  start_ts: '2026-03-01T00:00:00+01:00',
  end_ts: '2026-03-30T23:59:59+02:00',
  required_days: 30,
  mid_test_checkpoint: null,
  baseline_definition: { brier: 0.25 },
  target_metrics: {},
  success_criteria: { all: [{ metric: 'brier', op: '<=', baseline_delta: -0.01 }] },
  failure_criteria: { any: [{ metric: 'brier', op: '>', value: 0.3 }] },
  escalation_path: { notify: ['ceo-office'] },
};

/** A bundle as a run records it, for a brier value, with conditions computed by the same rules. */
function bundle(brier: number | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const parsed = parseDefinition(definition);
  if (!('definition' in parsed)) throw new Error('fixture definition is invalid');
  return {
    phase: 'open',
    definition,
    metrics: [{ key: 'brier', value: brier, status: brier === null ? 'PENDING' : 'AVAILABLE' }],
    conditions: evaluateConditions(parsed.definition, (k) => (k === 'brier' ? brier : null)),
    close: null,
    verdict: 'PENDING',
    ...extra,
  };
}

describe('recomputeBundle', () => {
  it('agrees with what the evaluator recorded', () => {
    expect(recomputeBundle(bundle(0.2))).toEqual({ kind: 'checked', mismatches: [] });
    expect(recomputeBundle(bundle(null))).toEqual({ kind: 'checked', mismatches: [] });
  });

  it('names every outcome a changed metric value flips', () => {
    const b = bundle(0.2);
    (b.metrics as { value: number }[])[0]!.value = 0.35;
    const result = recomputeBundle(b);
    expect(result.kind === 'checked' && result.mismatches.map((m) => m.field)).toEqual([
      'conditions.success_criteria.outcome',
      'conditions.success_criteria.conditions[0].outcome',
      'conditions.failure_criteria.outcome',
      'conditions.failure_criteria.conditions[0].outcome',
    ]);
  });

  it('a recorded definition that no longer holds its threshold is caught too', () => {
    const b = bundle(0.2);
    b.definition = { ...definition, baseline_definition: { brier: 0.2 } };
    const result = recomputeBundle(b);
    expect(result.kind === 'checked' && result.mismatches[0]).toMatchObject({
      field: 'conditions.success_criteria.outcome',
      recorded: 'MET',
      recomputed: 'NOT_MET',
    });
  });

  it('recomputes a close verdict with its grace days', () => {
    const close = { decision: 'verdict', missing: [], grace_days: 2, days_after_close: 1 };
    expect(recomputeBundle(bundle(0.2, { phase: 'closing', close, verdict: 'SUCCESS' }))).toEqual({ kind: 'checked', mismatches: [] });
    expect(recomputeBundle(bundle(0.2, { phase: 'closing', close, verdict: 'FAILURE' }))).toEqual({
      kind: 'checked',
      mismatches: [{ field: 'verdict', recorded: 'FAILURE', recomputed: 'SUCCESS' }],
    });
    // Pending past the grace: INCONCLUSIVE.
    const late = { ...close, days_after_close: 3, missing: ['brier'] };
    expect(recomputeBundle(bundle(null, { phase: 'closing', close: late, verdict: 'INCONCLUSIVE' }))).toEqual({
      kind: 'checked',
      mismatches: [],
    });
    // A decision recorded while the grace still waits is wrong.
    const early = { ...close, days_after_close: 1, missing: ['brier'] };
    expect(recomputeBundle(bundle(null, { phase: 'closing', close: early, verdict: 'INCONCLUSIVE' }))).toMatchObject({
      mismatches: [
        { field: 'close.decision', recorded: 'verdict', recomputed: 'waiting' },
        { field: 'verdict', recorded: 'INCONCLUSIVE', recomputed: 'PENDING' },
      ],
    });
  });

  it('skips a bundle without conditions and reports a broken definition', () => {
    expect(recomputeBundle({ phase: 'before', conditions: null }).kind).toBe('skipped');
    const broken = recomputeBundle(bundle(0.2, { definition: { ...definition, failure_criteria: null } }));
    expect(broken.kind === 'checked' && broken.mismatches[0]!.field).toBe('definition');
  });
});

describe('recordedMetricValues', () => {
  it('reads values by key; anything but a number or boolean is pending', () => {
    expect(
      recordedMetricValues({ metrics: [{ key: 'a', value: 1 }, { key: 'b', value: true }, { key: 'c', value: 'x' }, { value: 2 }] }),
    ).toEqual(
      new Map<string, unknown>([
        ['a', 1],
        ['b', true],
        ['c', null],
      ]),
    );
  });
});

describe('the verdict outside a decided close', () => {
  it('is PENDING before the close and while the close waits', () => {
    expect(recomputeBundle(bundle(0.2, { verdict: 'FAILURE' }))).toEqual({
      kind: 'checked',
      mismatches: [{ field: 'verdict', recorded: 'FAILURE', recomputed: 'PENDING' }],
    });
    const waiting = { decision: 'waiting', missing: ['brier'], grace_days: 2, days_after_close: 1 };
    expect(recomputeBundle(bundle(null, { phase: 'closing', close: waiting }))).toEqual({ kind: 'checked', mismatches: [] });
  });
});

describe('recomputeBundle on incomplete or malformed bundles', () => {
  const checked = (mismatches: unknown[]) => ({ kind: 'checked', mismatches });

  it('skips a bundle without a conditions field, saying why', () => {
    expect(recomputeBundle({ phase: 'before', verdict: 'PENDING' })).toEqual({
      kind: 'skipped',
      reason: 'no conditions recorded (before the window or a failed source)',
    });
  });

  it.each([null, 'text', [definition]])('reports a definition that is not an object (%j)', (recorded) => {
    expect(recomputeBundle(bundle(0.2, { definition: recorded }))).toEqual(
      checked([{ field: 'definition', recorded: null, recomputed: 'a definition' }]),
    );
  });

  it('reports the problems of a definition that fails the gate, as one text', () => {
    const b = bundle(0.2, { definition: { ...definition, failure_criteria: null, required_days: 0 } });
    expect(recomputeBundle(b)).toEqual(
      checked([
        {
          field: 'definition',
          recorded: 'required_days must be a positive number of days (is 0); failure_criteria is missing',
          recomputed: 'a definition that passes the gate',
        },
      ]),
    );
  });

  it.each([{}, 'text'])('names every outcome and count when the recorded conditions lack the criteria (%j)', (conditions) => {
    expect(recomputeBundle(bundle(0.2, { conditions }))).toEqual(
      checked([
        { field: 'conditions.success_criteria.outcome', recorded: null, recomputed: 'MET' },
        { field: 'conditions.success_criteria.conditions', recorded: 0, recomputed: 1 },
        { field: 'conditions.success_criteria.conditions[0].outcome', recorded: null, recomputed: 'MET' },
        { field: 'conditions.failure_criteria.outcome', recorded: null, recomputed: 'NOT_MET' },
        { field: 'conditions.failure_criteria.conditions', recorded: 0, recomputed: 1 },
        { field: 'conditions.failure_criteria.conditions[0].outcome', recorded: null, recomputed: 'NOT_MET' },
      ]),
    );
  });

  it('reports recorded outcomes as recorded, and a conditions list that is not a list as empty', () => {
    const b = bundle(0.2, {
      conditions: {
        success_criteria: { outcome: 'NOT_MET', conditions: [{ outcome: 'PENDING' }, { outcome: 'MET' }] },
        failure_criteria: { outcome: 'NOT_MET', conditions: 'none' },
      },
    });
    expect(recomputeBundle(b)).toEqual(
      checked([
        { field: 'conditions.success_criteria.outcome', recorded: 'NOT_MET', recomputed: 'MET' },
        { field: 'conditions.success_criteria.conditions', recorded: 2, recomputed: 1 },
        { field: 'conditions.success_criteria.conditions[0].outcome', recorded: 'PENDING', recomputed: 'MET' },
        { field: 'conditions.failure_criteria.conditions', recorded: 0, recomputed: 1 },
        { field: 'conditions.failure_criteria.conditions[0].outcome', recorded: null, recomputed: 'NOT_MET' },
      ]),
    );
  });

  it('reads no metric values from a metrics field that is not a list, or from entries that are not objects', () => {
    expect(recordedMetricValues({ metrics: 'brier' })).toEqual(new Map());
    expect(recordedMetricValues({ metrics: [null, 'brier', ['brier', 1], { key: 7, value: 1 }] })).toEqual(new Map());
    // Every value pending: the success condition is PENDING, not MET as recorded.
    expect(recomputeBundle(bundle(0.2, { metrics: { brier: 0.2 } }))).toMatchObject(
      checked([
        { field: 'conditions.success_criteria.outcome', recorded: 'MET', recomputed: 'PENDING' },
        { field: 'conditions.success_criteria.conditions[0].outcome', recorded: 'MET', recomputed: 'PENDING' },
        { field: 'conditions.failure_criteria.outcome', recorded: 'NOT_MET', recomputed: 'PENDING' },
        { field: 'conditions.failure_criteria.conditions[0].outcome', recorded: 'NOT_MET', recomputed: 'PENDING' },
      ]),
    );
  });

  it('decides no verdict outside a close, nor at a close without its close record', () => {
    const close = { decision: 'verdict', missing: [], grace_days: 2, days_after_close: 1 };
    expect(recomputeBundle(bundle(0.2, { phase: 'open', close }))).toEqual(checked([]));
    expect(recomputeBundle(bundle(0.2, { phase: 'closing', close: null }))).toEqual(checked([]));
  });

  it('takes a missing days_after_close or grace_days as 0', () => {
    // Pending at the close: on day 0 of a 2-day grace it waits; on day 0 of no grace at all it waits too.
    expect(recomputeBundle(bundle(null, { phase: 'closing', close: { decision: 'waiting', grace_days: 2 } }))).toEqual(checked([]));
    expect(recomputeBundle(bundle(null, { phase: 'closing', close: { decision: 'waiting', days_after_close: 0 } }))).toEqual(checked([]));
  });

  it('reports a missing close decision and verdict as null', () => {
    const b = bundle(0.2, { phase: 'closing', close: { grace_days: 2, days_after_close: 1 }, verdict: undefined });
    expect(recomputeBundle(b)).toEqual(
      checked([
        { field: 'close.decision', recorded: null, recomputed: 'verdict' },
        { field: 'verdict', recorded: null, recomputed: 'SUCCESS' },
      ]),
    );
  });
});

describe('describeMismatch', () => {
  it('shows the field, the recorded and the recomputed value as JSON', () => {
    expect(describeMismatch({ field: 'conditions.failure_criteria.outcome', recorded: 'NOT_MET', recomputed: 'MET' })).toBe(
      'conditions.failure_criteria.outcome recorded "NOT_MET", recomputed "MET"',
    );
    expect(describeMismatch({ field: 'verdict', recorded: null, recomputed: 'PENDING' })).toBe(
      'verdict recorded null, recomputed "PENDING"',
    );
  });
});
