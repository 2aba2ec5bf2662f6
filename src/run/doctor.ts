import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DateTime } from 'luxon';
import { logsDir, resolveSettings, todayIn, type SettingFlags, type Settings } from '../config/settings.js';
import type { Database } from '../db/connect.js';
import { migrationLedger, registrySourceColumns, serverFacts, type MigrationLedger, type RegistrySourceColumn } from '../db/doctor.js';
import { readMigrations, type MigrationFile } from '../db/migrate.js';
import {
  checkPrivileges,
  describePrivileges,
  REGISTRY_GRANT_SCRIPT,
  ROLE_SCRIPT,
  runPrivileges,
  type PrivilegeCheck,
} from '../db/privileges.js';
import { asOfFor } from '../domain/asOf.js';
import { DatabaseUnreachableError, UsageError } from '../errors.js';
import { checkLine } from './health.js';

/** The oldest PostgreSQL major the migrations run on (`UNIQUE NULLS NOT DISTINCT`). */
export const MIN_SERVER_VERSION = 15;

/** Each check of `doctor`, in the order they are printed. */
export type DoctorCheckName =
  | 'settings'
  | 'connection'
  | 'server_version'
  | 'migrations'
  | 'run_privileges'
  | 'registry_sources'
  | 'reports_folder'
  | 'evidence_folder'
  | 'logs_folder'
  | 'zone_and_run_time';

/** One line of `doctor`: `SKIP` when a check could not run because an earlier one failed. */
export interface DoctorCheck {
  check: DoctorCheckName;
  status: 'OK' | 'FAIL' | 'SKIP';
  message: string;
  /** What to do; null for an OK line. */
  action: string | null;
}

/** What `canonical-tests doctor` reports (`doctor --json` prints it). */
export interface DoctorReport {
  /** Every check OK (a skipped check counts as not OK). */
  ok: boolean;
  checks: DoctorCheck[];
}

const ok = (check: DoctorCheckName, message: string): DoctorCheck => ({ check, status: 'OK', message, action: null });
const fail = (check: DoctorCheckName, message: string, action: string): DoctorCheck => ({ check, status: 'FAIL', message, action });
const skip = (check: DoctorCheckName, why: string): DoctorCheck => ({ check, status: 'SKIP', message: `skipped: ${why}`, action: null });
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const ZONE_SETTINGS = new Set(['--zone', 'CANONICAL_TZ', '--run-time', 'CANONICAL_RUN_TIME']);

/**
 * The settings as every other command resolves them, except that an invalid
 * value is not the end: it is recorded, left out (the default takes its
 * place) and the rest resolved, so `doctor` can report every bad setting and
 * still check everything else.
 *
 * @throws UsageError only for a setting it cannot leave out (none today).
 */
export function lenientSettings(flags: SettingFlags, env: NodeJS.ProcessEnv, cwd: string): { settings: Settings; problems: UsageError[] } {
  const problems: UsageError[] = [];
  let currentFlags: SettingFlags = { ...flags };
  let currentEnv: NodeJS.ProcessEnv = { ...env };
  for (;;) {
    try {
      return { settings: resolveSettings(currentFlags, currentEnv, cwd), problems };
    } catch (error) {
      if (!(error instanceof UsageError) || problems.some((p) => p.setting === error.setting)) throw error;
      problems.push(error);
      if (error.setting.startsWith('--')) {
        const key = error.setting.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        currentFlags = { ...currentFlags, [key]: undefined };
      } else currentEnv = { ...currentEnv, [error.setting]: undefined };
    }
  }
}

/** Judges the server's version: {@link MIN_SERVER_VERSION} or newer. */
export function serverVersionCheck(versionNum: number, version: string): DoctorCheck {
  const major = Math.floor(versionNum / 10_000);
  return major >= MIN_SERVER_VERSION
    ? ok('server_version', `PostgreSQL ${version} (${MIN_SERVER_VERSION} or newer is needed)`)
    : fail(
        'server_version',
        `PostgreSQL ${version} is older than ${MIN_SERVER_VERSION}`,
        `upgrade the server to PostgreSQL ${MIN_SERVER_VERSION} or newer (the migrations use UNIQUE NULLS NOT DISTINCT)`,
      );
}

