import { describe, expect, it } from 'vitest';
import type { ConditionResult, CriteriaResult, Outcome } from '../../src/domain/criteria.js';
import { decideAtClose, pendingCriteriaMetrics, verdictUndecided } from '../../src/domain/verdict.js';

const condition = (metric: string, outcome: Outcome): ConditionResult => ({
  metric,
  op: '<=',
  threshold: outcome === 'PENDING' ? null : 1,
  thresholdFrom: 'value',
  baseline: null,
  current: outcome === 'PENDING' ? null : 0.5,
  outcome,
});
const criteria = (outcome: Outcome, ...conditions: ConditionResult[]): CriteriaResult => ({ combinator: 'all', outcome, conditions });

const MET = criteria('MET', condition('a', 'MET'));
const NOT_MET = criteria('NOT_MET', condition('a', 'NOT_MET'));
const PENDING = criteria('PENDING', condition('late', 'PENDING'));

describe('pendingCriteriaMetrics', () => {
  it('lists the PENDING metrics of both criteria once each, sorted', () => {
    const success = criteria('PENDING', condition('zeta', 'PENDING'), condition('alpha', 'MET'), condition('beta', 'PENDING'));
    const failure = criteria('PENDING', condition('beta', 'PENDING'), condition('gamma', 'NOT_MET'), condition('alpha2', 'PENDING'));
    expect(pendingCriteriaMetrics(success, failure)).toEqual(['alpha2', 'beta', 'zeta']);
    expect(pendingCriteriaMetrics(MET, NOT_MET)).toEqual([]);
  });
});

describe('verdictUndecided', () => {
  it('is undecided while the failure criteria are pending, or do not hold and success is pending', () => {
    expect(verdictUndecided(MET, PENDING)).toBe(true);
    expect(verdictUndecided(NOT_MET, PENDING)).toBe(true);
    expect(verdictUndecided(PENDING, NOT_MET)).toBe(true);
    expect(verdictUndecided(PENDING, MET)).toBe(false);
    expect(verdictUndecided(MET, NOT_MET)).toBe(false);
    expect(verdictUndecided(NOT_MET, NOT_MET)).toBe(false);
    expect(verdictUndecided(MET, MET)).toBe(false);
  });
});

describe('decideAtClose', () => {
  it('decides at once when pending metrics cannot change the verdict, naming them', () => {
    expect(decideAtClose(PENDING, MET, 1, 2)).toEqual({ kind: 'verdict', verdict: 'FAILURE', missing: ['late'] });
    expect(decideAtClose(MET, NOT_MET, 1, 2)).toEqual({ kind: 'verdict', verdict: 'SUCCESS', missing: [] });
    expect(decideAtClose(NOT_MET, NOT_MET, 1, 2)).toEqual({ kind: 'verdict', verdict: 'INCONCLUSIVE', missing: [] });
  });

  it('waits through the last day of the grace, then is INCONCLUSIVE naming what was missing', () => {
    expect(decideAtClose(PENDING, NOT_MET, 1, 2)).toEqual({ kind: 'waiting', missing: ['late'], graceDaysLeft: 1 });
    expect(decideAtClose(PENDING, NOT_MET, 2, 2)).toEqual({ kind: 'waiting', missing: ['late'], graceDaysLeft: 0 });
    expect(decideAtClose(PENDING, NOT_MET, 3, 2)).toEqual({ kind: 'verdict', verdict: 'INCONCLUSIVE', missing: ['late'] });
  });

  it('never waits with a grace of 0 days after the close date', () => {
    expect(decideAtClose(MET, PENDING, 1, 0)).toEqual({ kind: 'verdict', verdict: 'INCONCLUSIVE', missing: ['late'] });
  });
});
