/**
 * The one query of the set-based floor: every registry signal resolved once
 * as of the instant (one SELECT per signal, appended), and every ACTIVE test
 * with its progress and time-based escalation computed inline (the formulas of
 * `compute_test_progress` and `check_escalation_conditions`): one row per test
 * in discovery order, the first of which also carries every signal value as
 * one JSON object; the caller picks each test's keys from it.
 */
import pg from 'pg';
import type { WindowState } from './evaluate.js';
import { signalSelect, type Signal } from './registry.js';
import { TEST_COLUMNS, type TestDefinition } from './tests.js';

/** A row of the floor query: a test, its window state, and (first row only, else null) the signal values by key. */
export type FloorRow = TestDefinition &
  WindowState & {
    signals: Record<string, [number | null, number, string | null]> | null;
  };

/** The SQL text; `$1` = as-of instant, `$2` = zone. */
export function floorQuery(signals: readonly Signal[]): string {
  const members = signals.map((s) => `SELECT ${pg.escapeLiteral(s.key)}::text AS key, r.* FROM (${signalSelect(s)}) AS r`);
  return `
    WITH sig AS (${members.join('\n UNION ALL ')}),
    active AS (
      SELECT ${TEST_COLUMNS},
        greatest(0, ($1::timestamptz AT TIME ZONE $2)::date - (start_ts AT TIME ZONE $2)::date + 1) AS days_elapsed,
        greatest(0, (end_ts AT TIME ZONE $2)::date - ($1::timestamptz AT TIME ZONE $2)::date) AS days_remaining,
        ($1::timestamptz > end_ts AND verdict = 'PENDING') AS is_overdue,
        (($1::timestamptz > end_ts AND verdict = 'PENDING')
          OR ($1::timestamptz >= mid_test_checkpoint AND $1::timestamptz < mid_test_checkpoint + interval '1 day')) IS TRUE AS should_escalate,
        CASE WHEN $1::timestamptz > end_ts AND verdict = 'PENDING' THEN 'window closed and the verdict is still PENDING'
             WHEN $1::timestamptz >= mid_test_checkpoint AND $1::timestamptz < mid_test_checkpoint + interval '1 day' THEN 'mid-test checkpoint reached'
        END AS escalation_reason,
        row_number() OVER (ORDER BY start_ts, test_code) AS ord
      FROM fhq_calendar.canonical_test_events
      WHERE status = 'ACTIVE')
    SELECT a.*, CASE WHEN a.ord = 1 THEN
             (SELECT coalesce(jsonb_object_agg(key, jsonb_build_array(value, rows_used, latest_at)), '{}') FROM sig) END AS signals
    FROM active AS a
    ORDER BY a.ord`;
}
