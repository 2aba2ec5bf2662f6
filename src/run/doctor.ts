import { logsDir, type SettingFlags, type Settings } from '../config/settings.js';
import type { Database } from '../db/connect.js';
import { DatabaseUnreachableError } from '../errors.js';
import { checkLine } from './checkLine.js';
import { fail, messageOf, skip, type DoctorCheck, type DoctorReport } from './doctor/check.js';
import { databaseChecks } from './doctor/databaseChecks.js';
import { folderCheck } from './doctor/folders.js';
import { lenientSettings, ZONE_SETTINGS, zoneCheck } from './doctor/settings.js';

/** What {@link doctor} needs from its caller. */
export interface DoctorOptions {
  flags: SettingFlags;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now?: Date;
  /** Opens the database (the CLI passes `withCommandDatabase`), runs `work` on it and closes it. */
  withDatabase: (settings: Settings, work: (db: Database) => Promise<DoctorCheck[]>) => Promise<DoctorCheck[]>;
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

/**
 * The lines `canonical-tests doctor` prints: one per check, then a summary.
 *
 * @param findingsOnly leave out the checks that are OK (`-q`); the summary always stays.
 */
export function formatDoctor(report: DoctorReport, findingsOnly = false): string[] {
  const shown = findingsOnly ? report.checks.filter((c) => c.status !== 'OK') : report.checks;
  const lines = shown.map((c) => checkLine(c, c.check.replaceAll('_', ' ')));
  const failed = report.checks.filter((c) => c.status === 'FAIL').length;
  const skipped = report.checks.filter((c) => c.status === 'SKIP').length;
  lines.push(
    report.ok
      ? `all ${report.checks.length} checks OK`
      : `${failed} check(s) failed${skipped ? `, ${skipped} skipped` : ''} of ${report.checks.length}`,
  );
  return lines;
}
