/**
 * fast-check generators shared by the property tests: definitions that are
 * valid by construction, and "almost definitions" (right shape, hostile
 * pieces) for the fail-closed gate.
 */
import fc from 'fast-check';
import { OPS, type Condition, type Criteria, type Op, type Scalar } from '../../src/domain/definition.js';

/** The fixed seed of every property: a failure reproduces exactly. */
export const SEED = 20260310;

/** The definition columns parseDefinition reads; every problem's field starts with one of them. */
export const COLUMNS = [
  'start_ts',
  'end_ts',
  'required_days',
  'baseline_definition',
  'target_metrics',
  'success_criteria',
  'failure_criteria',
  'escalation_path',
] as const;

/** True when `field` is `column`, or `column.…` / `column[…]`. */
export function startsWithColumn(field: string, columns: readonly string[] = COLUMNS): boolean {
  return columns.some((c) => field === c || field.startsWith(`${c}.`) || field.startsWith(`${c}[`));
}

/** Numeric and boolean signal keys the generators use most. */
export const NUMERIC_KEYS = ['brier', 'lift'] as const;
export const BOOLEAN_KEYS = ['ready'] as const;
const KEYS = [...NUMERIC_KEYS, ...BOOLEAN_KEYS];

/** Finite doubles, biased towards small integers and decimals so that equality and ties happen. */
export const finiteNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.1, 0.2, 0.3, 0.25, 0.01, -0.01, 1.1, 0.9),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const op: fc.Arbitrary<Op> = fc.constantFrom(...OPS);
const equalityOp: fc.Arbitrary<Op> = fc.constantFrom('==', '!=');

/** An ISO instant between 2000 and 2100. */
const instant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A baseline over the known keys: each numeric key a number or absent, `ready` a boolean or absent. */
const baselineArb: fc.Arbitrary<Record<string, Scalar>> = fc.record(
  { brier: finiteNumber, lift: finiteNumber, ready: fc.boolean() },
  { requiredKeys: [] },
);

/** A condition that parseDefinition must accept for `baseline`. */
function validCondition(baseline: Record<string, Scalar>): fc.Arbitrary<Condition> {
  const numericBaselines = NUMERIC_KEYS.filter((k) => typeof baseline[k] === 'number');
  const options: fc.Arbitrary<Condition>[] = [
    fc.record({ metric: fc.constantFrom(...NUMERIC_KEYS, 'other_metric'), op, value: finiteNumber }),
    fc.record({ metric: fc.constantFrom(...BOOLEAN_KEYS), op: equalityOp, value: fc.boolean() }),
  ];
  if (numericBaselines.length > 0) {
    const metric = fc.constantFrom(...numericBaselines);
    options.push(fc.record({ metric, op, baseline_delta: finiteNumber }), fc.record({ metric, op, baseline_ratio: finiteNumber }));
  }
  return fc.oneof(...options);
}

function validCriteria(baseline: Record<string, Scalar>): fc.Arbitrary<Criteria> {
  const list = fc.array(validCondition(baseline), { minLength: 1, maxLength: 6 });
  return fc.oneof(
    list.map((all) => ({ all })),
    list.map((any) => ({ any })),
  );
}

/** The raw columns of a definition that is valid by construction. */
export const validRawDefinition = baselineArb.chain((baseline) =>
  fc
    .record({
      window: fc.uniqueArray(instant, { minLength: 2, maxLength: 2 }).map((pair) => pair.sort()),
      required_days: fc.option(fc.integer({ min: 1, max: 3650 }), { nil: null }),
      target_metrics: fc.dictionary(fc.constantFrom(...NUMERIC_KEYS), fc.record({ op, value: finiteNumber })),
      success_criteria: validCriteria(baseline),
      failure_criteria: validCriteria(baseline),
      escalation_path: fc.record(
        {
          owner: fc.string({ minLength: 1, maxLength: 8 }),
          notify: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        },
        { requiredKeys: ['notify'] },
      ),
    })
    .map(({ window, ...rest }) => ({ start_ts: window[0]!, end_ts: window[1]!, baseline_definition: baseline, ...rest })),
);

/** A value where a number or boolean belongs: mostly fine, often not (NaN, ±Infinity, strings, null, objects). */
const scalarish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: finiteNumber },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'NaN', '0.3', null, -0) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const metricish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.constantFrom('', '__proto__', 'constructor', 'toString', 'k'.repeat(129)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);

const opish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: op },
  { weight: 1, arbitrary: fc.constantFrom('=>', '=', '<>', 'LIKE', '≤', '< ', '', null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
);

/** A condition of the right shape with hostile pieces: any subset of the keys, odd values, an extra key. */
const conditionish: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      { metric: metricish, op: opish, value: scalarish, baseline_delta: scalarish, baseline_ratio: scalarish, weight: fc.integer() },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const listish = fc.oneof(
  { weight: 6, arbitrary: fc.array(conditionish, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** A CRITERIA-shaped value: `all`, `any`, both, neither, nested, or any JSON at all. */
export const criteriaish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: listish.map((all) => ({ all })) },
  { weight: 3, arbitrary: listish.map((any) => ({ any })) },
  { weight: 1, arbitrary: fc.record({ all: listish, any: listish, extra: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(conditionish, { maxLength: 2 }).map((inner) => ({ all: [{ all: inner }] })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** A timestamp column: an instant, an unparseable string or null. */
const instantish = fc.oneof(
  { weight: 6, arbitrary: instant },
  { weight: 1, arbitrary: fc.constantFrom('not a date', '', 'infinity', '2026-02-30') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Every definition column in a hostile version (valid-looking pieces mixed with wrong ones). */
const hostileColumns = fc.record({
  start_ts: instantish,
  end_ts: instantish,
  required_days: fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null }),
  baseline_definition: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(
        metricish.filter((k): k is string => typeof k === 'string'),
        scalarish,
        { maxKeys: 4 },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
  target_metrics: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(
        fc.constantFrom(...KEYS, ''),
        fc.record({ op: opish, value: scalarish, weight: fc.integer() }, { requiredKeys: [] }),
        { maxKeys: 3 },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
  success_criteria: criteriaish,
  failure_criteria: criteriaish,
  escalation_path: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          owner: fc.oneof(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
          notify: fc.oneof(
            fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)), { maxLength: 4 }),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
});

/**
 * A definition that is almost right: a valid one (validRawDefinition) with a
 * random subset of its columns, often none or one, swapped for a hostile version.
 */
export const rawDefinitionish: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(validRawDefinition, hostileColumns, fc.subarray([...COLUMNS], { maxLength: 3 }))
  .map(([valid, hostile, swapped]) => ({ ...valid, ...Object.fromEntries(swapped.map((c) => [c, hostile[c]])) }));

/** Any JSON in every column, and any string or null in the timestamps. */
export const rawDefinitionOfJson = fc.record({
  start_ts: fc.option(fc.string(), { nil: null }),
  end_ts: fc.option(fc.string(), { nil: null }),
  required_days: fc.option(fc.integer(), { nil: null }),
  baseline_definition: fc.jsonValue(),
  target_metrics: fc.jsonValue(),
  success_criteria: fc.jsonValue(),
  failure_criteria: fc.jsonValue(),
  escalation_path: fc.jsonValue(),
});
