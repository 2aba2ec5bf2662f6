import { z } from 'zod';
import { compare, evaluateCriteria, type ConditionResult } from '../domain/criteria.js';
import type { Condition, Criteria, Op, Scalar } from '../domain/definition.js';
import type { ReportHistoryRow, ReportTestRow } from '../db/report.js';
import { knownOp, scalarOf } from './values.js';

/** A metric's values of one test: signal key → value (null while pending). */
export type MetricValues = Record<string, Scalar | null>;

const conditionShape = z
  .object({
    metric: z.string(),
    op: z.string(),
    value: z.unknown().optional(),
    baseline_delta: z.number().finite().optional(),
    baseline_ratio: z.number().finite().optional(),
  })
  .passthrough();

/** One stored condition as a domain condition, or null when it is not well-formed. */
function conditionOf(raw: unknown): Condition | null {
  const parsed = conditionShape.safeParse(raw);
  if (!parsed.success) return null;
  const c = parsed.data;
  const op = knownOp(c.op);
  if (op === null) return null;
  const value = scalarOf(c.value);
  const kinds = [c.value !== undefined, c.baseline_delta !== undefined, c.baseline_ratio !== undefined].filter(Boolean).length;
  if (kinds !== 1) return null;
  if (c.value !== undefined) return value === null ? null : { metric: c.metric, op, value };
  if (c.baseline_delta !== undefined) return { metric: c.metric, op, baseline_delta: c.baseline_delta };
  return { metric: c.metric, op, baseline_ratio: c.baseline_ratio! };
}

/**
 * A stored CRITERIA read leniently for the report: `{ all | any: [conditions] }`
 * with every condition well-formed, else null (a definition the gate refused
 * gets no chart, never an error).
 */
export function criteriaOf(raw: unknown): Criteria | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const keys = Object.keys(raw);
  if (keys.length !== 1 || (keys[0] !== 'all' && keys[0] !== 'any')) return null;
  const list: unknown = (raw as Record<string, unknown>)[keys[0]];
  if (!Array.isArray(list) || list.length === 0) return null;
  const conditions = list.map(conditionOf);
  if (conditions.some((c) => c === null)) return null;
  return keys[0] === 'all' ? { all: conditions as Condition[] } : { any: conditions as Condition[] };
}

/** A stored `baseline_definition` read leniently: its scalar entries. */
export function baselineOf(raw: unknown): Record<string, Scalar> {
  const baseline: Record<string, Scalar> = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return baseline;
  for (const [key, value] of Object.entries(raw)) {
    const scalar = scalarOf(value);
    if (scalar !== null) Object.defineProperty(baseline, key, { value: scalar, enumerable: true });
  }
  return baseline;
}

/** A history row's metric values (anything but a finite number or a boolean counts as not known). */
export function valuesOf(raw: Record<string, unknown>): MetricValues {
  const values: MetricValues = {};
  for (const [key, value] of Object.entries(raw)) Object.defineProperty(values, key, { value: scalarOf(value), enumerable: true });
  return values;
}

/** The metric a window turned on, and the threshold it was compared with. */
export interface DecidingMetric {
  metric: string;
  op: Op;
  threshold: Scalar;
  /** Which criteria the condition belongs to. */
  criteria: 'failure' | 'success';
}

/**
 * The metric that decides the day: the first failure-criteria condition met
 * by `today`, else the first success-criteria condition (whose threshold can
 * be computed); null when neither criteria can be read.
 */
export function decidingMetric(test: ReportTestRow, today: MetricValues): DecidingMetric | null {
  const baseline = baselineOf(test.baseline_definition);
  const valueOf = (key: string) => (Object.hasOwn(today, key) ? (today[key] ?? null) : null);
  const pick = (c: ConditionResult | undefined, criteria: DecidingMetric['criteria']): DecidingMetric | null =>
    c && c.threshold !== null ? { metric: c.metric, op: c.op, threshold: c.threshold, criteria } : null;
  const failure = criteriaOf(test.failure_criteria);
  if (failure) {
    const met = evaluateCriteria(failure, valueOf, baseline).conditions.find((c) => c.outcome === 'MET');
    const found = pick(met, 'failure');
    if (found) return found;
  }
  const success = criteriaOf(test.success_criteria);
  return success ? pick(evaluateCriteria(success, valueOf, baseline).conditions[0], 'success') : null;
}

/** One point of a metric over the window. */
export interface Point {
  date: string;
  value: Scalar;
}

