import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TestRow } from '../../src/domain/testRow.js';
import { AGGREGATIONS, checkRegistryRow, type CatalogColumn, type RegistryRow } from '../../src/domain/registry.js';
import { runGate } from '../../src/domain/gate.js';
import {
  conditionsOf,
  MAX_CONDITIONS,
  MAX_RECIPIENTS,
  metricKeysOf,
  OPS,
  parseDefinition,
  type Definition,
  type RawDefinition,
} from '../../src/domain/definition.js';
import { displayTestCode, MAX_TEST_CODE_LENGTH, testCodeProblem } from '../../src/domain/testCode.js';
import { catalog as goodCatalog, reg, testRow } from '../helpers/rows.js';
import { rawDefinitionish, rawDefinitionOfJson, SEED, startsWithColumn, validRawDefinition } from './arbitraries.js';

const RUNS = { seed: SEED, numRuns: 300 } as const;

/** Every rule a parsed definition must satisfy: what the gate lets through is sound. */
function expectSound(definition: Definition): void {
  expect(Date.parse(definition.startTs)).toBeLessThan(Date.parse(definition.endTs));
  if (definition.requiredDays !== null) expect(definition.requiredDays).toBeGreaterThan(0);
  const scalarOk = (v: unknown) => typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
  for (const value of Object.values(definition.baseline)) expect(scalarOk(value)).toBe(true);
  for (const target of Object.values(definition.targets)) {
    expect(OPS).toContain(target.op);
    expect(scalarOk(target.value)).toBe(true);
    if (typeof target.value === 'boolean') expect(['==', '!=']).toContain(target.op);
  }
  for (const criteria of [definition.success, definition.failure]) {
    expect(Object.keys(criteria)).toHaveLength(1);
    const list = conditionsOf(criteria);
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(list.length).toBeLessThanOrEqual(MAX_CONDITIONS);
    for (const c of list) {
      expect(typeof c.metric === 'string' && c.metric.length > 0 && c.metric.length <= 128 && c.metric !== '__proto__').toBe(true);
      expect(OPS).toContain(c.op);
      const given = (['value', 'baseline_delta', 'baseline_ratio'] as const).filter((k) => k in c);
      expect(given).toHaveLength(1);
      if ('value' in c) {
        expect(scalarOk(c.value)).toBe(true);
        if (typeof c.value === 'boolean') expect(['==', '!=']).toContain(c.op);
      } else {
        const factor = 'baseline_delta' in c ? c.baseline_delta : c.baseline_ratio;
        expect(Number.isFinite(factor)).toBe(true);
        expect(Object.hasOwn(definition.baseline, c.metric)).toBe(true);
        expect(typeof definition.baseline[c.metric]).toBe('number');
      }
    }
  }
  const notify = definition.escalationPath.notify;
  expect(Array.isArray(notify) && notify.length >= 1 && notify.length <= MAX_RECIPIENTS).toBe(true);
  for (const recipient of notify) expect(typeof recipient === 'string' && recipient.length > 0).toBe(true);
}

/** parseDefinition's contract: a sound definition, or a non-empty list of problems on named columns. */
function expectParsedOrProblems(raw: RawDefinition): void {
  const result = parseDefinition(raw);
  if ('definition' in result) {
    expectSound(result.definition);
  } else {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const p of result.problems) {
      expect(startsWithColumn(p.field), p.field).toBe(true);
      expect(typeof p.problem === 'string' && p.problem.length > 0).toBe(true);
    }
  }
}

describe('parseDefinition (property)', () => {
  it('never throws on any JSON in any column: a sound definition or problems on named columns', () => {
    fc.assert(
      fc.property(rawDefinitionOfJson, (raw) => expectParsedOrProblems(raw)),
      RUNS,
    );
  });

  it('never throws on definitions that are almost right (hostile ops, metrics, values, shapes)', () => {
    fc.assert(
      fc.property(rawDefinitionish, (raw) => expectParsedOrProblems(raw as unknown as RawDefinition)),
      { ...RUNS, numRuns: 1000 },
    );
  });

  it('finds a problem in almost-right definitions often enough for the property above to mean something', () => {
    const samples = fc.sample(rawDefinitionish, { seed: SEED, numRuns: 500 });
    const parsed = samples.filter((raw) => 'definition' in parseDefinition(raw as unknown as RawDefinition)).length;
    // Deterministic (fixed seed): both outcomes are common, so both branches of the property are exercised.
    expect(parsed).toBeGreaterThan(50);
    expect(parsed).toBeLessThan(450);
  });

  it('accepts every definition that is valid by construction, keeping it as written', () => {
    fc.assert(
      fc.property(validRawDefinition, (raw) => {
        const result = parseDefinition(raw);
        expect(result).toEqual({
          definition: {
            startTs: raw.start_ts,
            endTs: raw.end_ts,
            requiredDays: raw.required_days,
            baseline: raw.baseline_definition,
            targets: raw.target_metrics,
            success: raw.success_criteria,
            failure: raw.failure_criteria,
            escalationPath: raw.escalation_path,
          },
        });
      }),
      RUNS,
    );
  });
});

