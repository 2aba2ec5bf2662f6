import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, win32 } from 'node:path';
import { z } from 'zod';
import { noControlChars, parseOptions, timeSchema, zoneSchema } from './options.js';

/**
 * What goes into the Windows Task Scheduler task that starts the daily run.
 *
 * - `time`: `HH:MM`, 24-hour, 00:00–23:59. Interpreted by Task Scheduler in the
 *   machine's local time (README.md "Scheduling").
 * - `zone`: the configured IANA zone. Informational only (it goes into the default
 *   description); the task itself cannot carry a zone. Must be a zone `Intl` knows.
 * - `taskName`: the task path, e.g. `\CanonicalTests\DailyEvaluation`; becomes
 *   `RegistrationInfo/URI` and is what `schtasks /TN` should be given.
 * - `nodePath`: absolute path of `node.exe` (`Exec/Command`).
 * - `scriptPath`: absolute path of the CLI's compiled JS entry point (first argument).
 * - `arguments`: the CLI arguments after the script, e.g.
 *   `['run', '--wait-for-db', '300', '--zone', 'Europe/Oslo']`.
 * - `workingDirectory`: absolute; relative settings (`./reports`, `./evidence`)
 *   and the `.env` file resolve against it.
 * - `startDate`: `YYYY-MM-DD` of the first `StartBoundary`, default `2026-01-01`.
 * - `executionTimeLimit`: ISO 8601 duration, default `PT2H`.
 * - `description`: `RegistrationInfo/Description`; a default names time and zone.
 * - `logon`: how Task Scheduler logs the user on, default `interactive`
 *   (see {@link LogonMode}).
 */
export interface TaskOptions {
  time: string;
  zone: string;
  taskName: string;
  nodePath: string;
  scriptPath: string;
  arguments: string[];
  workingDirectory: string;
  startDate?: string;
  executionTimeLimit?: string;
  description?: string;
  logon?: LogonMode;
}

/**
 * How the task's user is logged on when the task starts (`Principal/LogonType`).
 *
 * - `interactive` (`InteractiveToken`): the task runs only while that user is
 *   logged on, with the user's own token. Registering it needs neither elevation
 *   nor a password.
 * - `s4u` (`S4U`, "service for user"): the task runs whether or not the user is
 *   logged on; Windows stores no password. The process has no network
 *   credentials (no shares, no Windows-authenticated remote services) and cannot
 *   open the user's EFS-encrypted files: enough for a project folder on a local
 *   disk and a PostgreSQL reached over TCP with the connection string in the
 *   project folder's `.env` file.
 */
export type LogonMode = 'interactive' | 's4u';

/** The logon modes, in the order `--help` lists them. */
export const LOGON_MODES: readonly LogonMode[] = ['interactive', 's4u'];

const LOGON_TYPE: Record<LogonMode, string> = { interactive: 'InteractiveToken', s4u: 'S4U' };

/** Task Scheduler XML namespace (schema version 1.2). */
const TASK_NAMESPACE = 'http://schemas.microsoft.com/windows/2004/02/mit/task';

// Characters XML 1.0 cannot carry at all (NUL, most C0 controls). Paths and
// arguments are held to the stricter `noControlChars` (CR/LF/TAB too), which would
// silently turn into spaces in a command line or path.
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const XML_INVALID_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

const absolutePath = z
  .string()
  .min(1, 'must not be empty')
  .refine(noControlChars, 'must not contain control characters')
  // win32.isAbsolute accepts `C:\...`, UNC `\\server\share` and rooted `/...`.
  .refine((p) => win32.isAbsolute(p), 'must be an absolute path');

