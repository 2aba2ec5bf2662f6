import type { Database } from '../../db/connect.js';
import { migrationLedger, registrySourceColumns, serverFacts } from '../../db/doctor.js';
import { readMigrations } from '../../db/migrate.js';
import { checkPrivileges, ROLE_SCRIPT, runPrivileges } from '../../db/privileges.js';
import { fail, messageOf, ok, skip, type DoctorCheck } from './check.js';
import { migrationCheck, registrySourcesCheck, runPrivilegesCheck, serverVersionCheck } from './judges.js';

/** The checks that need the database, in order, on an open connection. Each failure is a line, never an exception. */
export async function databaseChecks(db: Database): Promise<DoctorCheck[]> {
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
