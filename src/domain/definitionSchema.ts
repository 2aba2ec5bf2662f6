import { z } from 'zod';

/**
 * The zod schemas of a test's JSONB definition columns (docs/registering-a-test.md):
 * what `parseDefinition` checks each column against, and the limits it applies.
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

export const conditionSchema = z
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

export const criteriaSchema = z
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

export const baselineSchema = z.record(signalKey, scalar, { invalid_type_error: 'must be an object { signal_key: number | boolean }' });
export const targetsSchema = z.record(
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
export const escalationPathSchema = z
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
