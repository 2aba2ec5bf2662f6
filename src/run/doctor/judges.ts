import type { MigrationLedger, RegistrySourceColumn } from '../../db/doctor.js';
import { matchesApplied, type MigrationFile } from '../../db/migrate.js';
import { describePrivileges, REGISTRY_GRANT_SCRIPT, ROLE_SCRIPT, type PrivilegeCheck } from '../../db/privileges.js';
import { fail, ok, type DoctorCheck } from './check.js';

/** The oldest PostgreSQL major the migrations run on (`UNIQUE NULLS NOT DISTINCT`). */
export const MIN_SERVER_VERSION = 15;

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
  const changed = ledger.applied.filter((a) => !matchesApplied(byVersion.get(a.version)!, a));
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
