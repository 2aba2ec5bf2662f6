import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

const serverRow = z.object({
  version_num: z.coerce.number().int(),
  version: z.string(),
  user_name: z.string(),
  database_name: z.string(),
  superuser: z.boolean(),
});
/** What `doctor` learns about the server and the session. */
export type ServerFacts = z.infer<typeof serverRow>;

/** The server's version (`server_version_num`, e.g. 150020, and its text), the connected role and database. */
export async function serverFacts(db: CommonQueryMethods): Promise<ServerFacts> {
  return db.one(sql.type(serverRow)`
    SELECT current_setting('server_version_num') AS version_num, current_setting('server_version') AS version,
           current_user::text AS user_name, current_database()::text AS database_name,
           coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) AS superuser`);
}

/** One row of `fhq_calendar.schema_migrations`. */
export interface AppliedMigration {
  version: number;
  name: string;
  sha256: string;
}

/**
 * The migration ledger as the connected role sees it: `absent` (the database
 * was never migrated), `unreadable` (it exists, but the role may not read it),
 * or the applied rows in order of version.
 */
export type MigrationLedger = { state: 'absent' } | { state: 'unreadable' } | { state: 'read'; applied: AppliedMigration[] };

const ledgerAccess = z.object({ present: z.boolean(), readable: z.boolean() });
const appliedRow = z.object({ version: z.number().int(), name: z.string(), sha256: z.string() });

/**
 * Reads `fhq_calendar.schema_migrations`. Whether it exists and is readable is
 * looked up in `pg_catalog` first, so a database that was never migrated, or a
 * role without the grant, is an answer and not an error.
 */
export async function migrationLedger(db: CommonQueryMethods): Promise<MigrationLedger> {
  const access = await db.one(sql.type(ledgerAccess)`
    SELECT c.oid IS NOT NULL AS present,
           coalesce(has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'), false) AS readable
    FROM (SELECT 1) AS one
    LEFT JOIN pg_catalog.pg_namespace AS n ON n.nspname = 'fhq_calendar'
    LEFT JOIN pg_catalog.pg_class AS c ON c.relnamespace = n.oid AND c.relname = 'schema_migrations'`);
  if (!access.present) return { state: 'absent' };
  if (!access.readable) return { state: 'unreadable' };
  const applied = await db.any(sql.type(appliedRow)`
    SELECT version, name, sha256 FROM fhq_calendar.schema_migrations ORDER BY version`);
  return { state: 'read', applied: [...applied] };
}

const sourceRow = z.object({
  signal_key: z.string(),
  source: z.string(),
  column_name: z.string(),
  relation_present: z.boolean(),
  column_present: z.boolean(),
  readable: z.boolean(),
});
/** One column a registry row names (its value column, and its time column when it has one), and whether the connected role can read it. */
export type RegistrySourceColumn = z.infer<typeof sourceRow>;

/**
 * Every column the signal registry names (`source_column`, `time_column`) with
 * whether it exists and whether the connected role may read it: USAGE on the
 * schema and `has_column_privilege(…, 'SELECT')`, as the gate judges it.
 * Names are compared with catalog names as values, never spliced into SQL.
 */
export async function registrySourceColumns(db: CommonQueryMethods): Promise<readonly RegistrySourceColumn[]> {
  return db.any(sql.type(sourceRow)`
    SELECT r.signal_key, format('%I.%I', r.source_schema, r.source_table) AS source, col.name AS column_name,
           c.oid IS NOT NULL AS relation_present, a.attnum IS NOT NULL AS column_present,
           coalesce(has_schema_privilege(n.oid, 'USAGE') AND has_column_privilege(c.oid, a.attnum, 'SELECT'), false) AS readable
    FROM fhq_calendar.test_signal_registry AS r
    CROSS JOIN LATERAL (VALUES (1, r.source_column), (2, r.time_column)) AS col(ord, name)
    LEFT JOIN pg_catalog.pg_namespace AS n ON n.nspname = r.source_schema
    LEFT JOIN pg_catalog.pg_class AS c
      ON c.relnamespace = n.oid AND c.relname = r.source_table AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
    LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = col.name AND a.attnum > 0 AND NOT a.attisdropped
    WHERE col.name IS NOT NULL
    ORDER BY r.signal_key, col.ord`);
}
