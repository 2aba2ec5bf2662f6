import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideVerdict, evaluateCriteria, type ConditionResult, type CriteriaResult, type Outcome } from '../../src/domain/criteria.js';
import { OPS, type Condition, type Criteria, type Op, type Scalar } from '../../src/domain/definition.js';
import { finiteNumber, SEED } from './arbitraries.js';

const RUNS = { seed: SEED, numRuns: 500 } as const;

/*
 * A straightforward reference of the success and failure criteria and the evaluator's documented
 * three-valued logic, written independently of src/domain/criteria.ts:
 * - threshold: `value`, or baseline + d, or baseline × r, rounded to 12
 *   significant digits (criteria.ts `relativeThreshold`); no numeric baseline → no threshold;
 * - a pending metric (null) or a missing threshold → PENDING;
 * - operands of different types never satisfy a condition (NOT_MET);
 * - all: NOT_MET if any NOT_MET, else PENDING if any PENDING, else MET;
 *   any: MET if any MET, else PENDING if any PENDING, else NOT_MET.
 */
function referenceCompare(current: Scalar, op: Op, threshold: Scalar): boolean {
  if (typeof current === 'boolean' || typeof threshold === 'boolean') {
    if (typeof current !== typeof threshold) return false;
    if (op === '==') return current === threshold;
    if (op === '!=') return current !== threshold;
    return false;
  }
  return {
    '<': current < threshold,
    '<=': current <= threshold,
    '>': current > threshold,
    '>=': current >= threshold,
    '==': current === threshold,
    '!=': current !== threshold,
  }[op];
}

function referenceCondition(c: Condition, current: Scalar | null, baseline: Record<string, Scalar>): ConditionResult {
  const base = Object.hasOwn(baseline, c.metric) ? baseline[c.metric]! : null;
  let threshold: Scalar | null = null;
  let thresholdFrom: ConditionResult['thresholdFrom'] = 'value';
  if ('value' in c) threshold = c.value;
  else if ('baseline_delta' in c) {
    thresholdFrom = 'baseline_delta';
    if (typeof base === 'number') threshold = Number((base + c.baseline_delta).toPrecision(12));
  } else {
    thresholdFrom = 'baseline_ratio';
    if (typeof base === 'number') threshold = Number((base * c.baseline_ratio).toPrecision(12));
  }
  let outcome: Outcome;
  if (current === null || threshold === null) outcome = 'PENDING';
  else outcome = referenceCompare(current, c.op, threshold) ? 'MET' : 'NOT_MET';
  return { metric: c.metric, op: c.op, threshold, thresholdFrom, baseline: base, current, outcome };
}

function referenceCriteria(criteria: Criteria, current: Record<string, Scalar | null>, baseline: Record<string, Scalar>): CriteriaResult {
  const combinator = 'all' in criteria ? 'all' : 'any';
  const conditions = ('all' in criteria ? criteria.all : criteria.any).map((c) =>
    referenceCondition(c, current[c.metric] ?? null, baseline),
  );
  const outcomes = conditions.map((c) => c.outcome);
  let outcome: Outcome;
  if (combinator === 'all') outcome = outcomes.includes('NOT_MET') ? 'NOT_MET' : outcomes.includes('PENDING') ? 'PENDING' : 'MET';
  else outcome = outcomes.includes('MET') ? 'MET' : outcomes.includes('PENDING') ? 'PENDING' : 'NOT_MET';
  return { combinator, outcome, conditions };
}

const NUMERIC = ['n1', 'n2', 'n3'] as const;
const BOOLEAN = ['b1', 'b2'] as const;

/** One scenario: resolved values (null = pending), a baseline (keys may be missing), and valid criteria over them. */
interface Scenario {
  current: Record<string, Scalar | null>;
  baseline: Record<string, Scalar>;
  criteria: Criteria;
}

const maybePending = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });

