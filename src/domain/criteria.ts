import type { Condition, Criteria, Op, Scalar } from './definition.js';

/** Three-valued outcome: a condition on a pending metric is neither met nor not met. */
export type Outcome = 'MET' | 'NOT_MET' | 'PENDING';

/** The verdicts a window can close with. */
export type FinalVerdict = 'SUCCESS' | 'FAILURE' | 'INCONCLUSIVE';

/** How one CONDITION came out, with every number it used (for the evidence). */
export interface ConditionResult {
  metric: string;
  op: Op;
  /** The value compared with: `value`, or baseline + delta, or baseline × ratio. */
  threshold: Scalar | null;
  thresholdFrom: 'value' | 'baseline_delta' | 'baseline_ratio';
  baseline: Scalar | null;
  current: Scalar | null;
  outcome: Outcome;
}

/** How a CRITERIA came out: `all` / `any` over its conditions. */
export interface CriteriaResult {
  combinator: 'all' | 'any';
  outcome: Outcome;
  conditions: ConditionResult[];
}

/**
 * `current op threshold`. Numbers compare numerically, booleans only by
 * `==` / `!=`; operands of different types never satisfy a condition (the gate
 * refuses such definitions before they get here).
 */
export function compare(current: Scalar, op: Op, threshold: Scalar): boolean {
  if (typeof current !== typeof threshold) return false;
  switch (op) {
    case '==':
      return current === threshold;
    case '!=':
      return current !== threshold;
    case '<':
      return current < threshold;
    case '<=':
      return current <= threshold;
    case '>':
      return current > threshold;
    case '>=':
      return current >= threshold;
  }
}

/**
 * A baseline-relative threshold, rounded to 12 significant digits so that
 * binary floating point does not decide a comparison (0.2 × 1.1 is 0.22, not
 * 0.22000000000000003).
 */
export function relativeThreshold(baseline: number, condition: { baseline_delta: number } | { baseline_ratio: number }): number {
  const raw = 'baseline_delta' in condition ? baseline + condition.baseline_delta : baseline * condition.baseline_ratio;
  return Number(raw.toPrecision(12));
}

function evaluateCondition(condition: Condition, current: Scalar | null, baseline: Record<string, Scalar>): ConditionResult {
  const base = baseline[condition.metric] ?? null;
  let threshold: Scalar | null;
  let thresholdFrom: ConditionResult['thresholdFrom'];
  if ('value' in condition) {
    threshold = condition.value;
    thresholdFrom = 'value';
  } else {
    thresholdFrom = 'baseline_delta' in condition ? 'baseline_delta' : 'baseline_ratio';
    threshold = typeof base === 'number' ? relativeThreshold(base, condition) : null;
  }
  const outcome: Outcome =
    current === null || threshold === null ? 'PENDING' : compare(current, condition.op, threshold) ? 'MET' : 'NOT_MET';
  return { metric: condition.metric, op: condition.op, threshold, thresholdFrom, baseline: base, current, outcome };
}

/**
 * Evaluates a CRITERIA in three-valued logic: `all` is NOT_MET if
 * any condition is NOT_MET, else PENDING if any is PENDING, else MET; `any` is
 * MET if any is MET, else PENDING if any is PENDING, else NOT_MET.
 *
 * @param current the resolved value of a signal key, or null while pending.
 */
export function evaluateCriteria(
  criteria: Criteria,
  current: (key: string) => Scalar | null,
  baseline: Record<string, Scalar>,
): CriteriaResult {
  const combinator = 'all' in criteria ? 'all' : 'any';
  const list = 'all' in criteria ? criteria.all : criteria.any;
  const conditions = list.map((c) => evaluateCondition(c, current(c.metric), baseline));
  const has = (o: Outcome) => conditions.some((c) => c.outcome === o);
  const outcome: Outcome =
    combinator === 'all'
      ? has('NOT_MET')
        ? 'NOT_MET'
        : has('PENDING')
          ? 'PENDING'
          : 'MET'
      : has('MET')
        ? 'MET'
        : has('PENDING')
          ? 'PENDING'
          : 'NOT_MET';
  return { combinator, outcome, conditions };
}

/**
 * The end-of-window verdict: FAILURE when the failure criteria are
 * met; SUCCESS when the success criteria are met and the failure criteria are
 * not; INCONCLUSIVE otherwise, including while metrics are pending.
 */
export function decideVerdict(success: Outcome, failure: Outcome): FinalVerdict {
  if (failure === 'MET') return 'FAILURE';
  if (success === 'MET' && failure === 'NOT_MET') return 'SUCCESS';
  return 'INCONCLUSIVE';
}

/** A condition as text, e.g. `brier_score <= 0.245 (baseline 0.25 - 0.005)`. */
export function describeCondition(result: ConditionResult): string {
  const threshold = result.threshold === null ? '?' : String(result.threshold);
  const current = result.current === null ? 'pending' : String(result.current);
  return `${result.metric} ${result.op} ${threshold} (current ${current})`;
}
