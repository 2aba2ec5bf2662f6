/**
 * The one query of the set-based floor: every registry signal resolved once
 * as of the instant (a materialised CTE of one SELECT per signal), joined to
 * every ACTIVE test with its progress and time-based escalation computed inline
 * (the formulas of `compute_test_progress` and `check_escalation_conditions`)
 * and the values of the keys it uses as one JSON object.
 */
import pg from 'pg';
import type { Signal } from './registry.js';
import { signalSelect } from './registry.js';
import { TEST_COLUMNS, type TestDefinition } from './tests.js';
import type { WindowState } from './evaluate.js';

/** A row of the floor query: the test, its window state and its metric values by key. */
export type FloorRow = TestDefinition & WindowState & {
  metrics: Record<string, [number | null, number, string | null]>;
};

/** The SQL text; `$1` = as-of instant, `$2` = zone. */
export function floorQuery(signals: readonly Signal[]): string {
  const members = signals.map((s) => `SELECT ${pg.escapeLiteral(s.key)}::text AS key, r.* FROM (${signalSelect(s)}) AS r`);
  return `
    WITH sig AS MATERIALIZED (${members.join('\n UNION ALL ')})
    SELECT ${TEST_COLUMNS.split(',').map((c) => `t.${c.trim()}`).join(', ')},
      greatest(0, ($1::timestamptz AT TIME ZONE $2)::date - (t.start_ts AT TIME ZONE $2)::date + 1) AS days_elapsed,
      greatest(0, (t.end_ts AT TIME ZONE $2)::date - ($1::timestamptz AT TIME ZONE $2)::date) AS days_remaining,
      ($1::timestamptz > t.end_ts AND t.verdict = 'PENDING') AS is_overdue,
      (($1::timestamptz > t.end_ts AND t.verdict = 'PENDING')
        OR ($1::timestamptz >= t.mid_test_checkpoint AND $1::timestamptz < t.mid_test_checkpoint + interval '1 day')) IS TRUE AS should_escalate,
      CASE WHEN $1::timestamptz > t.end_ts AND t.verdict = 'PENDING' THEN 'window closed and the verdict is still PENDING'
           WHEN $1::timestamptz >= t.mid_test_checkpoint AND $1::timestamptz < t.mid_test_checkpoint + interval '1 day' THEN 'mid-test checkpoint reached'
      END AS escalation_reason,
      coalesce((
        SELECT jsonb_object_agg(s.key, jsonb_build_array(s.value, s.rows_used, s.latest_at))
        FROM sig AS s
        WHERE s.key IN (
          SELECT jsonb_object_keys(t.baseline_definition)
          UNION SELECT jsonb_object_keys(t.target_metrics)
          UNION SELECT c->>'metric' FROM jsonb_array_elements(
            coalesce(t.success_criteria->'all', t.success_criteria->'any') || coalesce(t.failure_criteria->'all', t.failure_criteria->'any')) AS c)
      ), '{}'::jsonb) AS metrics
    FROM fhq_calendar.canonical_test_events AS t
    WHERE t.status = 'ACTIVE'
    ORDER BY t.start_ts, t.test_code`;
}
