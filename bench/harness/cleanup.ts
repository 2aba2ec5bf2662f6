/**
 * Undo actions of the benchmark (drop the database, stop the embedded server,
 * remove temporary folders, kill a running child), run in reverse order at the
 * end, on an error, or on Ctrl-C / SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';

type Undo = () => Promise<void> | void;

const undos: { label: string; undo: Undo }[] = [];
let activeChild: ChildProcess | null = null;
let running: Promise<void> | null = null;

/** Registers an undo action; the latest registered runs first. */
export function onCleanup(label: string, undo: Undo): void {
  undos.push({ label, undo });
}

/** Marks `child` as the process to kill if the benchmark is interrupted (null when it has exited). */
export function trackChild(child: ChildProcess | null): void {
  activeChild = child;
}

/** Runs every registered undo once, newest first; a failing one is reported and the rest still run. */
export function runCleanup(): Promise<void> {
  running ??= (async () => {
    if (activeChild && activeChild.exitCode === null) activeChild.kill('SIGTERM');
    for (const { label, undo } of undos.reverse()) {
      try {
        await undo();
      } catch (error) {
        process.stderr.write(`bench: cleanup "${label}" failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    undos.length = 0;
  })();
  return running;
}

/** On SIGINT / SIGTERM: clean up, then exit 130 / 143. */
export function cleanupOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}: cleaning up\n`);
      void runCleanup().finally(() => process.exit(code));
    });
  }
}
