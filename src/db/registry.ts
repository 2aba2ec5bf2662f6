import { sql, type CommonQueryMethods } from 'slonik';
import { catalogColumnSchema, registryRowSchema, type CatalogColumn, type RegistryRow } from '../domain/registry.js';

/** Loads the whole registry (it is small) and the catalog columns of every object it names. */
export async function loadRegistry(db: CommonQueryMethods): Promise<{ rows: readonly RegistryRow[]; catalog: readonly CatalogColumn[] }> {
  const rows = await db.any(sql.type(registryRowSchema)`
    SELECT signal_key, source_schema, source_table, source_column, time_column, aggregation, description
    FROM fhq_calendar.test_signal_registry ORDER BY signal_key
  `);
  if (rows.length === 0) return { rows, catalog: [] };
  // Names travel as bound text values and are compared with catalog names: never spliced into SQL.
  const catalog = await db.any(sql.type(catalogColumnSchema)`
    SELECT n.nspname AS schema, c.relname AS relation, a.attname AS column,
           a.atttypid::regtype::text AS type, t.typcategory::text AS category,
           (has_schema_privilege(n.oid, 'USAGE') AND has_column_privilege(c.oid, a.attnum, 'SELECT')) AS readable
    FROM pg_catalog.pg_attribute AS a
    JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
    WHERE a.attnum > 0 AND NOT a.attisdropped
      AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
      AND (n.nspname, c.relname) IN (
        SELECT * FROM unnest(${sql.array(
          rows.map((r) => r.source_schema),
          'text',
        )}::text[],
                             ${sql.array(
                               rows.map((r) => r.source_table),
                               'text',
                             )}::text[]))
    ORDER BY 1, 2, a.attnum
  `);
  return { rows, catalog };
}
