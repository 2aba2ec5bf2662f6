import { describe, expect, it } from 'vitest';
import {
  compare,
  decideVerdict,
  describeCondition,
  evaluateCriteria,
  relativeThreshold,
  type ConditionResult,
  type Outcome,
} from '../../src/domain/criteria.js';
import type { Condition, Criteria, Scalar } from '../../src/domain/definition.js';

describe('compare', () => {
  it.each([
    [1, '<', 2, true],
    [2, '<', 2, false],
    [2, '<=', 2, true],
    [3, '<=', 2, false],
    [3, '>', 2, true],
    [2, '>', 2, false],
    [2, '>=', 2, true],
    [1, '>=', 2, false],
    [2, '==', 2, true],
    [2, '==', 3, false],
    [2, '!=', 3, true],
    [2, '!=', 2, false],
    [true, '==', true, true],
    [true, '==', false, false],
    [true, '!=', false, true],
    [false, '!=', false, false],
  ] as const)('%s %s %s is %s', (current, op, threshold, expected) => {
    expect(compare(current, op, threshold)).toBe(expected);
  });

  it('never satisfies a condition across types', () => {
    expect(compare(1, '==', true)).toBe(false);
    expect(compare(true, '!=', 1)).toBe(false);
    expect(compare(0, '<=', false)).toBe(false);
    expect(compare(false, '>=', 0)).toBe(false);
  });
});

describe('relativeThreshold', () => {
  it('rounds a ratio to 12 significant digits: 0.2 × 1.1 is exactly 0.22', () => {
    expect(0.2 * 1.1).not.toBe(0.22);
    expect(relativeThreshold(0.2, { baseline_ratio: 1.1 })).toBe(0.22);
  });

  it('rounds a delta: 0.1 + 0.2 is exactly 0.3, 0.25 - 0.005 is 0.245', () => {
    expect(relativeThreshold(0.1, { baseline_delta: 0.2 })).toBe(0.3);
    expect(relativeThreshold(0.25, { baseline_delta: -0.005 })).toBe(0.245);
  });

  it('multiplies and adds, not the other way round', () => {
    expect(relativeThreshold(10, { baseline_ratio: 3 })).toBe(30);
    expect(relativeThreshold(10, { baseline_delta: 3 })).toBe(13);
  });
});

const conditionOf = (metric: string, op: Condition['op'], value: Scalar): Condition => ({ metric, op, value });

