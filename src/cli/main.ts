#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { loadDotEnv } from '../config/dotEnv.js';
import type { PhaseHook } from '../domain/phases.js';
import { ExitCode, exitCodeOf } from '../errors.js';
import { err } from './stdio.js';
import { pauseHookFromEnv } from './pauseHook.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI on `argv` and returns its exit code (README "Exit codes"):
 * commands report theirs; `--help`, `help` and `--version` exit 0; commander's
 * own errors are usage errors (2), and so is no command at all (the help goes
 * to stderr); every other error is printed on stderr as one line, never with
 * a password, and mapped by its class.
 *
 * @param onPhase the test-only phase hook (only the executable's entry passes one).
 */
export async function main(argv: string[], onPhase?: PhaseHook): Promise<number> {
  let code: number = ExitCode.done;
  const program = await buildProgram(argv, { setExit: (c) => (code = c), onPhase, entryScript: fileURLToPath(import.meta.url) });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    // Commander says 0 for help asked for and the version, non-zero for a usage error or no command.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.done : ExitCode.usage;
    err(`canonical-tests: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeOf(error);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await Promise.resolve()
    .then(() => loadDotEnv(process.env, process.cwd()))
    .then(() => main(process.argv, pauseHookFromEnv(process.env)))
    .catch((error: unknown) => {
      err(`canonical-tests: ${error instanceof Error ? error.message : String(error)}`);
      return exitCodeOf(error);
    });
  // Exit explicitly once stdout has drained: a stray handle must not keep a
  // scheduled run alive, and no library exit hook may change the code.
  process.stdout.write('', () => process.exit(code));
}
