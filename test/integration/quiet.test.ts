import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, insertTest } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * `-q/--quiet` and `-v/--verbose` on the commands that print a result rather
 * than a run: `-q` keeps errors and the final line (and findings such as
 * missed days), the default adds the details; both together are a usage error.
 */

let db: TestDatabase;
let cwd: string;
let env: Record<string, string>;
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, cwd, { ...env, ...extra });

beforeAll(async () => {
  db = await freshDatabase();
  await createSources(db);
  await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
  await insertTest(db);
  cwd = tempDir('quiet');
  env = { DATABASE_URL: db.uri };
  expect((await cli(['run', '--date', '2026-03-10'])).code).toBe(0);
});
afterAll(async () => {
  await db.drop();
});

describe('-q and -v', () => {
  it('migrate -q prints only its final line', async () => {
    expect(await cli(['-q', 'migrate'], { DATABASE_URL: db.adminUri })).toEqual({
      code: 0,
      stdout: 'up to date: no migration to apply\n',
      stderr: '',
    });
  });

  it('status -q prints only the missed days; without -q the table comes first', async () => {
    const missed =
      'missed days:    none (no daily run recorded yet: days count as missed only after the last daily run; backfills and the demo never do)\n';
    const quiet = await cli(['-q', 'status']);
    expect(quiet).toEqual({ code: 0, stdout: missed, stderr: '' });
    const normal = await cli(['status']);
    expect(normal.code).toBe(0);
    expect(normal.stdout).toMatch(/^1 ACTIVE test\(s\) \(\d{4}-\d{2}-\d{2}, Europe\/Oslo\)\n\nTEST +NAME/);
    expect(normal.stdout.endsWith(missed)).toBe(true);
  });

  it('export -q prints only the count; without -q each file written too', async () => {
    const evidence = join(cwd, 'evidence', 'ORCHESTRATOR_T-001_20260310.json');
    rmSync(evidence);
    expect(await cli(['-q', 'export'])).toEqual({ code: 0, stdout: 'exported 1 date(s): 1 file(s) (re)written\n', stderr: '' });
    rmSync(evidence);
    expect(await cli(['export'])).toEqual({
      code: 0,
      stdout: `wrote ${evidence}\nexported 1 date(s): 1 file(s) (re)written\n`,
      stderr: '',
    });
  });

  it('health -q prints only the failed checks and the verdict line; doctor -q only its verdict line when all is well', async () => {
    const normal = await cli(['health']);
    expect(normal.code).toBe(1);
    const lines = normal.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('OK ')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith('FAIL ')).length).toBeGreaterThan(0);
    const quiet = await cli(['-q', 'health']);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toBe(`${lines.filter((l) => !l.startsWith('OK ')).join('\n')}\n`);
    expect(quiet.stdout).toMatch(/\nunhealthy: \d problem\(s\)\n$/);
    const doctor = await cli(['-q', 'doctor'], { DATABASE_URL: db.adminUri });
    expect(doctor).toEqual({ code: 0, stdout: 'all 9 checks OK\n', stderr: '' });
  });

  it('-q with -v is a usage error (exit 2) naming --quiet, on every command', async () => {
    for (const command of ['status', 'migrate', 'export', 'verify', 'health', 'doctor']) {
      const { code, stdout, stderr } = await cli(['-q', '-v', command]);
      expect(code, command).toBe(2);
      expect(stdout, command).toBe('');
      expect(stderr, command).toContain('--quiet');
      expect(stderr, command).toContain('cannot be combined with --verbose');
    }
  });
});
