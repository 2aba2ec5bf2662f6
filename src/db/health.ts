import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { ledgerRowSchema } from './runs.js';

/** A ledger row of `fhq_calendar.evaluator_runs` with its error text, as `health` and `status` show it. */
export const runRowSchema = ledgerRowSchema.extend({ error: z.string().nullable() });
export type RunRow = z.infer<typeof runRowSchema>;

const dailyRowSchema = runRowSchema.extend({ rerun_done: z.boolean() });
/** The newest daily run, and whether its date has since been run again to DONE with exit code 0. */
export type DailyRunRow = z.infer<typeof dailyRowSchema>;

/**
 * The newest daily run (by start), leaving out a run that is still going: a
 * `RUNNING` row whose session still holds an advisory lock. A `RUNNING` row
 * whose process is gone (killed, connection lost) is returned as it is.
 * `rerun_done` says whether a later daily or backfill run of the same date
 * finished DONE with exit code 0 (the date was repaired).
 */
export async function lastDailyRun(db: CommonQueryMethods): Promise<DailyRunRow | null> {
  return db.maybeOne(sql.type(dailyRowSchema)`
    SELECT r.run_id, r.as_of_date::text AS as_of_date, r.mode, r.started_at, r.finished_at, r.outcome, r.exit_code, r.error,
           EXISTS (SELECT 1 FROM fhq_calendar.evaluator_runs AS x
                   WHERE x.as_of_date = r.as_of_date AND x.mode IN ('daily', 'backfill') AND x.outcome = 'DONE'
                     AND x.exit_code = 0 AND x.started_at > r.started_at) AS rerun_done
    FROM fhq_calendar.evaluator_runs AS r
    WHERE r.mode = 'daily'
      AND NOT (r.outcome = 'RUNNING'
               AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks AS l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = r.pid))
    ORDER BY r.started_at DESC LIMIT 1`);
}

const doneRowSchema = runRowSchema.extend({ within_hours: z.boolean() });

/**
 * The run that finished DONE with exit code 0 most recently, among the runs
 * that write (`daily`, `backfill`), and whether it finished within `hours` of
 * the database's clock.
 */
export async function lastDoneRun(db: CommonQueryMethods, hours: number): Promise<(RunRow & { within_hours: boolean }) | null> {
  return db.maybeOne(sql.type(doneRowSchema)`
    SELECT run_id, as_of_date::text AS as_of_date, mode, started_at, finished_at, outcome, exit_code, error,
           finished_at > now() - make_interval(hours => ${hours}) AS within_hours
    FROM fhq_calendar.evaluator_runs
    WHERE mode IN ('daily', 'backfill') AND outcome = 'DONE' AND exit_code = 0 AND finished_at IS NOT NULL
    ORDER BY finished_at DESC LIMIT 1`);
}

const systemErrorSchema = z.object({
  test_code: z.string(),
  test_name: z.string(),
  last_evaluated_date: z.string().nullable(),
  error_date: z.string().nullable(),
});
/** An ACTIVE test in `SYSTEM_ERROR`, with the newest date of a `SYSTEM_ERROR` runbook row (the date to re-run). */
export type SystemErrorTest = z.infer<typeof systemErrorSchema>;

/** The ACTIVE tests whose `escalation_state` is `SYSTEM_ERROR`, by test code. */
export async function systemErrorTests(db: CommonQueryMethods): Promise<readonly SystemErrorTest[]> {
  return db.any(sql.type(systemErrorSchema)`
    SELECT e.test_code, e.test_name, e.last_evaluated_date::text AS last_evaluated_date,
           (SELECT max(x.run_date) FROM fhq_calendar.test_runbook_entries AS x
            WHERE x.test_id = e.test_id AND x.escalation_state = 'SYSTEM_ERROR')::text AS error_date
    FROM fhq_calendar.canonical_test_events AS e
    WHERE e.status = 'ACTIVE' AND e.escalation_state = 'SYSTEM_ERROR'
    ORDER BY e.test_code`);
}

const alertSchema = z.object({
  alert_id: z.string().uuid(),
  run_date: z.string(),
  alert_type: z.string(),
  test_code: z.string().nullable(),
  title: z.string(),
});
/** A CRITICAL alert nobody has acknowledged. `test_code` is null for a run-level alert. */
export type OpenCriticalAlert = z.infer<typeof alertSchema>;

/** The CRITICAL alerts with `acknowledged_at IS NULL`, oldest first. */
export async function unacknowledgedCriticalAlerts(db: CommonQueryMethods): Promise<readonly OpenCriticalAlert[]> {
  return db.any(sql.type(alertSchema)`
    SELECT a.alert_id, a.run_date::text AS run_date, a.alert_type, e.test_code, a.title
    FROM fhq_calendar.ceo_calendar_alerts AS a
    LEFT JOIN fhq_calendar.canonical_test_events AS e ON e.test_id = a.test_id
    WHERE a.severity = 'CRITICAL' AND a.acknowledged_at IS NULL
    ORDER BY a.run_date, e.test_code NULLS FIRST, a.alert_type`);
}

/**
 * Whether the run ledger exists: false on a database that was never migrated
 * (looked up in `pg_catalog`, so it is never an error).
 */
export async function ledgerExists(db: CommonQueryMethods): Promise<boolean> {
  return db.oneFirst(sql.type(z.object({ present: z.boolean() }))`
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'fhq_calendar' AND c.relname = 'evaluator_runs') AS present`);
}
