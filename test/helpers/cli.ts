import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** The built executable: `npm test` builds before running the suite. */
export const CLI = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');

/** What a run of the executable left: exit code and both streams. */
export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `canonical-tests args` as a real process in `cwd`, with this process's
 * environment minus every `PG*` variable and `DATABASE_URL`, plus `env`.
 */
export function runCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliOutcome> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'DATABASE_URL'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
