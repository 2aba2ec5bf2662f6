import { evaluateCriteria, type CriteriaResult, type Outcome } from './criteria.js';
import { parseDefinition, type Definition, type RawDefinition, type Scalar } from './definition.js';
import { decideAtClose } from './verdict.js';

/** One disagreement between what a bundle recorded and what its own definition and metric values give. */
export interface RecomputeMismatch {
  /** Where in the bundle, e.g. `conditions.failure_criteria.outcome`, `conditions.success_criteria.conditions[0].outcome`, `verdict`. */
  field: string;
  recorded: unknown;
  recomputed: unknown;
}

/** What recomputing a bundle found: `skipped` when it records no conditions (before the window, a failed source). */
export type RecomputeResult = { kind: 'skipped'; reason: string } | { kind: 'checked'; mismatches: RecomputeMismatch[] };

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** The recorded metric values of a bundle by key (`metrics[].value`); a missing or non-scalar value is pending (null). */
export function recordedMetricValues(content: Record<string, unknown>): Map<string, Scalar | null> {
  const values = new Map<string, Scalar | null>();
  const metrics = Array.isArray(content.metrics) ? (content.metrics as unknown[]) : [];
  for (const m of metrics) {
    const metric = asRecord(m);
    if (!metric || typeof metric.key !== 'string') continue;
    const v = metric.value;
    values.set(metric.key, typeof v === 'number' || typeof v === 'boolean' ? v : null);
  }
  return values;
}

function compareCriteria(name: string, recorded: unknown, recomputed: CriteriaResult, mismatches: RecomputeMismatch[]): void {
  const rec = asRecord(recorded);
  const outcome = rec?.outcome;
  if (outcome !== recomputed.outcome)
    mismatches.push({ field: `conditions.${name}.outcome`, recorded: outcome ?? null, recomputed: recomputed.outcome });
  const conditions = Array.isArray(rec?.conditions) ? (rec.conditions as unknown[]) : [];
  if (conditions.length !== recomputed.conditions.length)
    mismatches.push({ field: `conditions.${name}.conditions`, recorded: conditions.length, recomputed: recomputed.conditions.length });
  recomputed.conditions.forEach((c, i) => {
    const recordedOutcome = asRecord(conditions[i])?.outcome as Outcome | undefined;
    if (recordedOutcome !== c.outcome)
      mismatches.push({ field: `conditions.${name}.conditions[${i}].outcome`, recorded: recordedOutcome ?? null, recomputed: c.outcome });
  });
}

/** Both criteria of a definition on the given metric values: what a run records as `conditions` and the close decides on. */
export function evaluateConditions(
  definition: Definition,
  valueOf: (key: string) => Scalar | null,
): { success_criteria: CriteriaResult; failure_criteria: CriteriaResult } {
  return {
    success_criteria: evaluateCriteria(definition.success, valueOf, definition.baseline),
    failure_criteria: evaluateCriteria(definition.failure, valueOf, definition.baseline),
  };
}

/**
 * Recomputes a recorded bundle's conditions (and, at a close that decided, its
 * verdict) with the evaluator's own rules ({@link evaluateCriteria},
 * {@link decideAtClose}) on the bundle's own recorded definition and metric
 * values, and lists every disagreement with what it recorded. Pure.
 *
 * - No recorded `conditions` (before the window, a failed source): skipped.
 * - Otherwise the success and failure criteria outcomes and each condition's outcome are compared.
 * - The verdict: at a close (`phase` `closing`), the decision and verdict of
 *   `decideAtClose(…, close.days_after_close, close.grace_days)` (PENDING
 *   while it waits for late data); before the close, PENDING. Compared with
 *   the recorded `close.decision` and `verdict`.
 */
export function recomputeBundle(content: Record<string, unknown>): RecomputeResult {
  if (content.conditions === null || content.conditions === undefined)
    return { kind: 'skipped', reason: 'no conditions recorded (before the window or a failed source)' };
  const mismatches: RecomputeMismatch[] = [];
  const raw = asRecord(content.definition);
  if (!raw) return { kind: 'checked', mismatches: [{ field: 'definition', recorded: null, recomputed: 'a definition' }] };
  const parsed = parseDefinition(raw as unknown as RawDefinition);
  if ('problems' in parsed)
    return {
      kind: 'checked',
      mismatches: [
        {
          field: 'definition',
          recorded: parsed.problems.map((p) => `${p.field} ${p.problem}`).join('; '),
          recomputed: 'a definition that passes the gate',
        },
      ],
    };
  const { definition } = parsed;
  const values = recordedMetricValues(content);
  const valueOf = (key: string) => values.get(key) ?? null;
  const { success_criteria: success, failure_criteria: failure } = evaluateConditions(definition, valueOf);
  const conditions = asRecord(content.conditions);
  compareCriteria('success_criteria', conditions?.success_criteria, success, mismatches);
  compareCriteria('failure_criteria', conditions?.failure_criteria, failure, mismatches);
  const close = asRecord(content.close);
  let verdict = 'PENDING';
  if (content.phase === 'closing' && close) {
    const daysAfterClose = typeof close.days_after_close === 'number' ? close.days_after_close : 0;
    const graceDays = typeof close.grace_days === 'number' ? close.grace_days : 0;
    const decision = decideAtClose(success, failure, daysAfterClose, graceDays);
    if (decision.kind !== close.decision)
      mismatches.push({ field: 'close.decision', recorded: close.decision ?? null, recomputed: decision.kind });
    if (decision.kind === 'verdict') verdict = decision.verdict;
  }
  if (verdict !== content.verdict) mismatches.push({ field: 'verdict', recorded: content.verdict ?? null, recomputed: verdict });
  return { kind: 'checked', mismatches };
}

/** A mismatch as text: `conditions.failure_criteria.outcome recorded NOT_MET, recomputed MET`. */
export function describeMismatch(m: RecomputeMismatch): string {
  return `${m.field} recorded ${JSON.stringify(m.recorded)}, recomputed ${JSON.stringify(m.recomputed)}`;
}
