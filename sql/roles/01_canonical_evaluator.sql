-- Least privilege for the evaluator (docs/roles.md). Run by an administrator, in the
-- evaluator's database, after `canonical-tests migrate`; safe to run again.
-- Not a migration: roles belong to the whole server, and operators may name
-- and manage their login roles their own way.
--
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 \
--        -f sql/roles/01_canonical_evaluator.sql -f sql/roles/02_grant_registry_sources.sql
--   psql "$ADMIN_DATABASE_URL" -c "CREATE ROLE evaluator_svc LOGIN PASSWORD '…' IN ROLE canonical_evaluator"
--
-- canonical_evaluator (NOLOGIN) may: read the test definitions and the signal
-- registry; write only the evaluator-owned columns of canonical_test_events;
-- insert and update runbook rows, CEO alerts and its run ledger; append to
-- the record (evidence_bundles: insert only); execute the fhq_calendar
-- functions. It may not change a definition, change or delete a recorded
-- bundle, acknowledge an alert, create or drop anything, or write a source.

DO $$
BEGIN
  CREATE ROLE canonical_evaluator NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- already there (or created at this moment by a concurrent session)
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO canonical_evaluator', current_database());
END
$$;

GRANT USAGE ON SCHEMA fhq_calendar TO canonical_evaluator;
REVOKE CREATE ON SCHEMA fhq_calendar FROM canonical_evaluator;

GRANT SELECT ON fhq_calendar.canonical_test_events, fhq_calendar.test_signal_registry,
                fhq_calendar.test_runbook_entries, fhq_calendar.ceo_calendar_alerts,
                fhq_calendar.evaluator_runs, fhq_calendar.evidence_bundles
  TO canonical_evaluator;

-- Acknowledgements are a person's act (03_canonical_approver.sql): the evaluator only reads them.
GRANT SELECT ON fhq_calendar.acknowledgements TO canonical_evaluator;

-- The migration ledger, read-only: `canonical-tests doctor` compares it with the files in sql/.
GRANT SELECT ON fhq_calendar.schema_migrations TO canonical_evaluator;

-- Progress, escalation state and (through resolve_test_window) the resolution; never the definition.
GRANT UPDATE (days_elapsed, days_remaining, is_overdue, escalation_state, ceo_action_required,
              last_evaluated_date, status, verdict, resolved_at)
  ON fhq_calendar.canonical_test_events TO canonical_evaluator;

-- A re-run replaces its own runbook row and alert; nothing is deleted.
GRANT INSERT ON fhq_calendar.test_runbook_entries, fhq_calendar.ceo_calendar_alerts TO canonical_evaluator;
GRANT UPDATE (run_id, day_number, required_days, status, escalation_state, ceo_action_required,
              metrics_snapshot, verdict, notes, evidence_path, evidence_sha256, created_at,
              escalation_reasons, escalated_since)
  ON fhq_calendar.test_runbook_entries TO canonical_evaluator;
GRANT UPDATE (severity, title, message, recommended_actions)
  ON fhq_calendar.ceo_calendar_alerts TO canonical_evaluator;

-- The run ledger is the evaluator's own working table.
GRANT INSERT, UPDATE ON fhq_calendar.evaluator_runs TO canonical_evaluator;

-- The record is append-only: insert and read, never update or delete.
GRANT INSERT ON fhq_calendar.evidence_bundles TO canonical_evaluator;

REVOKE EXECUTE ON FUNCTION fhq_calendar.retire_stale_halt_rows(date, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fhq_calendar.retire_stale_halt_rows(date, uuid[]) TO canonical_evaluator;

REVOKE EXECUTE ON FUNCTION fhq_calendar.compute_test_progress(uuid, timestamptz, text),
                           fhq_calendar.check_escalation_conditions(uuid, timestamptz),
                           fhq_calendar.resolve_test_window(uuid, text, timestamptz, jsonb)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fhq_calendar.compute_test_progress(uuid, timestamptz, text),
                          fhq_calendar.check_escalation_conditions(uuid, timestamptz),
                          fhq_calendar.resolve_test_window(uuid, text, timestamptz, jsonb)
  TO canonical_evaluator;
