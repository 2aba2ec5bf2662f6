import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** The built executable, as `npm install` links it (scripts/bundle.ts): `npm test` builds before running the suite. */
export const CLI = join(packageRoot(), 'dist', 'bin', 'canonical-tests.js');

/** What a run of the executable left: exit code (null when killed), the signal that killed it, and both streams. */
export interface CliOutcome {
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `canonical-tests` process. */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves when the process has exited and its streams are closed. */
  done: Promise<CliOutcome>;
  /** Resolves once `text` has appeared on stderr; rejects if the process ends first. */
  stderrShows(text: string): Promise<void>;
}

/**
 * Starts `canonical-tests args` as a real process in `cwd`, with this process's
 * environment minus every `PG*` variable and `DATABASE_URL`, plus `env`.
 */
export function startCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): RunningCli {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'DATABASE_URL'));
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of waiters.filter((x) => stderr.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<CliOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrShows: (text) =>
      stderr.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void done.then((o) =>
              reject(new Error(`process ended (code ${o.code}) before stderr showed ${JSON.stringify(text)}:\n${o.stderr}`)),
            );
          }),
  };
}

/** Runs `canonical-tests args` to its end (see {@link startCli}). */
export async function runCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliOutcome> {
  const { code, stdout, stderr } = await startCli(args, cwd, env).done;
  return { code, stdout, stderr };
}
