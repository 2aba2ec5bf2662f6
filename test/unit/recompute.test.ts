import { describe, expect, it } from 'vitest';
import { evaluateConditions, recomputeBundle, recordedMetricValues } from '../../src/domain/recompute.js';
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