/** Judges the migration level: the ledger in the database against the files in `sql/`. */
export function migrationCheck(ledger: MigrationLedger, files: readonly MigrationFile[], user: string): DoctorCheck {
  const migrate = 'run canonical-tests migrate (as an administrator)';
  if (ledger.state === 'absent') return fail('migrations', `the database was never migrated (0 of ${files.length} applied)`, migrate);
  if (ledger.state === 'unreadable') {
    return fail(
      'migrations',
      `${user} may not read fhq_calendar.schema_migrations`,
      `run sql/roles/${ROLE_SCRIPT} as an administrator (docs/roles.md)`,
    );
  }
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const unknown = ledger.applied.filter((a) => !byVersion.has(a.version));
  if (unknown.length) {
    return fail(
      'migrations',
      `the database has ${unknown.map((a) => a.name).join(', ')} applied, which sql/ of this evaluator does not have`,
      'update the evaluator to the release that applied it',
    );
  }
  const changed = ledger.applied.filter((a) => byVersion.get(a.version)!.sha256 !== a.sha256 || byVersion.get(a.version)!.name !== a.name);
  if (changed.length) {
    return fail(
      'migrations',
      `${changed.map((a) => a.name).join(', ')} changed after it was applied`,
      'restore the file as it was applied (migrations are immutable: add a new numbered file instead)',
    );
  }
  const applied = new Set(ledger.applied.map((a) => a.version));
  const pending = files.filter((f) => !applied.has(f.version));
  if (pending.length) {
    return fail('migrations', `${applied.size} of ${files.length} applied; pending: ${pending.map((f) => f.name).join(', ')}`, migrate);
  }
  return ok('migrations', `all ${files.length} applied (newest ${files.at(-1)?.name ?? '—'})`);
}

/** Judges the rights a run needs (from the role script) against what the connected role holds. */
export function runPrivilegesCheck(checks: readonly PrivilegeCheck[], user: string): DoctorCheck {
  const absent = checks.filter((c) => !c.present);
  const lacking = checks.filter((c) => c.present && !c.held);
  if (absent.length === 0 && lacking.length === 0) {
    return ok('run_privileges', `${user} holds all ${checks.length} rights sql/roles/${ROLE_SCRIPT} grants`);
  }
  const parts = [
    ...(lacking.length ? [`${user} lacks ${describePrivileges(lacking).join('; ')}`] : []),
    ...(absent.length ? [`missing from the database: ${describePrivileges(absent).join('; ')}`] : []),
  ];
  return fail(
    'run_privileges',
    parts.join('; '),
    `run sql/roles/${ROLE_SCRIPT} as an administrator, and make ${user} a member of canonical_evaluator (GRANT canonical_evaluator TO ${user})`,
  );
}

/** Judges the registry's sources: every column a registry row names exists and is readable by the connected role. */
export function registrySourcesCheck(columns: readonly RegistrySourceColumn[], user: string): DoctorCheck {
  if (columns.length === 0) return ok('registry_sources', 'the signal registry names no source');
  const describe = (list: readonly RegistrySourceColumn[]) => {
    const byColumn = new Map<string, string[]>();
    for (const c of list)
      byColumn.set(`${c.source}.${c.column_name}`, [...(byColumn.get(`${c.source}.${c.column_name}`) ?? []), c.signal_key]);
    return [...byColumn].map(([column, keys]) => `${column} (${keys.join(', ')})`).join(', ');
  };
  const missing = columns.filter((c) => !c.relation_present || !c.column_present);
  const unreadable = columns.filter((c) => c.relation_present && c.column_present && !c.readable);
  if (missing.length === 0 && unreadable.length === 0) {
    const signals = new Set(columns.map((c) => c.signal_key)).size;
    return ok('registry_sources', `${user} may read all ${columns.length} source column(s) of ${signals} signal(s)`);
  }
  const message: string[] = [];
  const action: string[] = [];
  if (unreadable.length) {
    message.push(`${user} may not read ${describe(unreadable)}`);
    action.push(`run sql/roles/${REGISTRY_GRANT_SCRIPT} as an administrator`);
  }
  if (missing.length) {
    message.push(`no such table or column: ${describe(missing)}`);
    action.push('correct the registry rows in fhq_calendar.test_signal_registry (canonical-tests check names them)');
  }
  return fail('registry_sources', message.join('; '), action.join('; '));
}