const scenario = (pendingAllowed: boolean): fc.Arbitrary<Scenario> =>
  fc.record({
    current: fc.record({
      n1: pendingAllowed ? maybePending(finiteNumber) : finiteNumber,
      n2: pendingAllowed ? maybePending(finiteNumber) : finiteNumber,
      // n3 is sometimes a boolean: operands of different types never satisfy a condition.
      n3: pendingAllowed
        ? maybePending(fc.oneof({ weight: 4, arbitrary: finiteNumber }, { weight: 1, arbitrary: fc.boolean() }))
        : finiteNumber,
      b1: pendingAllowed ? maybePending(fc.boolean()) : fc.boolean(),
      b2: pendingAllowed ? maybePending(fc.boolean()) : fc.boolean(),
    }),
    // Baseline keys may be absent: the gate refuses that, but the evaluator documents it as PENDING.
    baseline: fc.record(
      { n1: finiteNumber, n2: finiteNumber, n3: finiteNumber, b1: fc.boolean() },
      { requiredKeys: pendingAllowed ? [] : ['n1', 'n2', 'n3'] },
    ),
    criteria: (() => {
      const numericMetric = fc.constantFrom(...NUMERIC);
      const condition: fc.Arbitrary<Condition> = fc.oneof(
        fc.record({ metric: numericMetric, op: fc.constantFrom(...OPS), value: finiteNumber }),
        fc.record({ metric: numericMetric, op: fc.constantFrom(...OPS), baseline_delta: finiteNumber }),
        fc.record({ metric: numericMetric, op: fc.constantFrom(...OPS), baseline_ratio: finiteNumber }),
        fc.record({ metric: fc.constantFrom(...BOOLEAN), op: fc.constantFrom<Op>('==', '!='), value: fc.boolean() }),
      );
      const list = fc.array(condition, { minLength: 1, maxLength: 8 });
      return fc.oneof(
        list.map((all): Criteria => ({ all })),
        list.map((any): Criteria => ({ any })),
      );
    })(),
  });

const evaluate = (s: Scenario) => evaluateCriteria(s.criteria, (key) => s.current[key] ?? null, s.baseline);

describe('evaluateCriteria (property)', () => {
  it('agrees with the reference on every condition and on the combined outcome', () => {
    fc.assert(
      fc.property(scenario(true), (s) => {
        expect(evaluate(s)).toEqual(referenceCriteria(s.criteria, s.current, s.baseline));
      }),
      RUNS,
    );
  });

  it('is never PENDING when every metric and every baseline is there', () => {
    fc.assert(
      fc.property(scenario(false), (s) => {
        const result = evaluate(s);
        expect(result.outcome).not.toBe('PENDING');
        expect(result).toEqual(referenceCriteria(s.criteria, s.current, s.baseline));
      }),
      RUNS,
    );
  });

  it('turns every condition PENDING, and so the criteria, when every metric is pending', () => {
    fc.assert(
      fc.property(scenario(true), (s) => {
        const result = evaluateCriteria(s.criteria, () => null, s.baseline);
        expect(result.outcome).toBe('PENDING');
        expect(result.conditions.every((c) => c.outcome === 'PENDING' && c.current === null)).toBe(true);
      }),
      RUNS,
    );
  });

  it('exercises every outcome of both combinators (the generators are not degenerate)', () => {
    const seen = new Set(
      fc.sample(scenario(true), { seed: SEED, numRuns: RUNS.numRuns }).map((s) => `${evaluate(s).combinator}:${evaluate(s).outcome}`),
    );
    expect([...seen].sort()).toEqual(['all:MET', 'all:NOT_MET', 'all:PENDING', 'any:MET', 'any:NOT_MET', 'any:PENDING']);
  });
});

describe('decideVerdict (property)', () => {
  it('is FAILURE when failure is met, SUCCESS when only success is met, else INCONCLUSIVE', () => {
    const outcome = fc.constantFrom<Outcome>('MET', 'NOT_MET', 'PENDING');
    fc.assert(
      fc.property(outcome, outcome, (success, failure) => {
        const expected = failure === 'MET' ? 'FAILURE' : success === 'MET' && failure === 'NOT_MET' ? 'SUCCESS' : 'INCONCLUSIVE';
        expect(decideVerdict(success, failure)).toBe(expected);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
