import { resolve } from 'node:path';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { UsageError } from '../errors.js';

/**
 * Run settings (README "Settings"), each from the command line, else the environment,
 * else the default. The environment is read here and nowhere else.
 */
export interface Settings {
  /** IANA zone in which dates, days and the run time are reckoned. Default `Europe/Oslo`. */
  zone: string;
  /** Scheduled local time `HH:MM`; the as-of instant of a date is this time on that date in `zone`. Default `06:00`. */
  runTime: string;
  /** Absolute folder for `RUNBOOK_{YYYYMMDD}.md`. Default `./reports` resolved against the working directory. */
  reportsDir: string;
  /** Absolute folder for evidence bundles. Default `./evidence`. */
  evidenceDir: string;
  /** Seconds to keep retrying a refused connection before exit 4. Default 0. */
  waitForDbSeconds: number;
  /** `statement_timeout` of every query, in seconds (fractions allowed). Default 60. */
  statementTimeoutSeconds: number;
  /** `lock_timeout` of every query, in seconds (fractions allowed). Default 10. */
  lockTimeoutSeconds: number;
  /** Calendar days after a window's close that its verdict waits for a pending metric. Default 2. */
  resolutionGraceDays: number;
  /** `--embedded`: use the local embedded PostgreSQL instead of the configured connection. */
  embedded: boolean;
}

/** Raw values as given on the command line (commander's option names). */
export interface SettingFlags {
  zone?: string;
  runTime?: string;
  reportsDir?: string;
  evidenceDir?: string;
  waitForDb?: string;
  statementTimeout?: string;
  lockTimeout?: string;
  resolutionGrace?: string;
  embedded?: boolean;
}

const zoneSchema = z.string().refine((zone) => IANAZone.isValidZone(zone), 'is not a valid IANA time zone');
const runTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM on a 24-hour clock (00:00 to 23:59)');
const dirSchema = z.string().trim().min(1, 'must not be empty');
const waitSchema = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of seconds')
  .transform(Number)
  .refine((n) => n <= 86_400, 'must be at most 86400 seconds');

const timeoutSchema = z
  .string()
  .regex(/^\d+(\.\d{1,3})?$/, 'must be a number of seconds (e.g. 60 or 0.5)')
  .transform(Number)
  .refine((n) => n >= 0.001 && n <= 86_400, 'must be between 0.001 and 86400 seconds');

const graceSchema = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of days')
  .transform(Number)
  .refine((n) => n <= 366, 'must be at most 366 days');

function pick<T>(
  label: string,
  flag: string | undefined,
  envName: string,
  env: NodeJS.ProcessEnv,
  fallback: string,
  schema: z.ZodType<T, z.ZodTypeDef, string>,
): T {
  const [raw, source] =
    flag !== undefined ? [flag, label] : env[envName] !== undefined && env[envName] !== '' ? [env[envName], envName] : [fallback, label];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(source, `${JSON.stringify(raw)} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

/**
 * Resolves the settings: flag, else environment (`CANONICAL_TZ`,
 * `CANONICAL_RUN_TIME`, `REPORTS_DIR`, `EVIDENCE_DIR`, `CANONICAL_WAIT_FOR_DB`,
 * `CANONICAL_STATEMENT_TIMEOUT`, `CANONICAL_LOCK_TIMEOUT`, `CANONICAL_RESOLUTION_GRACE`), else default. Folders are resolved against `cwd`.
 *
 * @throws UsageError naming the option or variable whose value is invalid (exit 2).
 */
export function resolveSettings(flags: SettingFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const resolveDir = (dir: string) => resolve(cwd, dir);
  return {
    zone: pick('--zone', flags.zone, 'CANONICAL_TZ', env, 'Europe/Oslo', zoneSchema),
    runTime: pick('--run-time', flags.runTime, 'CANONICAL_RUN_TIME', env, '06:00', runTimeSchema),
    reportsDir: resolveDir(pick('--reports-dir', flags.reportsDir, 'REPORTS_DIR', env, './reports', dirSchema)),
    evidenceDir: resolveDir(pick('--evidence-dir', flags.evidenceDir, 'EVIDENCE_DIR', env, './evidence', dirSchema)),
    waitForDbSeconds: pick('--wait-for-db', flags.waitForDb, 'CANONICAL_WAIT_FOR_DB', env, '0', waitSchema),
    statementTimeoutSeconds: pick('--statement-timeout', flags.statementTimeout, 'CANONICAL_STATEMENT_TIMEOUT', env, '60', timeoutSchema),
    lockTimeoutSeconds: pick('--lock-timeout', flags.lockTimeout, 'CANONICAL_LOCK_TIMEOUT', env, '10', timeoutSchema),
    resolutionGraceDays: pick('--resolution-grace', flags.resolutionGrace, 'CANONICAL_RESOLUTION_GRACE', env, '2', graceSchema),
    embedded: flags.embedded === true,
  };
}

/** Today's date (`YYYY-MM-DD`) in `zone`, for the default `--date`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone }).toISODate()!;
}

/** Folder of the embedded PostgreSQL: `CANONICAL_EMBEDDED_DIR`, default `./.embedded-pg`, against `cwd`. */
export function embeddedRoot(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.CANONICAL_EMBEDDED_DIR || '.embedded-pg');
}

export { logsDir } from './logsDir.js';

/** The pool timeouts of `settings`, in the milliseconds `openPool` takes. */
export function poolTimeouts(settings: Settings): { statementTimeoutMs: number; lockTimeoutMs: number } {
  return {
    statementTimeoutMs: Math.round(settings.statementTimeoutSeconds * 1000),
    lockTimeoutMs: Math.round(settings.lockTimeoutSeconds * 1000),
  };
}
