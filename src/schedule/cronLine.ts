import { z } from 'zod';
import { noControlChars, type DailyRunSchedule, parseOptions, posixAbsolutePath, timeSchema, zoneSchema } from './options.js';

/**
 * What goes into the crontab entry that starts the daily run.
 *
 * - `time`: `HH:MM`, 24-hour, 00:00–23:59: minute and hour fields of the line.
 * - `zone`: IANA zone, written as `CRON_TZ=<zone>` before the line.
 * - `nodePath`, `scriptPath`: absolute paths of the node executable and the CLI's
 *   compiled entry point.
 * - `arguments`: the CLI arguments after the script (see `dailyRunArguments`).
 * - `workingDirectory`: absolute; the line `cd`s there first, so the run's
 *   relative folders and its `.env` file resolve against it.
 * - `machineZone`: this machine's zone, named in the comment for crons that
 *   ignore `CRON_TZ`; default the process's zone.
 */
export interface CronOptions extends DailyRunSchedule {
  machineZone?: string;
}

/** The crontab entry: its lines and, for tests and callers, the parts of the schedule line. */
export interface CronEntry {
  /** Comment lines, then `CRON_TZ=<zone>`, then the schedule line. */
  lines: string[];
  /** Minute field, e.g. `0`. */
  minute: string;
  /** Hour field, e.g. `6`. */
  hour: string;
  /** The command field exactly as written in the crontab (`%` escaped for cron). */
  command: string;
}

// A word the shell reads as itself: no quoting needed.
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// Cron turns `\%` into `%` and cuts the command at any other `%`, so a literal
// backslash directly before a percent sign cannot be written at all.
const cronWritable = (s: string): boolean => !s.includes('\\%');
const CRON_UNWRITABLE = 'must not contain a backslash directly before a percent sign (cron cannot write it)';

const cronPath = posixAbsolutePath.refine(cronWritable, CRON_UNWRITABLE);

const cronOptionsSchema = z.object({
  time: timeSchema,
  zone: zoneSchema,
  nodePath: cronPath,
  scriptPath: cronPath,
  arguments: z.array(z.string().refine(noControlChars, 'must not contain control characters').refine(cronWritable, CRON_UNWRITABLE)),
  workingDirectory: cronPath,
  machineZone: z.string().refine(noControlChars, 'must not contain control characters').optional(),
});

/**
 * Quotes one word for a POSIX shell (`/bin/sh`, which cron runs the command
 * with): left bare when it holds only `[A-Za-z0-9_@%+=:,./-]`, otherwise wrapped
 * in single quotes with each `'` written as `'\''`. The empty string becomes `''`.
 */
export function quoteShellArg(arg: string): string {
  if (PLAIN_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Escapes a command for the command field of a crontab line: cron turns an
 * unescaped `%` into a newline (and feeds the rest to the command's standard
 * input), and `\%` into `%`, before the shell sees the command — inside shell
 * quotes too. So every `%` becomes `\%`.
 */
export function escapeCronPercent(command: string): string {
  return command.replace(/%/g, '\\%');
}

/**
 * Builds the crontab entry for the daily run:
 *
 * ```
 * # canonical-tests: ... (comment lines: what CRON_TZ means and where it is honoured)
 * CRON_TZ=Europe/Oslo
 * 0 6 * * * cd /srv/canonical-tests && /usr/bin/node /srv/canonical-tests/dist/bin/canonical-tests.js run --catch-up ...
 * ```
 *
 * `CRON_TZ` is honoured by cronie (Fedora, RHEL, Arch; Ubuntu's `cronie`
 * package); other crons may run the line at that time in the machine's zone, as
 * the comment says. Every path and argument is shell-quoted by
 * {@link quoteShellArg} and the whole command `%`-escaped by
 * {@link escapeCronPercent}; `cd ... &&` keeps the run from starting anywhere else.
 *
 * @returns the lines and the parts of the schedule line.
 * @throws Error whose message names each offending field (e.g. `time`, `zone`,
 *   `workingDirectory`) when the options are invalid: time not `HH:MM`, unknown
 *   zone, relative paths, control characters, `\%` in a path or argument.
 */
export function buildCronEntry(options: CronOptions): CronEntry {
  const o = parseOptions(cronOptionsSchema, options, 'cron');
  const machineZone = o.machineZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [hh, mm] = o.time.split(':') as [string, string];
  const minute = String(Number(mm));
  const hour = String(Number(hh));
  const command = escapeCronPercent(
    `cd ${quoteShellArg(o.workingDirectory)} && ` + [o.nodePath, o.scriptPath, ...o.arguments].map(quoteShellArg).join(' '),
  );
  const lines = [
    `# canonical-tests: the daily run at ${o.time} ${o.zone}. Add these lines with "crontab -e" as the account that owns the project folder.`,
    `# CRON_TZ is honoured by cronie (Fedora, RHEL, Arch; Ubuntu's cronie package), which then runs the line at ${o.time} ${o.zone}`,
    `# and applies CRON_TZ to every line after it. Other crons may ignore it and run the line at ${o.time} in the machine's zone (here ${machineZone}).`,
    `CRON_TZ=${o.zone}`,
    `${minute} ${hour} * * * ${command}`,
  ];
  return { lines, minute, hour, command };
}
