import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    // Removes each file's temporary folders (test/helpers/tempDir.ts) after it.
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on the project's machines; every file has its own database.
    maxWorkers: 2,
  },
});
