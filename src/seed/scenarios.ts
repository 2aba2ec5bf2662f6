import type { CommonQueryMethods } from 'slonik';
import { UsageError } from '../errors.js';
import { seedEc022, type SeedSummary } from './ec022.js';

/** Seed scenarios by name (`canonical-tests seed --scenario NAME`). */
export const SCENARIOS = { ec022: seedEc022 } as const;
export type ScenarioName = keyof typeof SCENARIOS;

/**
 * Loads a seed scenario.
 *
 * @param options.reset replace the scenario's test; `eraseRecord` also deletes its record (the demo's database only).
 * @throws UsageError naming `--scenario` for an unknown name, or `--reset` for a test that has a record.
 */
export async function seedScenario(
  db: CommonQueryMethods,
  name: string,
  options: { reset?: boolean; eraseRecord?: boolean } = {},
): Promise<SeedSummary> {
  if (!Object.hasOwn(SCENARIOS, name)) {
    throw new UsageError('--scenario', `${JSON.stringify(name)} is not a scenario (known: ${Object.keys(SCENARIOS).join(', ')})`);
  }
  return SCENARIOS[name as ScenarioName](db, options);
}