/**
 * Whether the evaluator can write in `dir`: a temporary file is created there
 * and removed. A folder that does not exist yet is judged by the nearest
 * folder above it that does (a run creates the missing ones). Leaves nothing behind.
 */
export function folderCheck(check: 'reports_folder' | 'evidence_folder' | 'logs_folder', dir: string, setting: string): DoctorCheck {
  const action = `give this account write access to it, or choose another folder with ${setting}`;
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    if (!statSync(probe).isDirectory()) {
      return fail(check, probe === dir ? `${dir} is not a folder` : `${dir} cannot be created: ${probe} is not a folder`, action);
    }
    const file = join(probe, `.canonical-tests-doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(file, 'doctor\n', { flag: 'wx' });
    rmSync(file, { force: true });
  } catch (error) {
    return fail(check, `${dir} is not writable (${messageOf(error)})`, action);
  }
  return ok(check, probe === dir ? `${dir} is writable` : `${dir} does not exist yet; the first run creates it (${probe} is writable)`);
}

/** The next as-of instant at or after `now`: the run time today in the zone, or else tomorrow. */
export function nextAsOf(zone: string, runTime: string, now: Date): { date: string; instant: string; local: string } {
  const today = todayIn(zone, now);
  let asOf = asOfFor(today, zone, runTime);
  if (Date.parse(asOf.instant) <= now.getTime()) {
    asOf = asOfFor(DateTime.fromISO(today, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!, zone, runTime);
  }
  return { date: asOf.date, instant: asOf.instant, local: DateTime.fromISO(asOf.instant).setZone(zone).toFormat('yyyy-MM-dd HH:mm') };
}

/** Judges the zone and run time; shows the next as-of instant in the zone and in UTC. */
export function zoneCheck(settings: Settings, problems: readonly UsageError[], now: Date): DoctorCheck {
  const bad = problems.filter((p) => ZONE_SETTINGS.has(p.setting));
  if (bad.length) {
    return fail(
      'zone_and_run_time',
      bad.map((p) => p.message).join('; '),
      'set an IANA zone such as Europe/Oslo and a run time HH:MM (docs/configuration.md, Settings)',
    );
  }
  const next = nextAsOf(settings.zone, settings.runTime, now);
  return ok(
    'zone_and_run_time',
    `${settings.zone}, run time ${settings.runTime}: the next as-of instant is ${next.local} ${settings.zone} (${next.instant})`,
  );
}

/** What {@link doctor} needs from its caller. */
export interface DoctorOptions {
  flags: SettingFlags;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now?: Date;
  /** Opens the database (the CLI passes `withCommandDatabase`), runs `work` on it and closes it. */
  withDatabase: (settings: Settings, work: (db: Database) => Promise<DoctorCheck[]>) => Promise<DoctorCheck[]>;
}

/** The checks that need the database, in order, on an open connection. Each failure is a line, never an exception. */
async function databaseChecks(db: Database): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let user = 'the connected role';
  try {
    const facts = await serverFacts(db.pool);
    user = facts.user_name;
    checks.push(
      ok(
        'connection',
        `${db.description} (role ${facts.user_name}${facts.superuser ? ', a superuser: a run should use a least-privilege role, docs/roles.md' : ''}, database ${facts.database_name})`,
      ),
      serverVersionCheck(facts.version_num, facts.version),
    );
  } catch (error) {
    return [
      fail('connection', `${db.description}: ${messageOf(error)}`, 'check the server and the connection settings (docs/configuration.md)'),
      ...(['server_version', 'migrations', 'run_privileges', 'registry_sources'] as const).map((c) => skip(c, 'no connection')),
    ];
  }
  let migrations: DoctorCheck;
  try {
    migrations = migrationCheck(await migrationLedger(db.pool), readMigrations(), user);
  } catch (error) {
    migrations = fail('migrations', messageOf(error), 'restore sql/ as released, or run canonical-tests migrate (as an administrator)');
  }
  checks.push(migrations);
  if (migrations.status !== 'OK') {
    checks.push(skip('run_privileges', 'the migrations are not current'), skip('registry_sources', 'the migrations are not current'));
    return checks;
  }
  for (const [check, judge] of [
    ['run_privileges', async () => runPrivilegesCheck(await checkPrivileges(db.pool, runPrivileges()), user)],
    ['registry_sources', async () => registrySourcesCheck(await registrySourceColumns(db.pool), user)],
  ] as const) {
    try {
      checks.push(await judge());
    } catch (error) {
      checks.push(fail(check, messageOf(error), `run sql/roles/${ROLE_SCRIPT} as an administrator (docs/roles.md)`));
    }
  }
  return checks;
}

/**
 * `canonical-tests doctor`: checks, one line each, everything a run needs —
 * the settings, the connection, the server's version, the migration level, the
 * rights of the connected role (from sql/roles/01_canonical_evaluator.sql), the
 * registry's sources, the three folders, and the zone and run time. Works on a
 * database that was never migrated (the checks that need the tables are
 * skipped) and without any database. Never throws for a failed check.
 */
export async function doctor(options: DoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? new Date();
  const { settings, problems } = lenientSettings(options.flags, options.env, options.cwd);
  const checks: DoctorCheck[] = problems
    .filter((p) => !ZONE_SETTINGS.has(p.setting))
    .map((p) => fail('settings', p.message, `correct ${p.setting} (docs/configuration.md, Settings)`));
  try {
    checks.push(...(await options.withDatabase(settings, databaseChecks)));
  } catch (error) {
    const action =
      error instanceof DatabaseUnreachableError
        ? 'check that the server is running and the connection settings are right (docs/configuration.md), then run canonical-tests doctor again'
        : 'configure the connection: DATABASE_URL or the PG* variables, in the environment or .env, or --embedded (docs/configuration.md)';
    checks.push(
      fail('connection', messageOf(error), action),
      ...(['server_version', 'migrations', 'run_privileges', 'registry_sources'] as const).map((c) => skip(c, 'no connection')),
    );
  }
  checks.push(
    folderCheck('reports_folder', settings.reportsDir, '--reports-dir or REPORTS_DIR'),
    folderCheck('evidence_folder', settings.evidenceDir, '--evidence-dir or EVIDENCE_DIR'),
    folderCheck('logs_folder', logsDir(options.env, options.cwd), 'CANONICAL_LOG_DIR'),
    zoneCheck(settings, problems, now),
  );
  return { ok: checks.every((c) => c.status === 'OK'), checks };
}

/** The lines `canonical-tests doctor` prints: one per check, then a summary. */
export function formatDoctor(report: DoctorReport): string[] {
  const lines = report.checks.map((c) => checkLine(c, c.check.replaceAll('_', ' ')));
  const failed = report.checks.filter((c) => c.status === 'FAIL').length;
  const skipped = report.checks.filter((c) => c.status === 'SKIP').length;
  lines.push(
    report.ok
      ? `all ${report.checks.length} checks OK`
      : `${failed} check(s) failed${skipped ? `, ${skipped} skipped` : ''} of ${report.checks.length}`,
  );
  return lines;
}
