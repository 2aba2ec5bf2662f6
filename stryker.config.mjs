// @ts-check
/**
 * Mutation testing of the pure core, run by hand: `npm run mutation` (README,
 * "Mutation testing"). Only the unit and property tests run against the
 * mutants (vitest.pure.config.ts: no globalSetup, no PostgreSQL).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.pure.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // Mutants in module-level code (the zod schemas of definition.ts, constant
  // tables) run once at import: each would need every test re-run in a fresh
  // worker. They are left out of the run and the score.
  ignoreStatic: true,
  // The pure core: every rule (src/domain/, the gate and registry check included) and evaluation.
  mutate: ['src/domain/**/*.ts', 'src/evaluate/**/*.ts'],
  ignorePatterns: ['dist', 'evidence', 'logs', '.embedded-pg', 'mutation-report', 'test/integration'],
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'mutation-report/mutation.html' },
  jsonReporter: { fileName: 'mutation-report/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
