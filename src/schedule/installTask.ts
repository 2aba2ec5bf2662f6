import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeTaskXmlFile } from './taskXmlFile.js';

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
 * Thrown by {@link installTask} and {@link installTaskXml} on a platform other
 * than Windows, before anything is written or run. A usage error naming
 * `--install`, so the CLI exits 2; any other error from them is a real failure
 * (exit 1).
 */
export class UnsupportedPlatformError extends UsageError {
  constructor(platform: string) {
    super(
      '--install',
      `only works on Windows (it registers the task with schtasks); this is ` +
        `${platform}. Run "canonical-tests schedule" without --install to print the task XML ` +
        `and register it on the Windows machine.`,
    );
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
 * existing task of that name). The file must be UTF-16LE with a BOM, as
 * written by `writeTaskXmlFile`.
 *
 * @param xmlPath path of the task XML file.
 * @param taskName task path, e.g. `\CanonicalTests\DailyEvaluation`.
 * @param platform defaults to `process.platform`; only `win32` is supported.
 * @param run defaults to {@link spawnSyncRunner}; injectable for tests.
 * @returns the command and arguments that were run.
 * @throws {@link UnsupportedPlatformError} (message: `--install: only works on
 *   Windows…`) on any platform but `win32`, without running anything.
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

/** Options of {@link installTaskXml}; every one has a default, the last three are for tests. */
export interface InstallOptions {
  /** Also keep the XML at this path (written before schtasks runs); default: a temporary file, removed afterwards. */
  output?: string;
  /** Defaults to `process.platform`; only `win32` is supported. */
  platform?: string;
  /** Defaults to {@link spawnSyncRunner}. */
  run?: CommandRunner;
  /** Folder that receives the temporary folder; defaults to `os.tmpdir()`. */
  tempRoot?: string;
}

/**
 * `schedule --install`: registers the task `taskName` from the task XML
 * `xml` (from `buildTaskXml`). The platform is checked before anything is
 * written. The XML goes, UTF-16LE with a BOM, to `options.output` when given,
 * else to a fresh `canonical-tests-task-XXXXXX` folder of its own under the
 * temporary folder (unique, so users sharing a machine never collide), which
 * is removed once schtasks has run, whether it succeeded or not.
 *
 * @returns the command and arguments that were run.
 * @throws {@link UnsupportedPlatformError} (a UsageError naming `--install`,
 *   exit 2) on any platform but `win32`, having written and run nothing.
 * @throws the `fs` error when the XML cannot be written, and the errors of
 *   {@link installTask} when schtasks fails or cannot be started.
 */
export function installTaskXml(xml: string, taskName: string, options: InstallOptions = {}): { command: string; args: string[] } {
  const platform = options.platform ?? process.platform;
  if (platform !== 'win32') throw new UnsupportedPlatformError(platform);
  const run = options.run ?? spawnSyncRunner;
  if (options.output !== undefined) {
    writeTaskXmlFile(options.output, xml);
    return installTask(options.output, taskName, platform, run);
  }
  const folder = mkdtempSync(join(options.tempRoot ?? tmpdir(), 'canonical-tests-task-'));
  try {
    const file = join(folder, 'task.xml');
    writeTaskXmlFile(file, xml);
    return installTask(file, taskName, platform, run);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
