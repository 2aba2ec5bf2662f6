import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

import type { RunMode, RunOutcome } from '../domain/runMode.js';

export type { RunMode, RunOutcome };

/** Counts and timings recorded when a run finishes. Durations in milliseconds per phase. */
export interface RunFinish {
  outcome: RunOutcome;
  exitCode: number;
  testsEvaluated?: number;
  escalations?: number;
  resolutions?: number;
  alerts?: number;
  phaseMs?: Record<string, number>;
  error?: string;
}

/**
 * Records the start of a run in `fhq_calendar.evaluator_runs`. Runs outside any
 * transaction of the run itself (autocommit on `db`), so the row survives a rollback.
 */
export async function recordStart(db: CommonQueryMethods, runId: string, asOfDate: string, mode: RunMode): Promise<void> {
  await db.query(sql.unsafe`
    INSERT INTO fhq_calendar.evaluator_runs (run_id, as_of_date, mode) VALUES (${runId}, ${asOfDate}::date, ${mode})`);
}

/** The `error` text of a ledger row whose process ended without recording its finish. */
export const ABANDONED = 'abandoned: the process ended before recording its finish (killed, or its connection was lost)';

/**
 * Closes the ledger rows of runs that died (SIGKILL, power loss) while RUNNING:
 * outcome FAILED, `error` = {@link ABANDONED}, `finished_at` left NULL because
 * nobody knows when they stopped. Call only while holding the run lock: then no
 * other daily or backfill run can be alive. Dry runs and checks take no lock
 * and are left alone.
 */
export async function markAbandoned(db: CommonQueryMethods): Promise<readonly { run_id: string; as_of_date: string }[]> {
  return db.any(sql.type(z.object({ run_id: z.string().uuid(), as_of_date: z.string() }))`
    UPDATE fhq_calendar.evaluator_runs SET outcome = 'FAILED', error = ${ABANDONED}
    WHERE outcome = 'RUNNING' AND mode IN ('daily', 'backfill')
    RETURNING run_id, as_of_date::text AS as_of_date`);
}

/** Keeps a halted run's halt file, as written, with its ledger row: inside the run's transaction, so it commits with the halt. */
export async function recordHaltFile(tx: CommonQueryMethods, runId: string, text: string): Promise<void> {
  await tx.query(sql.unsafe`UPDATE fhq_calendar.evaluator_runs SET halt_file = ${text} WHERE run_id = ${runId}`);
}

/** The newest halt file recorded for each of `dates` (`YYYY-MM-DD`), by date. */
export async function loadHaltFiles(db: CommonQueryMethods, dates: readonly string[]): Promise<Map<string, string>> {
  if (dates.length === 0) return new Map();
  const rows = await db.any(sql.type(z.object({ as_of_date: z.string(), halt_file: z.string() }))`
    SELECT DISTINCT ON (as_of_date) as_of_date::text AS as_of_date, halt_file
    FROM fhq_calendar.evaluator_runs
    WHERE halt_file IS NOT NULL AND as_of_date = ANY(${sql.array([...dates], 'date')})
    ORDER BY as_of_date, started_at DESC`);
  return new Map(rows.map((r) => [r.as_of_date, r.halt_file]));
}

/** Records how a run ended (outcome, exit code, counts, phase durations, error text). */
export async function recordFinish(db: CommonQueryMethods, runId: string, finish: RunFinish): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE fhq_calendar.evaluator_runs SET
      finished_at = clock_timestamp(), outcome = ${finish.outcome}, exit_code = ${finish.exitCode},
      tests_evaluated = ${finish.testsEvaluated ?? null}, escalations = ${finish.escalations ?? null},
      resolutions = ${finish.resolutions ?? null}, alerts = ${finish.alerts ?? null},
      phase_ms = ${sql.jsonb(finish.phaseMs ?? {})}, error = ${finish.error ?? null}
    WHERE run_id = ${runId}`);
}

/** A ledger row as shown by `status`. */
export const ledgerRowSchema = z.object({
  run_id: z.string().uuid(),
  as_of_date: z.string(),
  mode: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  outcome: z.string(),
  exit_code: z.number().int().nullable(),
});
export type LedgerRow = z.infer<typeof ledgerRowSchema>;

/** The newest ledger row, or null on a database that never ran. */
export async function lastRun(db: CommonQueryMethods): Promise<LedgerRow | null> {
  return db.maybeOne(sql.type(ledgerRowSchema)`
    SELECT run_id, as_of_date::text AS as_of_date, mode, started_at, finished_at, outcome, exit_code
    FROM fhq_calendar.evaluator_runs ORDER BY started_at DESC LIMIT 1`);
}

/**
 * The run that holds the lock, for the exit-5 message: the newest RUNNING row
 * whose backend still holds the run's advisory lock.
 */
export async function lockHolder(db: CommonQueryMethods): Promise<LedgerRow | null> {
  return db.maybeOne(sql.type(ledgerRowSchema)`
    SELECT r.run_id, r.as_of_date::text AS as_of_date, r.mode, r.started_at, r.finished_at, r.outcome, r.exit_code
    FROM fhq_calendar.evaluator_runs AS r
    WHERE r.outcome = 'RUNNING'
      AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks AS l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = r.pid)
    ORDER BY r.started_at DESC LIMIT 1`);
}

/**
 * Missed days: the dates after the newest completed daily run and
 * before `date` that no completed daily or backfill run covers. Empty when
 * there was no daily run before `date`. At most `limit` dates, oldest first.
 */
export async function missedDates(db: CommonQueryMethods, date: string, limit = 366): Promise<string[]> {
  const rows = await db.anyFirst(sql.type(z.object({ d: z.string() }))`
    WITH last AS (
      SELECT max(as_of_date) AS d FROM fhq_calendar.evaluator_runs
      WHERE mode = 'daily' AND outcome IN ('DONE', 'HALTED') AND as_of_date < ${date}::date
    )
    SELECT g.d::date::text AS d
    FROM last, generate_series(last.d + 1, ${date}::date - 1, interval '1 day') AS g(d)
    WHERE NOT EXISTS (
      SELECT 1 FROM fhq_calendar.evaluator_runs AS r
      WHERE r.as_of_date = g.d::date AND r.mode IN ('daily', 'backfill') AND r.outcome IN ('DONE', 'HALTED'))
    ORDER BY g.d
    LIMIT ${limit}`);
  return [...rows];
}
