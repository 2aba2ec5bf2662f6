-- Read access to every source the signal registry names, and
-- nothing else of those schemas. Run by an administrator after
-- 01_canonical_evaluator.sql and again whenever a registry row is added or
-- changed. Registry names are used as identifiers only through format('%I'),
-- and only when the catalog has such an object, so a hostile row cannot
-- inject SQL here either.
DO $$
DECLARE
  source record;
BEGIN
  FOR source IN
    SELECT DISTINCT n.nspname AS schema_name, c.relname AS relation_name
    FROM fhq_calendar.test_signal_registry AS r
    JOIN pg_catalog.pg_namespace AS n ON n.nspname = r.source_schema
    JOIN pg_catalog.pg_class AS c ON c.relnamespace = n.oid AND c.relname = r.source_table
    WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO canonical_evaluator', source.schema_name);
    EXECUTE format('GRANT SELECT ON %I.%I TO canonical_evaluator', source.schema_name, source.relation_name);
  END LOOP;
END
$$;
