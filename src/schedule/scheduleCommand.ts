import { tmpdir, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { buildCronEntry } from './cronLine.js';
import { installTaskXml, spawnSyncRunner, type CommandRunner } from './installTask.js';
import { dailyRunArguments, TIME_PATTERN, type DailyRunSchedule } from './options.js';
import { buildSystemdUnits, formatSystemdUnits } from './systemdUnits.js';
import { LOGON_MODES, type LogonMode } from './taskOptions.js';
import { buildTaskXml } from './taskXml.js';
import { writeTaskXmlFile } from './taskXmlFile.js';
import { zoneMismatchWarning } from './zoneMismatch.js';

/** The schedulers `schedule --format` can print for. */
export const SCHEDULE_FORMATS = ['windows', 'systemd', 'cron'] as const;
export type ScheduleFormat = (typeof SCHEDULE_FORMATS)[number];

/** Default task path of the Windows task. */
export const DEFAULT_TASK_NAME = '\\CanonicalTests\\DailyEvaluation';

/** The flags of `canonical-tests schedule`, as commander hands them over (all strings, unparsed). */
export interface ScheduleFlags {
  /** `--time`, `HH:MM`; default `06:00`. */
  time?: string;
  /** `--format`: `windows` (default), `systemd` or `cron`. */
  format?: string;
  /** `--logon` (windows only): `interactive` (default) or `s4u`. */
  logon?: string;
  /** `--task-name` (windows only); default `\CanonicalTests\DailyEvaluation`. */
  taskName?: string;
  /** `--output` (windows only): write the XML to this file instead of printing it. */
  output?: string;
  /** `--install` (windows only): register the task with schtasks. */
  install?: boolean;
}

/**
 * Everything {@link runSchedule} needs besides the flags. Only `zone` and
 * `scriptPath` are required; the rest default to this process's facts and are
 * injectable for tests.
 */
export interface ScheduleContext {
  /** The configured zone (`--zone` / `CANONICAL_TZ`), already validated. */
  zone: string;
  /** Absolute path of the CLI's compiled entry point, which the scheduler starts. */
  scriptPath: string;
  /** Absolute node executable; default `process.execPath`. */
  nodePath?: string;
  /** The project folder the run starts in; default `process.cwd()`. */
  workingDirectory?: string;
  /** The account a systemd service runs as; default the current user's name. */
  user?: string;
  /** This machine's zone; default the process's zone. */
  machineZone?: string;
  /** Default `process.platform` (only `win32` can `--install`). */
  platform?: string;
  /** Runs schtasks for `--install`; default `spawnSync`. */
  run?: CommandRunner;
  /** Where `--install` without `--output` writes the XML; default the OS temporary folder. */
  tempDir?: string;
}

/** Where {@link runSchedule} prints: one call per line, without the newline. */
export interface ScheduleIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Parses `--format`.
 *
 * @param value the flag, or `undefined` for the default `windows`.
 * @throws UsageError naming `--format` (exit 2) for anything but `windows`,
 *   `systemd` or `cron`.
 */
export function parseScheduleFormat(value: string | undefined): ScheduleFormat {
  if (value === undefined) return 'windows';
  if ((SCHEDULE_FORMATS as readonly string[]).includes(value)) return value as ScheduleFormat;
  throw new UsageError('--format', `${JSON.stringify(value)} is not one of ${SCHEDULE_FORMATS.join(', ')}`);
}

/**
 * Parses `--logon`.
 *
 * @param value the flag, or `undefined` for the default `interactive`.
 * @throws UsageError naming `--logon` (exit 2) for anything but `interactive` or `s4u`.
 */
export function parseLogonMode(value: string | undefined): LogonMode {
  if (value === undefined) return 'interactive';
  if ((LOGON_MODES as readonly string[]).includes(value)) return value as LogonMode;
  throw new UsageError('--logon', `${JSON.stringify(value)} is not one of ${LOGON_MODES.join(', ')}`);
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch (error) {
    throw new Error(`cannot tell which account the systemd service should run as: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * `canonical-tests schedule`: prints (or for Windows writes or registers) what a
 * scheduler needs to start the daily run, `run --catch-up --wait-for-db 300
 * --zone <zone> --run-time <time>`, in the project folder at `--time` every day.
 *
 * - `windows` (default): the Task Scheduler XML on stdout, or written as UTF-16LE
 *   with a BOM to `--output`, or registered with `--install` (Windows only).
 *   `--logon s4u` makes it run whether or not the user is logged on. Warns on
 *   stderr when the configured zone is not the machine's: the task fires in
 *   machine-local time.
 * - `systemd`: the service and timer units and the commands to enable the timer.
 *   The timer carries the zone. Notes on stderr when the service would run as root.
 * - `cron`: comment lines, `CRON_TZ=<zone>` and the crontab line.
 *
 * @returns `ExitCode.done`.
 * @throws UsageError (exit 2) naming `--format` or `--logon` for an unknown value,
 *   `--time` for a time that is not `HH:MM`, and `--logon`, `--task-name`,
 *   `--output` or `--install` given with a format other than `windows`;
 *   `--install` off Windows.
 * @throws Error (exit 1) when the builders refuse the paths (e.g. a project folder
 *   whose name holds a control character), or writing or schtasks fails.
 */
export function runSchedule(flags: ScheduleFlags, context: ScheduleContext, io: ScheduleIo): number {
  const { format, logon, time } = parseScheduleFlags(flags);
  const zone = context.zone;
  const common: DailyRunSchedule = {
    time,
    zone,
    nodePath: context.nodePath ?? process.execPath,
    scriptPath: context.scriptPath,
    arguments: dailyRunArguments(zone, time),
    workingDirectory: context.workingDirectory ?? process.cwd(),
  };
  if (format === 'systemd') printSystemd(common, context, io);
  else if (format === 'cron')
    buildCronEntry({ ...common, ...(context.machineZone ? { machineZone: context.machineZone } : {}) }).lines.forEach((line) =>
      io.out(line),
    );
  else windowsTask(common, logon, flags, context, io);
  return ExitCode.done;
}

/** The format, logon mode and time of the flags; refuses a Windows-only flag with another format. */
function parseScheduleFlags(flags: ScheduleFlags): { format: ScheduleFormat; logon: LogonMode; time: string } {
  const format = parseScheduleFormat(flags.format);
  const logon = parseLogonMode(flags.logon);
  const time = flags.time ?? '06:00';
  if (!TIME_PATTERN.test(time)) {
    throw new UsageError('--time', `${JSON.stringify(time)} must be HH:MM on a 24-hour clock (00:00 to 23:59)`);
  }
  if (format !== 'windows') {
    const windowsOnly: Array<[string, unknown]> = [
      ['--logon', flags.logon],
      ['--task-name', flags.taskName],
      ['--output', flags.output],
      ['--install', flags.install],
    ];
    for (const [flag, value] of windowsOnly) {
      if (value !== undefined) throw new UsageError(flag, `only applies to --format windows, not --format ${format}`);
    }
  }
  return { format, logon, time };
}

function printSystemd(common: DailyRunSchedule, context: ScheduleContext, io: ScheduleIo): void {
  const user = context.user ?? currentUser();
  const units = buildSystemdUnits({ ...common, user });
  if (user === 'root' || user === '0') {
    io.err(
      'Note: the service would run as root. Put the account that owns the project folder in User= ' +
        '(the embedded PostgreSQL refuses to run as root).',
    );
  }
  io.out(formatSystemdUnits(units).replace(/\n$/, ''));
}

function windowsTask(common: DailyRunSchedule, logon: LogonMode, flags: ScheduleFlags, context: ScheduleContext, io: ScheduleIo): void {
  const taskName = flags.taskName ?? DEFAULT_TASK_NAME;
  const xml = buildTaskXml({ ...common, taskName, logon });
  const warning = zoneMismatchWarning(common.zone, context.machineZone);
  if (warning) io.err(warning);
  if (flags.install) {
    // Checks the platform before writing anything; without --output the XML goes to a private temporary folder, removed after.
    installTaskXml(xml, taskName, {
      platform: context.platform ?? process.platform,
      run: context.run ?? spawnSyncRunner,
      tempRoot: context.tempDir ?? tmpdir(),
      ...(flags.output ? { output: resolve(flags.output) } : {}),
    });
    io.out(`installed ${taskName}`);
  } else if (flags.output) {
    writeTaskXmlFile(resolve(flags.output), xml);
    io.out(`wrote ${resolve(flags.output)}`);
  } else {
    io.out(xml.replace(/\n$/, ''));
  }
}
