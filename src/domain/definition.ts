import type { z } from 'zod4';
import {
  MAX_JSON_DEPTH,
  baselineSchema,
  criteriaSchema,
  definitionMessages,
  escalationPathSchema,
  targetsSchema,
  type Op,
} from './definitionSchema.js';

export { MAX_CONDITIONS, MAX_JSON_DEPTH, MAX_RECIPIENTS, OPS, type Op } from './definitionSchema.js';

/** A metric value or threshold: a finite number or a boolean. */
export type Scalar = number | boolean;

/** One CONDITION: exactly one of `value`, `baseline_delta`, `baseline_ratio`. */
export type Condition =
  | { metric: string; op: Op; value: Scalar }
  | { metric: string; op: Op; baseline_delta: number }
  | { metric: string; op: Op; baseline_ratio: number };

/** A CRITERIA: `all` or `any` over CONDITIONs (docs/registering-a-test.md). */
export type Criteria = { all: Condition[] } | { any: Condition[] };

/** The escalation path: who owns the test and whom to notify. */
export interface EscalationPath {
  owner?: string;
  notify: string[];
  [extra: string]: unknown;
}

/** A defect in a definition: the field as a JSON path and what is wrong with it. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** The definition columns of a test, as read from `canonical_test_events` (JSONB still raw). */
export interface RawDefinition {
  start_ts: string | null;
  end_ts: string | null;
  required_days: number | null;
  baseline_definition?: unknown;
  target_metrics?: unknown;
  success_criteria?: unknown;
  failure_criteria?: unknown;
  escalation_path?: unknown;
}

/** A definition that passed {@link parseDefinition}. Instants are ISO strings. */
export interface Definition {
  startTs: string;
  endTs: string;
  requiredDays: number | null;
  baseline: Record<string, Scalar>;
  targets: Record<string, { op: Op; value: Scalar }>;
  success: Criteria;
  failure: Criteria;
  escalationPath: EscalationPath;
}

function jsonPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`), root);
}

/**
 * The first problem of a JSON value's structure, found without recursion (safe
 * on any depth): nesting deeper than `limit`, or a `__proto__` key, which zod
 * drops without a word (a baseline keyed `__proto__` would lose that metric).
 */
function structureProblem(value: unknown, limit: number): { path: PropertyKey[]; problem: string } | null {
  const stack: [object, number, PropertyKey[]][] = value !== null && typeof value === 'object' ? [[value, 0, []]] : [];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!;
    if (depth >= limit) return { path: [], problem: `is nested more than ${limit} levels deep` };
    if (Object.hasOwn(node, '__proto__')) return { path: [...path, '__proto__'], problem: 'must not be "__proto__"' };
    for (const [key, child] of Object.entries(node) as [string, unknown][]) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1, [...path, Array.isArray(node) ? Number(key) : key]]);
    }
  }
  return null;
}

function parseField<T>(field: string, raw: unknown, schema: z.ZodType<T>, problems: FieldProblem[], missing?: string): T | undefined {
  if (raw === null || raw === undefined) {
    if (missing) problems.push({ field, problem: missing });
    return undefined;
  }
  const structure = structureProblem(raw, MAX_JSON_DEPTH);
  if (structure) {
    problems.push({ field: jsonPath(field, structure.path), problem: structure.problem });
    return undefined;
  }
  const parsed = schema.safeParse(raw, { error: definitionMessages });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues.slice(0, 5)) {
    problems.push({ field: jsonPath(field, issue.path), problem: issue.message });
  }
  return undefined;
}

/** Every condition of a CRITERIA, in order. */
export function conditionsOf(criteria: Criteria): Condition[] {
  return 'all' in criteria ? criteria.all : criteria.any;
}

/**
 * Parses and checks a test's definition columns:
 * window present, parseable and ordered, `required_days` positive when given, baseline,
 * targets and both CRITERIA well-formed (at most {@link MAX_CONDITIONS}
 * conditions each, no JSON column nested deeper than {@link MAX_JSON_DEPTH}),
 * every baseline-relative condition backed by a numeric baseline, an
 * escalation path with 1 to {@link MAX_RECIPIENTS} recipients. The test code
 * is checked separately (`testCodeProblem`).
 *
 * @returns the parsed definition, or every problem found (never throws).
 */
export function parseDefinition(raw: RawDefinition): { definition: Definition } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = windowProblems(raw);
  const baseline = parseField('baseline_definition', raw.baseline_definition, baselineSchema, problems) ?? {};
  const targets = parseField('target_metrics', raw.target_metrics, targetsSchema, problems) ?? {};
  const success = parseField('success_criteria', raw.success_criteria, criteriaSchema, problems, 'is missing') as Criteria | undefined;
  const failure = parseField('failure_criteria', raw.failure_criteria, criteriaSchema, problems, 'is missing') as Criteria | undefined;
  const escalationPath = parseField(
    'escalation_path',
    raw.escalation_path,
    escalationPathSchema,
    problems,
    'is missing: no escalation path',
  );
  problems.push(...baselineProblems(baseline, { success_criteria: success, failure_criteria: failure }));
  if (problems.length > 0 || !success || !failure || !escalationPath) return { problems };
  return {
    definition: {
      startTs: raw.start_ts!,
      endTs: raw.end_ts!,
      requiredDays: raw.required_days,
      baseline,
      targets,
      success,
      failure,
      escalationPath,
    },
  };
}

/** What {@link parseDefinition} returns: the definition, or every problem found. */
export type DefinitionResult = ReturnType<typeof parseDefinition>;

/**
 * {@link parseDefinition}, remembering each result by the definition's
 * content: a backfill reads the same definitions on every date of its range,
 * and parsing them is most of its gate (README "Performance"). A changed
 * definition is new content, so it is parsed afresh; one nested too deep to
 * serialise as a key is parsed every time. Results are shared between calls,
 * so callers must not change them (nothing does).
 *
 * @returns a parse function for one range; its memory lasts as long as it does.
 */
export function memoisedParseDefinition(): (raw: RawDefinition) => DefinitionResult {
  const results = new Map<string, DefinitionResult>();
  return (raw) => {
    let key: string;
    try {
      const { start_ts, end_ts, required_days, baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path } =
        raw;
      key = JSON.stringify([
        start_ts,
        end_ts,
        required_days,
        baseline_definition,
        target_metrics,
        success_criteria,
        failure_criteria,
        escalation_path,
      ]);
    } catch {
      return parseDefinition(raw); // too deep for JSON.stringify's stack: parseDefinition refuses it without recursion
    }
    let result = results.get(key);
    if (result === undefined) {
      result = parseDefinition(raw);
      results.set(key, result);
    }
    return result;
  };
}

/** The window's problems: start and end present, valid and ordered; `required_days` positive when given. */
function windowProblems(raw: RawDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!raw.start_ts) problems.push({ field: 'start_ts', problem: 'is missing: the window has no start' });
  else if (Number.isNaN(Date.parse(raw.start_ts)))
    problems.push({ field: 'start_ts', problem: `is not a valid instant (${JSON.stringify(raw.start_ts)})` });
  if (!raw.end_ts) problems.push({ field: 'end_ts', problem: 'is missing: the window has no end' });
  else if (Number.isNaN(Date.parse(raw.end_ts)))
    problems.push({ field: 'end_ts', problem: `is not a valid instant (${JSON.stringify(raw.end_ts)})` });
  if (raw.start_ts && raw.end_ts && Date.parse(raw.start_ts) >= Date.parse(raw.end_ts)) {
    problems.push({ field: 'end_ts', problem: `is not after start_ts (${raw.start_ts} → ${raw.end_ts})` });
  }
  if (raw.required_days !== null && raw.required_days <= 0) {
    problems.push({ field: 'required_days', problem: `must be a positive number of days (is ${raw.required_days})` });
  }
  return problems;
}

/** Each baseline-relative condition (`baseline_delta`, `baseline_ratio`) needs a numeric baseline of its metric. */
function baselineProblems(
  baseline: Record<string, Scalar>,
  criteriaByField: { success_criteria: Criteria | undefined; failure_criteria: Criteria | undefined },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [field, criteria] of Object.entries(criteriaByField)) {
    if (!criteria) continue;
    const list = 'all' in criteria ? 'all' : 'any';
    conditionsOf(criteria).forEach((c, i) => {
      if (!('baseline_delta' in c) && !('baseline_ratio' in c)) return;
      const base = Object.hasOwn(baseline, c.metric) ? baseline[c.metric] : undefined;
      if (base === undefined) {
        problems.push({
          field: `${field}.${list}[${i}]`,
          problem: `compares ${c.metric} with its baseline, but baseline_definition has no ${c.metric}`,
        });
      } else if (typeof base !== 'number') {
        problems.push({
          field: `${field}.${list}[${i}]`,
          problem: `baseline of ${c.metric} is a boolean; baseline_delta/baseline_ratio need a number`,
        });
      }
    });
  }
  return problems;
}

/** The signal keys a definition needs, sorted: criteria, baseline and target keys. */
export function metricKeysOf(definition: Definition): string[] {
  const keys = new Set<string>([
    ...Object.keys(definition.baseline),
    ...Object.keys(definition.targets),
    ...conditionsOf(definition.success).map((c) => c.metric),
    ...conditionsOf(definition.failure).map((c) => c.metric),
  ]);
  return [...keys].sort();
}