function isRealDate(s: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

const taskOptionsSchema = z.object({
  time: timeSchema,
  zone: zoneSchema,
  taskName: z.string().min(1, 'must not be empty').refine(noControlChars, 'must not contain control characters'),
  nodePath: absolutePath,
  scriptPath: absolutePath,
  arguments: z.array(z.string().refine(noControlChars, 'must not contain control characters')),
  workingDirectory: absolutePath,
  startDate: z.string().refine(isRealDate, 'must be a real calendar date YYYY-MM-DD').default('2026-01-01'),
  executionTimeLimit: z
    .string()
    .regex(
      /^P(?!$)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/,
      'must be an ISO 8601 duration such as PT2H',
    )
    .default('PT2H'),
  description: z
    .string()
    .refine((s) => !XML_INVALID_CHARS.test(s), 'must not contain characters XML cannot carry')
    .optional(),
  logon: z.enum(['interactive', 's4u']).default('interactive'),
});

type ValidTaskOptions = z.output<typeof taskOptionsSchema>;

function validate(options: TaskOptions): ValidTaskOptions {
  // First problem per field only (an empty path is also "not absolute").
  return parseOptions(taskOptionsSchema, options, 'task');
}

/**
 * Escapes the five XML special characters so any string can be used as element
 * text or as an attribute value. `&` first, so existing entities are not re-read.
 */
function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * Quotes one argument for a Windows command line so that the MSVCRT /
 * `CommandLineToArgvW` parser (which node.exe uses) gives back exactly `arg`.
 * Left bare when it has no space, tab or quote and is not empty; otherwise wrapped
 * in quotes, with `"` written as `\"` and backslashes doubled only where they
 * precede a quote (including the closing one). `always` forces the quotes.
 */
export function quoteWindowsArg(arg: string, always = false): string {
  if (!always && arg.length > 0 && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes += 1;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  // Backslashes before the closing quote must be doubled or they would escape it.
  out += '\\'.repeat(backslashes * 2) + '"';
  return out;
}

/**
 * Builds the Task Scheduler task XML (schema 1.2) for the daily run.
 *
 * What Task Scheduler needs for an unattended daily run (README.md "Scheduling"):
 * - `encoding="UTF-16"` declaration (write it with {@link writeTaskXmlFile});
 * - `CalendarTrigger` + `ScheduleByDay/DaysInterval 1` with a `StartBoundary`
 *   `YYYY-MM-DDTHH:MM:00` **without** offset or `Z`, so the task fires at that
 *   wall-clock time in the machine's local zone and follows DST;
 * - `StartWhenAvailable` true (a missed start runs later; the CLI still evaluates
 *   the scheduled date's as-of instant), `MultipleInstancesPolicy` IgnoreNew,
 *   `ExecutionTimeLimit`, `Exec/Command` = absolute node.exe, `Arguments`,
 *   `WorkingDirectory`. No `RestartOnFailure`: it never retries a non-zero exit,
 *   so transient database outages are handled by `--wait-for-db` instead;
 * - `Principal/LogonType` `InteractiveToken` or `S4U` after `logon`, no `UserId`
 *   (schtasks registers the task for the account that runs it) and `RunLevel`
 *   LeastPrivilege, so no password ever goes into the XML.
 *
 * `Arguments` is the script path (always quoted) followed by each argument,
 * quoted by Windows command-line rules when it contains spaces or quotes. Every
 * text value is XML-escaped.
 *
 * @returns the XML document as a string (no BOM).
 * @throws Error whose message names the offending field(s) (e.g. `time`) when the
 *   options are invalid: time not `HH:MM` 00:00–23:59, empty or relative paths,
 *   unknown zone, `startDate` not a real date, bad ISO duration, `logon` neither
 *   `interactive` nor `s4u`.
 */
export function buildTaskXml(options: TaskOptions): string {
  const o = validate(options);
  const startBoundary = `${o.startDate}T${o.time}:00`;
  const description =
    o.description ?? `Canonical test-window evaluator: daily run at ${o.time} machine local time ` + `(configured zone ${o.zone}).`;
  const commandLine = [quoteWindowsArg(o.scriptPath, true), ...o.arguments.map((arg) => quoteWindowsArg(arg))].join(' ');
  const e = xmlEscape;

  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    `<Task version="1.2" xmlns="${TASK_NAMESPACE}">`,
    '  <RegistrationInfo>',
    `    <Description>${e(description)}</Description>`,
    `    <URI>${e(o.taskName)}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <CalendarTrigger>',
    `      <StartBoundary>${e(startBoundary)}</StartBoundary>`,
    '      <Enabled>true</Enabled>',
    '      <ScheduleByDay>',
    '        <DaysInterval>1</DaysInterval>',
    '      </ScheduleByDay>',
    '    </CalendarTrigger>',
    '  </Triggers>',
    // No UserId and no password in either mode: schtasks registers the task for
    // the account that runs it (`/RU user /RP pw` would override this principal with
    // a stored-password logon). InteractiveToken needs neither elevation nor a
    // password and gets the user's own token, but only runs while that user is
    // logged on. S4U runs whether or not the user is logged on, without a stored
    // password, and its process has no network credentials: fine for a local
    // project folder and a PostgreSQL over TCP whose connection string is in the
    // project folder's .env file.
    '  <Principals>',
    '    <Principal id="Author">',
    `      <LogonType>${LOGON_TYPE[o.logon]}</LogonType>`,
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    `    <ExecutionTimeLimit>${e(o.executionTimeLimit)}</ExecutionTimeLimit>`,
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${e(o.nodePath)}</Command>`,
    `      <Arguments>${e(commandLine)}</Arguments>`,
    `      <WorkingDirectory>${e(o.workingDirectory)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\n');
}

/**
 * Writes task XML the way Task Scheduler requires: UTF-16LE with a BOM, matching
 * the `encoding="UTF-16"` declaration (UTF-8 bytes under that declaration are
 * rejected as malformed).
 *
 * Atomic: writes `'\ufeff' + xml` as `utf16le` to a temporary file in the same
 * folder, then renames it over `path`; the temporary file is removed if that fails.
 *
 * @param path destination file (its folder must exist).
 * @param xml the document, e.g. from {@link buildTaskXml}, without a BOM.
 * @throws the underlying `fs` error when the folder is missing or not writable.
 */
export function writeTaskXmlFile(path: string, xml: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, '\ufeff' + xml, 'utf16le');
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created or is already gone
    }
    throw err;
  }
}

function canonicalZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

/**
 * Warns when the configured zone is not the machine's zone. A
 * `StartBoundary` without offset fires at the wall-clock time of the machine's
 * local zone, so with a different configured zone the task starts at the wrong
 * instant (the as-of instant itself is still computed in the configured zone).
 *
 * Aliases and case are normalised through `Intl` (`Etc/UTC` = `UTC`), so only a
 * real difference warns. Never throws.
 *
 * @param configuredZone the `--zone` / `CANONICAL_TZ` value.
 * @param machineZone defaults to `Intl.DateTimeFormat().resolvedOptions().timeZone`.
 * @returns a warning sentence naming both zones, or `null` when they are the same.
 */
export function zoneMismatchWarning(
  configuredZone: string,
  machineZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone,
): string | null {
  if (canonicalZone(configuredZone) === canonicalZone(machineZone)) return null;
  return (
    `Warning: the configured zone ${configuredZone} differs from this machine's zone ` +
    `${machineZone}; Task Scheduler fires the task at the scheduled time in the ` +
    `machine's local time (${machineZone}), not in ${configuredZone}.`
  );
}
