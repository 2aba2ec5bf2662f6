import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/tempDir.js';

// Runs in every test file before its own code: registered first, this hook runs
// after the file's own afterAll hooks, once nothing uses the folders any more.
afterAll(removeTempDirs);
