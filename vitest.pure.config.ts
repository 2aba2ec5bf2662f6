import { defineConfig } from 'vitest/config';

/**
 * The pure tests only: unit and property tests, no PostgreSQL (no
 * globalSetup). Mutation testing (stryker.config.mjs) runs these; they also
 * run on their own with `npx vitest run --config vitest.pure.config.ts`.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts'],
    // Removes the temporary folders each test file made, as in the whole suite.
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    maxWorkers: 2,
  },
});
