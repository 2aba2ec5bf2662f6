-- The role of the people who acknowledge alerts (docs/roles.md). Run by an
-- administrator, in the evaluator's database, after `canonical-tests migrate`
-- and 01_canonical_evaluator.sql; safe to run again. Not a migration, like 01.
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/roles/03_canonical_approver.sql
--   psql "$ADMIN_DATABASE_URL" -c "CREATE ROLE alice LOGIN IN ROLE canonical_approver"
--
-- canonical_approver (NOLOGIN) may: read the tests and their alerts; clear
-- ceo_action_required; set acknowledged_at and acknowledged_by on an alert;
-- insert an acknowledgement. That is all `canonical-tests ack` needs, and
-- nothing else: no definition, no evaluator state, no alert text, no delete,
-- and no update of an acknowledgement once written (the table is append-only).

DO $$
BEGIN
  CREATE ROLE canonical_approver NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- already there (or created at this moment by a concurrent session)
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO canonical_approver', current_database());
END
$$;

GRANT USAGE ON SCHEMA fhq_calendar TO canonical_approver;
REVOKE CREATE ON SCHEMA fhq_calendar FROM canonical_approver;

GRANT SELECT ON fhq_calendar.canonical_test_events, fhq_calendar.ceo_calendar_alerts TO canonical_approver;

-- Acknowledging: clear the flag, stamp the open alerts, record who and why.
GRANT UPDATE (ceo_action_required) ON fhq_calendar.canonical_test_events TO canonical_approver;
GRANT UPDATE (acknowledged_at, acknowledged_by) ON fhq_calendar.ceo_calendar_alerts TO canonical_approver;
GRANT INSERT ON fhq_calendar.acknowledgements TO canonical_approver;
