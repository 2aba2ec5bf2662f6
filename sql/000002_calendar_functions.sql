-- The three functions the evaluator calls, one set-based query per run (docs/verdicts.md).

-- Progress in calendar days of `zone`; the start date is Day 1 and the count
-- keeps going past the end. NULL columns when the window is undefined.
CREATE OR REPLACE FUNCTION fhq_calendar.compute_test_progress(
  test_id uuid,
  as_of timestamptz DEFAULT now(),
  zone text DEFAULT 'Europe/Oslo'
) RETURNS TABLE (days_elapsed integer, days_remaining integer, is_overdue boolean)
LANGUAGE sql STABLE
AS $$
  SELECT
    greatest(0, (as_of AT TIME ZONE zone)::date - (t.start_ts AT TIME ZONE zone)::date + 1),
    greatest(0, (t.end_ts AT TIME ZONE zone)::date - (as_of AT TIME ZONE zone)::date),
    (as_of > t.end_ts AND t.verdict = 'PENDING')
  FROM fhq_calendar.canonical_test_events AS t
  WHERE t.test_id = compute_test_progress.test_id
$$;

-- Time-based escalation conditions (docs/alerts.md): the window closed while the
-- verdict is still PENDING, or the mid-test checkpoint fell within the day
-- ending at as_of (so the daily run that first passes it escalates once).
-- Metric-based conditions are added by the evaluator.
CREATE OR REPLACE FUNCTION fhq_calendar.check_escalation_conditions(
  test_id uuid,
  as_of timestamptz DEFAULT now()
) RETURNS TABLE (should_escalate boolean, escalation_reason text, recommended_actions jsonb)
LANGUAGE sql STABLE
AS $$
  WITH t AS (
    SELECT e.*
    FROM fhq_calendar.canonical_test_events AS e
    WHERE e.test_id = check_escalation_conditions.test_id
  ),
  conditions AS (
    SELECT 1 AS ord,
           format('window closed at %s and the verdict is still PENDING',
                  to_char(t.end_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) AS reason,
           jsonb_build_array('Resolve the test window: record a verdict from the final metrics',
                             'Confirm the evaluator ran after the window closed') AS actions
    FROM t
    WHERE as_of > t.end_ts AND t.verdict = 'PENDING'
    UNION ALL
    SELECT 2,
           format('mid-test checkpoint reached at %s',
                  to_char(t.mid_test_checkpoint AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
           jsonb_build_array('Review the mid-window checkpoint metrics with the test owner')
    FROM t
    WHERE t.mid_test_checkpoint IS NOT NULL
      AND as_of >= t.mid_test_checkpoint
      AND as_of < t.mid_test_checkpoint + interval '1 day'
  )
  SELECT
    count(c.reason) > 0,
    string_agg(c.reason, '; ' ORDER BY c.ord),
    coalesce((SELECT jsonb_agg(a ORDER BY c2.ord)
              FROM conditions AS c2, jsonb_array_elements(c2.actions) AS a), '[]'::jsonb)
  FROM t LEFT JOIN conditions AS c ON true
  GROUP BY t.test_id
$$;

-- Resolves an ACTIVE, PENDING test: status RESOLVED, the verdict, resolved_at =
-- the as-of instant (not now(), so a re-run of the same date is identical).
-- The evidence must be an object whose "verdict" agrees with the verdict given.
CREATE OR REPLACE FUNCTION fhq_calendar.resolve_test_window(
  test_id uuid,
  verdict text,
  as_of timestamptz,
  evidence jsonb
) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  IF verdict NOT IN ('SUCCESS', 'FAILURE', 'INCONCLUSIVE') THEN
    RAISE EXCEPTION 'resolve_test_window: verdict % is not SUCCESS, FAILURE or INCONCLUSIVE', verdict
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF evidence IS NULL OR jsonb_typeof(evidence) <> 'object' OR evidence->>'verdict' IS DISTINCT FROM verdict THEN
    RAISE EXCEPTION 'resolve_test_window: evidence must be an object whose verdict is %', verdict
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE fhq_calendar.canonical_test_events AS e
     SET status = 'RESOLVED', verdict = resolve_test_window.verdict, resolved_at = as_of,
         is_overdue = false
   WHERE e.test_id = resolve_test_window.test_id
     AND e.status = 'ACTIVE' AND e.verdict = 'PENDING';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'resolve_test_window: test % is not ACTIVE with a PENDING verdict', test_id
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
END
$$;
