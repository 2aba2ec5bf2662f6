import { decideVerdict, type CriteriaResult, type FinalVerdict } from './criteria.js';

/** What the close decides: a verdict, or to wait for late data. */
export type CloseDecision =
  { kind: 'verdict'; verdict: FinalVerdict; missing: string[] } | { kind: 'waiting'; missing: string[]; graceDaysLeft: number };

/** The metrics whose conditions are still PENDING in either criteria, sorted and without repeats. */
export function pendingCriteriaMetrics(success: CriteriaResult, failure: CriteriaResult): string[] {
  const keys = [...success.conditions, ...failure.conditions].filter((c) => c.outcome === 'PENDING').map((c) => c.metric);
  return [...new Set(keys)].sort();
}

/**
 * Whether pending metrics could still change the verdict: the failure
 * criteria are undecided, or they do not hold and the success criteria are undecided.
 */
export function verdictUndecided(success: CriteriaResult, failure: CriteriaResult): boolean {
  return failure.outcome === 'PENDING' || (failure.outcome === 'NOT_MET' && success.outcome === 'PENDING');
}

/**
 * The decision at the close (docs/verdicts.md "Late data"): with the criteria
 * evaluated as of `end_ts`, the verdict when it is decided; while a pending
 * metric could still change it, wait until `graceDays` calendar days after the
 * close; after that, INCONCLUSIVE naming what was missing.
 *
 * @param daysAfterClose calendar days from the close date to the as-of date (1 = the morning after).
 * @param graceDays the resolution grace in days (0 = never wait).
 */
export function decideAtClose(success: CriteriaResult, failure: CriteriaResult, daysAfterClose: number, graceDays: number): CloseDecision {
  const missing = pendingCriteriaMetrics(success, failure);
  if (!verdictUndecided(success, failure)) return { kind: 'verdict', verdict: decideVerdict(success.outcome, failure.outcome), missing };
  if (daysAfterClose <= graceDays) return { kind: 'waiting', missing, graceDaysLeft: graceDays - daysAfterClose };
  return { kind: 'verdict', verdict: 'INCONCLUSIVE', missing };
}
