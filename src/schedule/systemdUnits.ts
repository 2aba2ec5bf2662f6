import { z } from 'zod';
import { noControlChars, type DailyRunSchedule, parseOptions, posixAbsolutePath, timeSchema, zoneSchema } from './options.js';

/**
 * What goes into the systemd service and timer that start the daily run.
 *
 * - `time`: `HH:MM`, 24-hour, 00:00–23:59: the timer's start time in `zone`.
 * - `zone`: IANA zone; the timer's `OnCalendar` carries it, so the run starts at
 *   `time` in that zone whatever the machine's zone (systemd 235 or newer).
 * - `nodePath`: absolute path of the node executable (first word of `ExecStart`).
 *   systemd refuses an executable path holding a quote, an apostrophe or a
 *   backslash, so those are refused here.
 * - `scriptPath`: absolute path of the CLI's compiled entry point.
 * - `arguments`: the CLI arguments after the script (see `dailyRunArguments`).
 * - `workingDirectory`: absolute; the run's relative folders and its `.env` file
 *   resolve against it.
 * - `user`: the account the service runs as (`User=`): a user name or a numeric id.
 * - `unitName`: base name of both units, default `canonical-tests`.
 * - `timeoutStart`: `TimeoutStartSec=` (a systemd time span), default `2h`: a
 *   oneshot service has no start timeout of its own.
 * - `description`: the service's `Description=`; a default names time and zone.
 */
export interface SystemdOptions extends DailyRunSchedule {
  user: string;
  unitName?: string;
  timeoutStart?: string;
  description?: string;
}

/** The two unit files: their names and their contents. */
export interface SystemdUnits {
  /** e.g. `canonical-tests.service` */
  serviceFileName: string;
  /** e.g. `canonical-tests.timer` */
  timerFileName: string;
  /** The service unit's text, ending in a newline. */
  service: string;
  /** The timer unit's text, ending in a newline. */
  timer: string;
  /** The timer's `OnCalendar=` value, e.g. `*-*-* 06:00:00 Europe/Oslo`. */
  onCalendar: string;
  /** The start time and zone, e.g. `06:00 Europe/Oslo`, for messages. */
  startsAt: string;
}

/** Where system units written by an administrator live. */
export const SYSTEM_UNIT_DIR = '/etc/systemd/system';

// Characters systemd refuses in the executable of ExecStart= even when quoted
// ("Executable name contains special characters"): quotes, apostrophes, backslashes.
const UNSAFE_EXECUTABLE = /["'\\]/;

// A word that needs neither quoting nor escaping anywhere in a unit file.
const PLAIN_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;

const executablePath = posixAbsolutePath.refine(
  (p) => !UNSAFE_EXECUTABLE.test(p),
  'systemd refuses an executable path containing a quote, an apostrophe or a backslash',
);

const literalPath = posixAbsolutePath
  // The unit parser strips trailing whitespace and joins a line ending in a backslash
  // with the next one: such a value cannot be written literally.
  .refine((p) => !/[\s\\]$/.test(p), 'must not end in whitespace or a backslash');

const systemdOptionsSchema = z.object({
  time: timeSchema,
  zone: zoneSchema,
  nodePath: executablePath,
  scriptPath: posixAbsolutePath,
  arguments: z.array(z.string().refine(noControlChars, 'must not contain control characters')),
  workingDirectory: literalPath,
  user: z.string().regex(/^(?:[A-Za-z_][A-Za-z0-9_.-]*\$?|\d+)$/, 'must be a user name or a numeric user id'),
  unitName: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/, 'must be a plain unit name such as canonical-tests')
    .refine((n) => !/\.(service|timer)$/.test(n), 'must not end in .service or .timer')
    .default('canonical-tests'),
  timeoutStart: z
    .string()
    .regex(/^(?:infinity|\d+(?:us|ms|s|min|h|d|w)?(?: \d+(?:us|ms|s|min|h|d|w)?)*)$/, 'must be a systemd time span such as 2h')
    .default('2h'),
  description: z
    .string()
    .refine(noControlChars, 'must not contain control characters')
    .refine((d) => !d.endsWith('\\'), 'must not end in a backslash')
    .optional(),
});

/** `%` starts a specifier (`%h`, `%n`, …) in every setting used here; `%%` is a literal `%`. */
function escapeSpecifiers(value: string): string {
  return value.replace(/%/g, '%%');
}

/**
 * Writes one argument of an `ExecStart=` command line (any word after the
 * executable) so that systemd hands the process exactly `arg`.
 *
 * systemd expands `%` specifiers in the whole line and `$NAME` / `${NAME}`
 * variables in every argument, then splits the line into words, honouring double
 * quotes with C-style backslash escapes. So `%` becomes `%%`, `$` becomes `$$`, and
 * a word holding anything but `[A-Za-z0-9_@+=:,./-]` is double-quoted with `\` and
 * `"` escaped. A plain word is left bare; the empty string becomes `""`.
 *
 * @throws Error when `arg` contains a control character (it would end the line).
 */