describe('testCodeProblem (property)', () => {
  const anyCode = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.stringMatching(/^[ ./\\A-Z0-9-]{0,8}$/),
  );

  it('never throws; an accepted code is non-blank, trimmed, short, visible and no path', () => {
    fc.assert(
      fc.property(anyCode, (code) => {
        const problem = testCodeProblem(code);
        if (problem !== null) {
          expect(problem.length).toBeGreaterThan(0);
          return;
        }
        expect(code.trim()).toBe(code);
        expect(code.length).toBeGreaterThan(0);
        expect([...code].length).toBeLessThanOrEqual(MAX_TEST_CODE_LENGTH);
        expect(code).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}/\\]/u);
        expect(code).not.toMatch(/^\.+$/);
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });

  it('displays every refused code on one line without invisible characters, and an accepted one as is', () => {
    fc.assert(
      fc.property(anyCode, (code) => {
        const shown = displayTestCode(code);
        if (testCodeProblem(code) === null) expect(shown).toBe(code);
        else expect(shown).toMatch(/^"[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*"$/u);
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });
});

describe('runGate (property)', () => {
  const names = (pool: string[]) =>
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.string({ maxLength: 5 }) });
  const registryRow: fc.Arbitrary<RegistryRow> = fc.record({
    signal_key: names(['brier', 'lift', 'ready', 'other_metric']),
    source_schema: names(['fhq', 'fixture']),
    source_table: names(['metrics', 'flags']),
    source_column: names(['brier', 'ready', 'measured_at', 'label']),
    time_column: fc.option(names(['measured_at', 'label', 'brier']), { nil: null }),
    aggregation: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...Object.keys(AGGREGATIONS)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    ),
    description: fc.constant(null),
  });
  const TYPES: [string, string][] = [
    ['double precision', 'N'],
    ['integer', 'N'],
    ['boolean', 'B'],
    ['text', 'S'],
    ['date', 'D'],
    ['timestamp with time zone', 'D'],
    ['jsonb', 'U'],
  ];
  const catalogColumn: fc.Arbitrary<CatalogColumn> = fc
    .record({
      schema: names(['fhq', 'fixture']),
      relation: names(['metrics', 'flags']),
      column: names(['brier', 'ready', 'measured_at', 'label']),
      type: fc.constantFrom(...TYPES),
      // Whether the connected role may read the column (where the catalog carries it).
      readable: fc.boolean(),
    })
    .map(({ type: [type, category], ...rest }) => ({ ...rest, type, category }));
  const tests: fc.Arbitrary<TestRow[]> = fc
    .array(
      fc.record({
        code: fc.oneof(fc.constantFrom('EC-022', 'EC-023', 'É-1'), fc.string({ unit: 'binary', maxLength: 8 })),
        raw: fc.oneof(validRawDefinition, rawDefinitionish),
      }),
      { maxLength: 4 },
    )
    .map((list) =>
      list.map(({ code, raw }, i) =>
        testRow({ ...(raw as Partial<TestRow>), test_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, test_code: code }),
      ),
    );

  /** A registry that resolves every key the generators use (fhq.metrics), so that some tests pass. */
  const goodRows = [reg('brier', 'brier'), reg('lift', 'brier'), reg('other_metric', 'brier'), reg('ready', 'ready')];
  const registryArb = fc.oneof(
    fc.record({ rows: fc.array(registryRow, { maxLength: 6 }), catalog: fc.array(catalogColumn, { maxLength: 12 }) }),
    fc
      .record({ rows: fc.array(registryRow, { maxLength: 2 }), catalog: fc.array(catalogColumn, { maxLength: 3 }) })
      .map(({ rows, catalog }) => ({ rows: [...goodRows, ...rows], catalog: [...goodCatalog, ...catalog] })),
  );

  it('never throws; every test passes xor has defects, and what passes is fully resolved', () => {
    let passedTests = 0;
    fc.assert(
      fc.property(tests, registryArb, (rows, { rows: registryRows, catalog }) => {
        const result = runGate(rows, { rows: registryRows, catalog });
        passedTests += result.passed.length;
        const defective = new Set(result.defects.map((d) => d.testId));
        const passedIds = result.passed.map((p) => p.row.test_id);
        for (const row of rows) expect(defective.has(row.test_id) !== passedIds.includes(row.test_id)).toBe(true);
        for (const d of result.defects) {
          expect(
            startsWithColumn(d.field, [
              'test_code',
              'test_signal_registry',
              ...[
                'start_ts',
                'end_ts',
                'required_days',
                'baseline_definition',
                'target_metrics',
                'success_criteria',
                'failure_criteria',
                'escalation_path',
              ],
            ]),
          ).toBe(true);
        }
        const byKey = new Map(registryRows.map((r) => [r.signal_key, r]));
        for (const gated of result.passed) {
          expect(testCodeProblem(gated.row.test_code)).toBe(null);
          expect(Object.keys(gated.sources).sort()).toEqual(metricKeysOf(gated.definition));
          for (const [key, source] of Object.entries(gated.sources)) expect(source).toEqual(checkRegistryRow(byKey.get(key)!, catalog));
        }
      }),
      { ...RUNS, numRuns: 500 },
    );
    expect(passedTests).toBeGreaterThan(0);
  });
});
