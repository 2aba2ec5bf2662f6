/**
 * The synthetic ACTIVE tests, inserted set-based. Test `i` uses the 5 signals
 * `(i + 11 j) mod 50`, j = 0 … 4 (a mix of LATEST and AVG_7D from different
 * tables) in its baseline, targets and both criteria; its window opens
 * 5–24 days before the first as-of date and closes 5–34 days after the last,
 * so it stays ACTIVE over the whole run; every tenth test has a mid-window
 * checkpoint. Definitions are valid: the fail-closed gate passes them all.
 */
import pg from 'pg';
import { ZONE } from '../asOf.js';
import { SIGNALS } from './sources.js';

/**
 * Inserts `count` ACTIVE tests `BENCH-000001 …`.
 *
 * @param firstDate the first as-of date (`YYYY-MM-DD`); @param lastDate the last one.
 */
export async function createTests(client: pg.Client, count: number, firstDate: string, lastDate: string): Promise<void> {
  await client.query(
    `INSERT INTO fhq_calendar.canonical_test_events
       (test_code, test_name, status, start_ts, end_ts, required_days, mid_test_checkpoint,
        baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path)
     SELECT format('BENCH-%s', lpad(i::text, 6, '0')), format('Synthetic benchmark test %s', i), 'ACTIVE',
            w.start_ts, w.end_ts, d.end_day - d.start_day + 1,
            CASE WHEN i % 10 = 0 THEN w.start_ts + interval '15 days' END,
            k.baseline, k.targets, k.success, k.failure,
            jsonb_build_object('owner', format('owner-%s', i % 7), 'notify', jsonb_build_array('ceo-office', format('team-%s', i % 10)))
     FROM generate_series(1, $1::int) AS i
     CROSS JOIN LATERAL (SELECT $2::date - (5 + i % 20) AS start_day, $3::date + (5 + i % 30) AS end_day) AS d
     CROSS JOIN LATERAL (SELECT d.start_day::timestamp AT TIME ZONE $4 AS start_ts,
                                (d.end_day::timestamp + interval '23:59:59') AT TIME ZONE $4 AS end_ts) AS w
     CROSS JOIN LATERAL (
       SELECT jsonb_object_agg(s.key, 50) AS baseline,
              jsonb_object_agg(s.key, jsonb_build_object('op', '<=', 'value', 90)) AS targets,
              jsonb_build_object('all', jsonb_agg(jsonb_build_object('metric', s.key, 'op', '<=', 'baseline_ratio', 1.9) ORDER BY s.j)) AS success,
              jsonb_build_object('any', jsonb_agg(jsonb_build_object('metric', s.key, 'op', '>', 'baseline_delta', 49.95) ORDER BY s.j)) AS failure
       FROM (SELECT j, 'sig_' || lpad(((i + 11 * j) % $5)::text, 2, '0') AS key FROM generate_series(0, 4) AS j) AS s
     ) AS k`,
    [count, firstDate, lastDate, ZONE, SIGNALS],
  );
}