export function quoteSystemdArg(arg: string): string {
  if (!noControlChars(arg)) throw new Error(`a systemd argument must not contain control characters: ${JSON.stringify(arg)}`);
  if (PLAIN_WORD.test(arg)) return arg;
  const escaped = arg
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/%/g, '%%')
    .replace(/\$/g, '$$$$');
  return `"${escaped}"`;
}

/**
 * Writes the executable of `ExecStart=`: `%` doubled (specifiers are expanded in
 * it) but `$` left alone (variables are not expanded in the executable), quoted
 * when it holds a space or another character outside `[A-Za-z0-9_@+=:,./-]`.
 * The path must already be free of `"`, `'`, `\` and control characters.
 */
function systemdExecutable(path: string): string {
  const escaped = escapeSpecifiers(path);
  return PLAIN_WORD.test(path) ? escaped : `"${escaped}"`;
}

/**
 * Builds the service unit (Type=oneshot, the daily run in the project folder as
 * `user`) and the timer unit (`OnCalendar=*-*-* HH:MM:00 <zone>`, `Persistent=true`,
 * `Unit=` the service) for the daily run.
 *
 * Quoting follows the systemd unit-file syntax: `ExecStart=` words are quoted and
 * escaped by {@link quoteSystemdArg} (the executable by the stricter rule systemd
 * applies to it); `WorkingDirectory=` is taken literally by systemd, so it is
 * never quoted, only its `%` doubled; `Description=` likewise.
 *
 * The service wants and comes after `network-online.target` (the database may be
 * on another machine); `--wait-for-db` in the arguments covers a server that is
 * still starting. A timer does not start its service again while a run is still
 * going, and `TimeoutStartSec=` bounds one run.
 *
 * @returns both file names, both texts and the `OnCalendar=` value.
 * @throws Error whose message names each offending field (e.g. `nodePath`,
 *   `workingDirectory`, `user`, `time`, `zone`) when the options are invalid:
 *   time not `HH:MM`, unknown zone, relative paths, control characters, an
 *   executable path systemd would refuse, a working directory ending in
 *   whitespace or a backslash, a user name systemd would refuse, a bad unit name
 *   or time span.
 */
export function buildSystemdUnits(options: SystemdOptions): SystemdUnits {
  const o = parseOptions(systemdOptionsSchema, options, 'systemd');
  const serviceFileName = `${o.unitName}.service`;
  const timerFileName = `${o.unitName}.timer`;
  const onCalendar = `*-*-* ${o.time}:00 ${o.zone}`;
  const description = o.description ?? `Canonical test-window evaluator: daily run (${o.time} ${o.zone})`;
  const execStart = [systemdExecutable(o.nodePath), quoteSystemdArg(o.scriptPath), ...o.arguments.map(quoteSystemdArg)].join(' ');

  const service = [
    '[Unit]',
    `Description=${escapeSpecifiers(description)}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `User=${o.user}`,
    `WorkingDirectory=${escapeSpecifiers(o.workingDirectory)}`,
    `ExecStart=${execStart}`,
    `TimeoutStartSec=${o.timeoutStart}`,
    '',
  ].join('\n');

  const timer = [
    '[Unit]',
    `Description=Daily start of ${serviceFileName} at ${o.time} ${o.zone}`,
    '',
    '[Timer]',
    `OnCalendar=${onCalendar}`,
    'Persistent=true',
    `Unit=${serviceFileName}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');

  return { serviceFileName, timerFileName, service, timer, onCalendar, startsAt: `${o.time} ${o.zone}` };
}

/**
 * The text `schedule --format systemd` prints: both units, each under a marker
 * line `# ---- <absolute file name> ----`, then the commands that enable the
 * timer, as comments. Every line that is not part of a unit is a `#` comment, so
 * copying a whole section into its file is harmless.
 *
 * @param units from {@link buildSystemdUnits}.
 * @param unitDir folder of the unit files, default `/etc/systemd/system`.
 */
export function formatSystemdUnits(units: SystemdUnits, unitDir: string = SYSTEM_UNIT_DIR): string {
  return [
    `# canonical-tests: a systemd service and timer for the daily run at ${units.startsAt}.`,
    '# Save each unit below as root in the file its marker names, then run the commands at the end.',
    '',
    `# ---- ${unitDir}/${units.serviceFileName} ----`,
    units.service,
    `# ---- ${unitDir}/${units.timerFileName} ----`,
    units.timer,
    '# ---- then, as root ----',
    '#   systemctl daemon-reload',
    `#   systemctl enable --now ${units.timerFileName}`,
    `#   systemctl list-timers ${units.timerFileName}     # shows the next start`,
    '',
  ].join('\n');
}