/** A metric's known values over a test's history rows, in date order. */
export function series(history: readonly ReportHistoryRow[], metric: string): Point[] {
  const points: Point[] = [];
  for (const row of history) {
    const value = Object.hasOwn(row.metric_values, metric) ? scalarOf(row.metric_values[metric]) : null;
    if (value !== null) points.push({ date: row.run_date, value });
  }
  return points;
}

/** The worst value of one metric over the window, and how often it missed its target. */
export interface WorstValue {
  metric: string;
  worst: Point | null;
  /** Days whose value missed the target; null when the metric has no target. */
  daysMissed: number | null;
}

/** What the close looks back on: the first breach, the days escalated, each metric's worst value. */
export interface WindowSummary {
  /** The first evaluation whose values met the failure criteria; null when none did (or the criteria cannot be read). */
  firstBreach: { date: string; dayNumber: number | null } | null;
  daysEscalated: number;
  evaluations: number;
  worst: WorstValue[];
}

type Direction = { kind: 'high' } | { kind: 'low' } | { kind: 'miss'; misses: (v: Scalar) => boolean };

/** Which way is worse for a metric: from its target, else a failure condition on it, else a success condition. */
function directionOf(
  metric: string,
  target: { op: Op; value: Scalar } | null,
  failure: Criteria | null,
  success: Criteria | null,
  baseline: Record<string, Scalar>,
): Direction | null {
  const fromGood = (op: Op, value: Scalar): Direction =>
    op === '<' || op === '<='
      ? { kind: 'high' }
      : op === '>' || op === '>='
        ? { kind: 'low' }
        : { kind: 'miss', misses: (v) => !compare(v, op, value) };
  if (target) return fromGood(target.op, target.value);
  const thresholdOf = (criteria: Criteria) => {
    const result = evaluateCriteria(criteria, () => null, baseline).conditions.find((c) => c.metric === metric);
    return result && result.threshold !== null ? { op: result.op, threshold: result.threshold } : null;
  };
  const bad = failure ? thresholdOf(failure) : null;
  if (bad) {
    const { op, threshold } = bad;
    return op === '>' || op === '>='
      ? { kind: 'high' }
      : op === '<' || op === '<='
        ? { kind: 'low' }
        : { kind: 'miss', misses: (v) => compare(v, op, threshold) };
  }
  const good = success ? thresholdOf(success) : null;
  return good ? fromGood(good.op, good.threshold) : null;
}

/**
 * The window summary shown at the close: the first evaluation whose values
 * met the failure criteria, the days the test was escalated, and per metric of
 * the closing row its worst value over the window (highest or lowest by its
 * target, else by its failure or success condition; for `==` / `!=` the first
 * value that missed) and the days it missed its target.
 */
export function windowSummary(
  test: ReportTestRow,
  history: readonly ReportHistoryRow[],
  targets: Record<string, { op: Op; value: Scalar } | null>,
): WindowSummary {
  const baseline = baselineOf(test.baseline_definition);
  const failure = criteriaOf(test.failure_criteria);
  const success = criteriaOf(test.success_criteria);
  const breach = failure
    ? history.find((row) => {
        const values = valuesOf(row.metric_values);
        return evaluateCriteria(failure, (key) => (Object.hasOwn(values, key) ? (values[key] ?? null) : null), baseline).outcome === 'MET';
      })
    : undefined;
  const worst = Object.keys(targets).map((metric): WorstValue => {
    const points = series(history, metric);
    const target = targets[metric] ?? null;
    const direction = directionOf(metric, target, failure, success, baseline);
    let pick: Point | null = null;
    if (direction?.kind === 'miss') pick = points.find((p) => direction.misses(p.value)) ?? points.at(-1) ?? null;
    else if (direction) {
      for (const p of points) {
        if (typeof p.value !== 'number') continue;
        const current = pick?.value;
        if (typeof current !== 'number' || (direction.kind === 'high' ? p.value > current : p.value < current)) pick = p;
      }
    }
    return {
      metric,
      worst: pick,
      daysMissed: target
        ? points.filter((p) => typeof p.value === typeof target.value && !compare(p.value, target.op, target.value)).length
        : null,
    };
  });
  return {
    firstBreach: breach ? { date: breach.run_date, dayNumber: breach.day_number } : null,
    daysEscalated: history.filter((row) => row.escalation_state === 'ESCALATED').length,
    evaluations: history.length,
    worst,
  };
}
