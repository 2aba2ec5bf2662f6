import { win32 } from 'node:path';
import { z } from 'zod';
import { noControlChars, parseOptions, timeSchema, zoneSchema, type DailyRunSchedule } from './options.js';

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
export interface TaskOptions extends DailyRunSchedule {
  taskName: string;
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

/** Task options after validation, defaults filled in. */
export type ValidTaskOptions = z.output<typeof taskOptionsSchema>;

/**
 * Validates task options and fills in the defaults (`startDate` 2026-01-01,
 * `executionTimeLimit` PT2H, `logon` interactive).
 *
 * @throws Error naming the first problem of each offending field.
 */
export function validateTaskOptions(options: TaskOptions): ValidTaskOptions {
  // First problem per field only (an empty path is also "not absolute").
  return parseOptions(taskOptionsSchema, options, 'task');
}
