import { z } from 'zod4';

/**
 * The zod schemas of a test's JSONB definition columns (docs/registering-a-test.md):
 * what `parseDefinition` checks each column against, and the limits it applies.
 *
 * They use zod 4 (the `zod4` dependency; slonik's row schemas need zod 3,
 * the `zod` dependency): every run parses every test's definition, and zod 4
 * does it about five times faster with far less garbage (README
 * "Performance"). Refusals keep the wording they had under zod 3:
 * {@link definitionMessages} words the issues no schema below words itself.
 */

/** Comparison operators of a CONDITION (docs/registering-a-test.md). */
export const OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Op = (typeof OPS)[number];

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

/** How a refusal names the type of a JSON value (`Expected object, received string`). */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'nan' : 'number';
  return typeof value;
}

/**
 * The wording of the issues no schema words itself: a missing key is
 * `Required`, a wrong type `Expected object, received string`, an extra key
 * `Unrecognized key(s) in object: 'weight'`, a bad record key the problem
 * of the key itself. Pass it to every parse of a definition schema.
 *
 * @returns the message, or undefined to keep zod's own.
 */
export const definitionMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'Required' : `Expected ${issue.expected}, received ${typeName(issue.input)}`;
    case 'unrecognized_keys':
      return `Unrecognized key(s) in object: ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_key':
      return issue.issues[0]?.message;
    default:
      return undefined;
  }
};

/** An error map that words a present value of the wrong type (`message`), and leaves a missing one to {@link definitionMessages}. */
const wrongType =
  (message: string): z.core.$ZodErrorMap =>
  (issue) =>
    issue.code === 'invalid_type' && issue.input !== undefined ? message : undefined;

// Infinity (JSONB 1e400) and any value neither a number nor a boolean get the same words.
const scalar = z.union([z.number(), z.boolean()], { error: 'must be a finite number or a boolean' });
const signalKey = z
  .string({ error: wrongType('must be a signal key (text)') })
  .min(1, 'must not be empty')
  .max(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`)
  // A plain object cannot hold this key (it sets the prototype). As a key it never reaches this schema: zod 4 drops it
  // silently, so parseDefinition refuses it before parsing (src/domain/definition.ts); this check names it as a metric.
  .refine((key) => key !== '__proto__', 'must not be "__proto__"');
const op = z.enum(OPS, { error: `must be one of ${OPS.join(' ')}` });
const finite = z.number({ error: wrongType('must be a finite number') });

export const conditionSchema = z
  .strictObject({
    metric: signalKey,
    op,
    value: scalar.optional(),
    baseline_delta: finite.optional(),
    baseline_ratio: finite.optional(),
  })
  .superRefine((c, ctx) => {
    const given = (['value', 'baseline_delta', 'baseline_ratio'] as const).filter((k) => c[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one of value, baseline_delta, baseline_ratio (has ${given.length ? given.join(', ') : 'none'})`,
      });
    }
    if (typeof c.value === 'boolean' && c.op !== '==' && c.op !== '!=') {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `${c.op} cannot compare booleans (use == or !=)` });
    }
  });

const conditionList = z
  .array(conditionSchema, { error: wrongType('must be a list of conditions') })
  .min(1, 'must not be an empty list')
  .max(MAX_CONDITIONS, `must have at most ${MAX_CONDITIONS} conditions`);

export const criteriaSchema = z
  .strictObject(
    { all: conditionList.optional(), any: conditionList.optional() },
    { error: wrongType('must be an object { "all": [...] } or { "any": [...] }') },
  )
  .check((payload) => {
    // zod leaves a list with problems out of the value; it was still given.
    const given = (key: 'all' | 'any') => payload.value[key] !== undefined || payload.issues.some((issue) => issue.path?.[0] === key);
    if (given('all') === given('any')) {
      payload.issues.push({ code: 'custom', message: 'must have exactly one of "all" or "any"', input: payload.value });
    }
  });

export const baselineSchema = z.record(signalKey, scalar, { error: wrongType('must be an object { signal_key: number | boolean }') });
export const targetsSchema = z.record(
  signalKey,
  z
    .strictObject({ op, value: scalar }, { error: wrongType('must be an object { "op": OP, "value": number | boolean }') })
    .superRefine((t, ctx) => {
      if (typeof t.value === 'boolean' && t.op !== '==' && t.op !== '!=') {
        ctx.addIssue({ code: 'custom', path: ['op'], message: `${t.op} cannot compare booleans (use == or !=)` });
      }
    }),
  { error: wrongType('must be an object { signal_key: { op, value } }') },
);
export const escalationPathSchema = z.looseObject(
  {
    owner: z.string().min(1, 'must not be empty').optional(),
    notify: z
      .array(z.string().min(1, 'must not be empty'), {
        error: (issue) =>
          issue.code !== 'invalid_type'
            ? undefined
            : issue.input === undefined
              ? 'is missing: no escalation path'
              : 'must be a list of recipients',
      })
      .min(1, 'is empty: no escalation path')
      .max(MAX_RECIPIENTS, `must have at most ${MAX_RECIPIENTS} recipients`),
  },
  { error: wrongType('must be an object { "owner": text, "notify": [text, ...] }') },
);
