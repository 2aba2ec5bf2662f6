import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`).toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'canonical-tests-dotenv-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Nothing listens on ports 1 and 2, so each run stops at once with exit 4 and
// names the server it tried: the one from .env, unless the environment sets one.
describe('the executable reads .env from its working directory', () => {
  it('connects with the .env DATABASE_URL, never printing its password; the environment wins', async () => {
    writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgres://evaluator:dotenv-secret@127.0.0.1:1/gov\n');
    const fromFile = await runCli(['status'], dir);
    expect(fromFile.code).toBe(4);
    expect(fromFile.stderr).toContain('127.0.0.1:1');
    expect(`${fromFile.stdout}${fromFile.stderr}`).not.toContain('dotenv-secret');
    const fromEnv = await runCli(['status'], dir, { DATABASE_URL: 'postgres://evaluator@127.0.0.1:2/gov' });
    expect(fromEnv.code).toBe(4);
    expect(fromEnv.stderr).toContain('127.0.0.1:2');
    expect(fromEnv.stderr).not.toContain('127.0.0.1:1');
  });
});
