-- Evidence bundles are JSON documents of several kilobytes, and a backfill of a
-- year writes tens of thousands of them: store them compressed with lz4, which
-- is several times faster than PostgreSQL's default (pglz) at this size. Only
-- rows written from now on are affected. A server built without lz4, or a
-- table this role does not own, keeps pglz: this is an optimisation only.
DO $$
BEGIN
  ALTER TABLE fhq_calendar.evidence_bundles ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR insufficient_privilege THEN
  RAISE NOTICE 'evidence_bundles.content stays compressed with pglz: %', SQLERRM;
END $$;
