import { z } from 'zod';

/** Comparison operators of a CONDITION (docs/registering-a-test.md). */
export const OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Op = (typeof OPS)[number];

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

/** Upper bound on conditions per CRITERIA: a definition is a human-written rule set, not a data dump. */
export const MAX_CONDITIONS = 200;
/** Upper bound on `escalation_path.notify`: a list of people to tell, not a mailing list. */
export const MAX_RECIPIENTS = 100;
/**
 * Deepest nesting of objects and arrays accepted in a JSONB definition column
 * (a valid CRITERIA is 3 deep). PostgreSQL stores JSON thousands of levels
 * deep, and `JSON.stringify` of the definition into the evidence bundle would
 * overflow the stack on it.
 */
export const MAX_JSON_DEPTH = 32;
const MAX_KEY_LENGTH = 128;

// The union's errorMap covers only "neither a number nor a boolean"; Infinity (JSONB 1e400) fails inside z.number().
const scalar = z.union([z.number().finite('must be a finite number or a boolean'), z.boolean()], {
  errorMap: () => ({ message: 'must be a finite number or a boolean' }),
});
const signalKey = z
  .string({ invalid_type_error: 'must be a signal key (text)' })
  .min(1, 'must not be empty')
  .max(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`)
  // A plain object cannot hold this key (it sets the prototype): it would vanish from the baseline silently.
  .refine((key) => key !== '__proto__', 'must not be "__proto__"');
const op = z.enum(OPS, { errorMap: () => ({ message: `must be one of ${OPS.join(' ')}` }) });
const finite = z.number({ invalid_type_error: 'must be a finite number' }).finite('must be a finite number');

const conditionSchema = z
  .object({
    metric: signalKey,
    op,
    value: scalar.optional(),
    baseline_delta: finite.optional(),
    baseline_ratio: finite.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const given = (['value', 'baseline_delta', 'baseline_ratio'] as const).filter((k) => c[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `needs exactly one of value, baseline_delta, baseline_ratio (has ${given.length ? given.join(', ') : 'none'})`,
      });
    }
    if (typeof c.value === 'boolean' && c.op !== '==' && c.op !== '!=') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['op'], message: `${c.op} cannot compare booleans (use == or !=)` });
    }
  });

const conditionList = z
  .array(conditionSchema, { invalid_type_error: 'must be a list of conditions' })
  .min(1, 'must not be an empty list')
  .max(MAX_CONDITIONS, `must have at most ${MAX_CONDITIONS} conditions`);

const criteriaSchema = z
  .object(
    { all: conditionList.optional(), any: conditionList.optional() },
    { invalid_type_error: 'must be an object { "all": [...] } or { "any": [...] }' },
  )
  .strict()
  .superRefine((c, ctx) => {
    if ((c.all === undefined) === (c.any === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must have exactly one of "all" or "any"' });
    }
  });

const baselineSchema = z.record(signalKey, scalar, { invalid_type_error: 'must be an object { signal_key: number | boolean }' });
const targetsSchema = z.record(
  signalKey,
  z
    .object({ op, value: scalar }, { invalid_type_error: 'must be an object { "op": OP, "value": number | boolean }' })
    .strict()
    .superRefine((t, ctx) => {
      if (typeof t.value === 'boolean' && t.op !== '==' && t.op !== '!=') {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['op'], message: `${t.op} cannot compare booleans (use == or !=)` });
      }
    }),
  { invalid_type_error: 'must be an object { signal_key: { op, value } }' },
);
const escalationPathSchema = z
  .object(
    {
      owner: z.string().min(1, 'must not be empty').optional(),
      notify: z
        .array(z.string().min(1, 'must not be empty'), {
          required_error: 'is missing: no escalation path',
          invalid_type_error: 'must be a list of recipients',
        })
        .min(1, 'is empty: no escalation path')
        .max(MAX_RECIPIENTS, `must have at most ${MAX_RECIPIENTS} recipients`),
    },
    { invalid_type_error: 'must be an object { "owner": text, "notify": [text, ...] }' },
  )
  .passthrough();

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

function jsonPath(root: string, path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${part}`), root);
}

/** True when `value` nests objects or arrays more than `limit` levels deep (iterative: safe on any depth). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function parseField<T>(
  field: string,
  raw: unknown,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  problems: FieldProblem[],
  missing?: string,
): T | undefined {
  if (raw === null || raw === undefined) {
    if (missing) problems.push({ field, problem: missing });
    return undefined;
  }
  if (nestedDeeperThan(raw, MAX_JSON_DEPTH)) {
    problems.push({ field, problem: `is nested more than ${MAX_JSON_DEPTH} levels deep` });
    return undefined;
  }
  const parsed = schema.safeParse(raw);
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

  for (const [field, criteria] of [
    ['success_criteria', success],
    ['failure_criteria', failure],
  ] as const) {
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
