import { spawnSync } from 'node:child_process';

/** What a {@link CommandRunner} reports back: exit status (null if killed) and output. */
export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

/** Runs `command` with `args` (no shell) and waits for it. Injectable for tests. */
export type CommandRunner = (command: string, args: string[]) => CommandResult;

/**
 * Thrown by {@link installTask} on a platform other than Windows. The CLI maps it
 * to exit code 2 (usage error); any other error from `installTask` is
 * a real failure (exit 1).
 */
export class UnsupportedPlatformError extends Error {
  constructor(platform: string) {
    super(
      `--install only works on Windows (it registers the task with schtasks); this is ` +
        `${platform}. Run "canonical-tests schedule" without --install to print the task XML ` +
        `and register it on the Windows machine.`,
    );
    this.name = 'UnsupportedPlatformError';
  }
}

/**
 * Default {@link CommandRunner}: `child_process.spawnSync` with an argument array
 * and no shell, so paths and task names need no shell quoting.
 */
export const spawnSyncRunner: CommandRunner = (command, args) => {
  const result = spawnSync(command, args, { encoding: 'utf8', windowsHide: true });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    ...(result.error ? { error: result.error } : {}),
  };
};

/**
 * Registers (or replaces) the scheduled task from a task XML file:
 * `schtasks /Create /XML <xmlPath> /TN <taskName> /F` (`/F` overwrites an
 * existing task of that name). The file must be
 * UTF-16LE with a BOM, as written by `writeTaskXmlFile`.
 *
 * @param xmlPath path of the task XML file.
 * @param taskName task path, e.g. `\CanonicalTests\DailyEvaluation`.
 * @param platform defaults to `process.platform`; only `win32` is supported.
 * @param run defaults to {@link spawnSyncRunner}; injectable for tests.
 * @returns the command and arguments that were run.
 * @throws {@link UnsupportedPlatformError} (message: `--install only works on
 *   Windows`) on any platform but `win32`, without running anything.
 * @throws Error with schtasks' stderr (or stdout if stderr is empty) when it exits
 *   non-zero, and Error when schtasks cannot be started at all.
 */
export function installTask(
  xmlPath: string,
  taskName: string,
  platform: string = process.platform,
  run: CommandRunner = spawnSyncRunner,
): { command: string; args: string[] } {
  if (platform !== 'win32') throw new UnsupportedPlatformError(platform);
  const command = 'schtasks';
  const args = ['/Create', '/XML', xmlPath, '/TN', taskName, '/F'];
  const result = run(command, args);
  if (result.error) {
    throw new Error(`could not start schtasks: ${result.error.message}`, { cause: result.error });
  }
  if (result.status !== 0) {
    const output = (result.stderr.trim() || result.stdout.trim() || '(no output)').trim();
    const how = result.status === null ? 'was killed' : `exited with code ${result.status}`;
    throw new Error(`schtasks /Create ${how}: ${output}`);
  }
  return { command, args };
}