describe('evaluateCriteria', () => {
  it('reports every number of a value, delta and ratio condition', () => {
    const criteria: Criteria = {
      all: [
        { metric: 'a', op: '<=', value: 5 },
        { metric: 'b', op: '<=', baseline_delta: -0.005 },
        { metric: 'c', op: '>=', baseline_ratio: 1.1 },
      ],
    };
    const values: Record<string, Scalar> = { a: 5, b: 0.244, c: 0.21 };
    const result = evaluateCriteria(criteria, (k) => values[k] ?? null, { b: 0.25, c: 0.2 });
    expect(result).toEqual({
      combinator: 'all',
      outcome: 'NOT_MET',
      conditions: [
        { metric: 'a', op: '<=', threshold: 5, thresholdFrom: 'value', baseline: null, current: 5, outcome: 'MET' },
        { metric: 'b', op: '<=', threshold: 0.245, thresholdFrom: 'baseline_delta', baseline: 0.25, current: 0.244, outcome: 'MET' },
        { metric: 'c', op: '>=', threshold: 0.22, thresholdFrom: 'baseline_ratio', baseline: 0.2, current: 0.21, outcome: 'NOT_MET' },
      ],
    });
  });

  it('is PENDING for a condition whose metric has no value yet', () => {
    const result = evaluateCriteria({ any: [conditionOf('a', '>', 1)] }, () => null, {});
    expect(result).toEqual({
      combinator: 'any',
      outcome: 'PENDING',
      conditions: [{ metric: 'a', op: '>', threshold: 1, thresholdFrom: 'value', baseline: null, current: null, outcome: 'PENDING' }],
    });
  });

  it('is PENDING for a baseline-relative condition without a numeric baseline', () => {
    const result = evaluateCriteria({ all: [{ metric: 'a', op: '>', baseline_ratio: 2 }] }, () => 3, { a: true });
    expect(result.outcome).toBe('PENDING');
    expect(result.conditions[0]).toEqual({
      metric: 'a',
      op: '>',
      threshold: null,
      thresholdFrom: 'baseline_ratio',
      baseline: true,
      current: 3,
      outcome: 'PENDING',
    });
  });

  // Metric `m` > 0 is MET with 1, NOT_MET with 0, PENDING with null.
  const valueFor: Record<Outcome, number | null> = { MET: 1, NOT_MET: 0, PENDING: null };
  const outcomes: Outcome[] = ['MET', 'NOT_MET', 'PENDING'];
  const expectedAll: Record<string, Outcome> = {
    'MET,MET': 'MET',
    'MET,NOT_MET': 'NOT_MET',
    'MET,PENDING': 'PENDING',
    'NOT_MET,MET': 'NOT_MET',
    'NOT_MET,NOT_MET': 'NOT_MET',
    'NOT_MET,PENDING': 'NOT_MET',
    'PENDING,MET': 'PENDING',
    'PENDING,NOT_MET': 'NOT_MET',
    'PENDING,PENDING': 'PENDING',
  };
  const expectedAny: Record<string, Outcome> = {
    'MET,MET': 'MET',
    'MET,NOT_MET': 'MET',
    'MET,PENDING': 'MET',
    'NOT_MET,MET': 'MET',
    'NOT_MET,NOT_MET': 'NOT_MET',
    'NOT_MET,PENDING': 'PENDING',
    'PENDING,MET': 'MET',
    'PENDING,NOT_MET': 'PENDING',
    'PENDING,PENDING': 'PENDING',
  };
  const table = outcomes.flatMap((first) =>
    outcomes.map((second) => ({ first, second, all: expectedAll[`${first},${second}`]!, any: expectedAny[`${first},${second}`]! })),
  );

  it.each(table)('$first and $second: all → $all, any → $any', ({ first, second, all, any }) => {
    const values: Record<string, number | null> = { x: valueFor[first], y: valueFor[second] };
    const current = (k: string) => values[k] ?? null;
    const list = [conditionOf('x', '>', 0), conditionOf('y', '>', 0)];
    const allResult = evaluateCriteria({ all: list }, current, {});
    const anyResult = evaluateCriteria({ any: list }, current, {});
    expect(allResult.conditions.map((c) => c.outcome)).toEqual([first, second]);
    expect(allResult.combinator).toBe('all');
    expect(allResult.outcome).toBe(all);
    expect(anyResult.combinator).toBe('any');
    expect(anyResult.outcome).toBe(any);
  });
});

describe('decideVerdict', () => {
  it.each([
    ['MET', 'MET', 'FAILURE'],
    ['MET', 'NOT_MET', 'SUCCESS'],
    ['MET', 'PENDING', 'INCONCLUSIVE'],
    ['NOT_MET', 'MET', 'FAILURE'],
    ['NOT_MET', 'NOT_MET', 'INCONCLUSIVE'],
    ['NOT_MET', 'PENDING', 'INCONCLUSIVE'],
    ['PENDING', 'MET', 'FAILURE'],
    ['PENDING', 'NOT_MET', 'INCONCLUSIVE'],
    ['PENDING', 'PENDING', 'INCONCLUSIVE'],
  ] as const)('success %s, failure %s → %s', (success, failure, verdict) => {
    expect(decideVerdict(success, failure)).toBe(verdict);
  });
});

describe('describeCondition', () => {
  const base: ConditionResult = {
    metric: 'brier_score',
    op: '<=',
    threshold: 0.245,
    thresholdFrom: 'baseline_delta',
    baseline: 0.25,
    current: 0.24,
    outcome: 'MET',
  };

  it('names metric, op, threshold and current value', () => {
    expect(describeCondition(base)).toBe('brier_score <= 0.245 (current 0.24)');
  });

  it('shows an unknown threshold as ? and a pending value as pending', () => {
    expect(describeCondition({ ...base, threshold: null, current: null, outcome: 'PENDING' })).toBe('brier_score <= ? (current pending)');
  });

  it('prints booleans', () => {
    expect(describeCondition({ ...base, op: '==', threshold: true, current: false, outcome: 'NOT_MET' })).toBe(
      'brier_score == true (current false)',
    );
  });
});
