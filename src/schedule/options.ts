import { z } from 'zod';

/**
 * Pieces shared by the three schedule builders (Task Scheduler XML, systemd
 * units, crontab line): the validation of time and zone, the rule against
 * control characters, one way of turning a zod failure into an error that names
 * each bad field, and the arguments every scheduler passes to the daily run.
 */

/**
 * What every scheduler starts: the daily run at `time` (`HH:MM`) in `zone` (an
 * IANA zone), as `nodePath scriptPath ...arguments` (absolute paths; the
 * arguments from {@link dailyRunArguments}) in `workingDirectory` (absolute).
 * Each builder states how it writes and checks them.
 */
export interface DailyRunSchedule {
  time: string;
  zone: string;
  nodePath: string;
  scriptPath: string;
  arguments: string[];
  workingDirectory: string;
}

/** `HH:MM` on a 24-hour clock, 00:00 to 23:59. */
export const TIME_PATTERN = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

// NUL, the C0 controls (CR, LF and TAB included) and DEL: none of them belongs in
// a path, a user name or an argument, and in a line-oriented format (unit files,
// crontabs) a newline would end the line and start one of someone else's choosing.
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** True when `s` holds no control character (see {@link CONTROL_CHARS}). */
export const noControlChars = (s: string): boolean => !CONTROL_CHARS.test(s);

/** True when `Intl` knows `zone` as a time zone (an IANA name such as `Europe/Oslo`, or `UTC`). */
export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The `time` field of every builder: `HH:MM`, 00:00–23:59. */
export const timeSchema = z.string().regex(TIME_PATTERN, 'must be HH:MM between 00:00 and 23:59');

/** The `zone` field of every builder: a zone `Intl` knows. */
export const zoneSchema = z.string().min(1, 'must not be empty').refine(isKnownZone, 'must be a known IANA time zone');

/** A POSIX absolute path (starts with `/`) without control characters. */
export const posixAbsolutePath = z
  .string()
  .min(1, 'must not be empty')
  .refine(noControlChars, 'must not contain control characters')
  .refine((p) => p.startsWith('/'), 'must be an absolute path');

/**
 * Parses `value` with `schema`, or throws one `Error` listing the first problem of
 * each field: `Invalid <what> options: time: must be HH:MM ...; zone: ...`.
 *
 * @param what the builder's name for the message, e.g. `systemd`.
 * @throws Error naming every offending field.
 */
export function parseOptions<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const byField = new Map<string, string>();
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'options';
    if (!byField.has(field)) byField.set(field, issue.message);
  }
  const messages = [...byField].map(([field, message]) => `${field}: ${message}`);
  throw new Error(`Invalid ${what} options: ${messages.join('; ')}`);
}

/**
 * The command-line arguments every scheduler passes after the CLI script:
 * `run --catch-up --wait-for-db 300 --zone <zone> --run-time <time>`.
 *
 * `--catch-up` evaluates days missed while the machine was off before today;
 * `--wait-for-db 300` retries a refused connection for five minutes (the database
 * may still be starting after boot, and no scheduler retries a non-zero exit);
 * `--zone` and `--run-time` make the as-of instant the scheduled time in the
 * configured zone, whenever the process actually starts.
 *
 * @param zone IANA zone, passed through unchanged.
 * @param time `HH:MM`, passed through unchanged.
 */
export function dailyRunArguments(zone: string, time: string): string[] {
  return ['run', '--catch-up', '--wait-for-db', '300', '--zone', zone, '--run-time', time];
}
