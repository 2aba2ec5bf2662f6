-- Escalation that a CEO can act on:
-- * The mid-test checkpoint is a review, not an escalation: the evaluator raises
--   one CHECKPOINT alert for it, so check_escalation_conditions keeps only the
--   overdue condition (a window closed and still unresolved).
-- * A runbook row records why its test was escalated (one key per condition)
--   and since when, so the next evaluation alerts only on a change.
-- * A re-run of a date that no longer halts retires that date's halt rows of
--   tests that are no longer ACTIVE, so the date reads as it is now.

CREATE OR REPLACE FUNCTION fhq_calendar.check_escalation_conditions(
  test_id uuid,
  as_of timestamptz DEFAULT now()
) RETURNS TABLE (should_escalate boolean, escalation_reason text, recommended_actions jsonb)
LANGUAGE sql STABLE
AS $$
  SELECT
    (as_of > t.end_ts AND t.verdict = 'PENDING'),
    CASE WHEN as_of > t.end_ts AND t.verdict = 'PENDING'
         THEN format('window closed at %s and the verdict is still PENDING',
                     to_char(t.end_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) END,
    CASE WHEN as_of > t.end_ts AND t.verdict = 'PENDING'
         THEN jsonb_build_array('Resolve the test window: record a verdict from the final metrics',
                                'Confirm the evaluator ran after the window closed')
         ELSE '[]'::jsonb END
  FROM fhq_calendar.canonical_test_events AS t
  WHERE t.test_id = check_escalation_conditions.test_id
$$;

ALTER TABLE fhq_calendar.test_runbook_entries
  ADD COLUMN IF NOT EXISTS escalation_reasons text[] NOT NULL DEFAULT '{}',
  ADD COLUMN IF NOT EXISTS escalated_since date;

-- Runs with its owner's rights so that the evaluator's role needs no DELETE on
-- runbook rows: it removes only SYSTEM_ERROR rows of one date, of tests that
-- are no longer ACTIVE and were not evaluated by the run asking.
CREATE OR REPLACE FUNCTION fhq_calendar.retire_stale_halt_rows(run_date date, evaluated uuid[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  removed integer;
BEGIN
  DELETE FROM fhq_calendar.test_runbook_entries AS r
   USING fhq_calendar.canonical_test_events AS e
   WHERE r.test_id = e.test_id
     AND r.run_date = retire_stale_halt_rows.run_date
     AND r.escalation_state = 'SYSTEM_ERROR'
     AND e.status <> 'ACTIVE'
     AND NOT (r.test_id = ANY (evaluated));
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN removed;
END
$$;

REVOKE EXECUTE ON FUNCTION fhq_calendar.retire_stale_halt_rows(date, uuid[]) FROM PUBLIC;
