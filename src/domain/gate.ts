import { conditionsOf, metricKeysOf, parseDefinition, type Definition, type DefinitionResult, type RawDefinition } from './definition.js';
import type { Defect } from './defect.js';
import { testCodeProblem } from './testCode.js';
import type { TestRow } from './testRow.js';
import { checkRegistryRow, type CatalogColumn, type RegistryRow, type SignalSource } from './registry.js';

/** A test that passed the gate, with its parsed definition and the checked source of every key it uses. */
export interface GatedTest {
  row: TestRow;
  definition: Definition;
  sources: Record<string, SignalSource>;
}

/** The gate's verdict on a set of tests: the run goes on only when `defects` is empty. */
export interface GateResult {
  passed: GatedTest[];
  defects: Defect[];
}

function typeProblems(definition: Definition, sources: Record<string, SignalSource>): { field: string; problem: string }[] {
  const problems: { field: string; problem: string }[] = [];
  const expect = (field: string, key: string, value: unknown) => {
    const source = Object.hasOwn(sources, key) ? sources[key] : undefined;
    if (source && typeof value !== source.valueType) {
      problems.push({ field, problem: `${JSON.stringify(value)} is a ${typeof value}, but signal ${key} is ${source.valueType}` });
    }
  };
  for (const [key, value] of Object.entries(definition.baseline)) expect(`baseline_definition.${key}`, key, value);
  for (const [key, target] of Object.entries(definition.targets)) expect(`target_metrics.${key}.value`, key, target.value);
  for (const [field, criteria] of [
    ['success_criteria', definition.success],
    ['failure_criteria', definition.failure],
  ] as const) {
    const list = 'all' in criteria ? 'all' : 'any';
    conditionsOf(criteria).forEach((c, i) => {
      if ('value' in c) expect(`${field}.${list}[${i}].value`, c.metric, c.value);
      else if (Object.hasOwn(sources, c.metric) && sources[c.metric]?.valueType === 'boolean') {
        problems.push({
          field: `${field}.${list}[${i}]`,
          problem: `signal ${c.metric} is boolean; baseline_delta/baseline_ratio need a number`,
        });
      }
    });
  }
  return problems;
}

/**
 * The fail-closed gate (docs/verdicts.md), pure: checks every test's code
 * (`testCodeProblem`: it names alerts and files), parses its
 * definition and checks every signal key it uses against the registry and the
 * catalog.
 *
 * @param tests the ACTIVE tests of the run.
 * @param registry the registry rows and the catalog columns of the objects they name.
 * @param parse how a definition is parsed: {@link parseDefinition}, or a backfill's `memoisedParseDefinition`.
 * @returns the tests that passed and every defect found, in test order.
 */
export function runGate(
  tests: readonly TestRow[],
  registry: { rows: readonly RegistryRow[]; catalog: readonly CatalogColumn[] },
  parse: (raw: RawDefinition) => DefinitionResult = parseDefinition,
): GateResult {
  const checked = new Map(registry.rows.map((row) => [row.signal_key, checkRegistryRow(row, registry.catalog)]));
  const passed: GatedTest[] = [];
  const defects: Defect[] = [];
  for (const row of tests) {
    const own = (field: string, problem: string) => defects.push({ testId: row.test_id, testCode: row.test_code, field, problem });
    const codeProblem = testCodeProblem(row.test_code);
    if (codeProblem !== null) own('test_code', codeProblem);
    const parsed = parse(row);
    if ('problems' in parsed) {
      parsed.problems.forEach((p) => own(p.field, p.problem));
      continue;
    }
    const sources: Record<string, SignalSource> = {};
    let usable = true;
    for (const key of metricKeysOf(parsed.definition)) {
      const check = checked.get(key);
      if (!check) {
        own(`test_signal_registry.${key}`, `signal ${JSON.stringify(key)} has no row in fhq_calendar.test_signal_registry`);
        usable = false;
      } else if ('problem' in check) {
        own(`test_signal_registry.${key}`, check.problem);
        usable = false;
      } else {
        sources[key] = check;
      }
    }
    const mismatches = typeProblems(parsed.definition, sources);
    mismatches.forEach((p) => own(p.field, p.problem));
    if (codeProblem === null && usable && mismatches.length === 0) passed.push({ row, definition: parsed.definition, sources });
  }
  return { passed, defects };
}
