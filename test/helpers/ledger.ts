import type { TestDatabase } from './database.js';

/** A row of the run ledger written directly by the administrator, as a fixture. */
export interface LedgerFixture {
  date: string;
  mode: 'daily' | 'backfill' | 'dry-run' | 'check';
  outcome: 'RUNNING' | 'DONE' | 'HALTED' | 'FAILED';
  exitCode?: number | null;
  error?: string | null;
  /** How long ago the run started, as a PostgreSQL interval (default `1 hour`). */
  startedAgo?: string;
  /** How long ago it finished (default `1 minute`); null: it never recorded a finish. */
  finishedAgo?: string | null;
}

/**
 * Inserts ledger rows into `fhq_calendar.evaluator_runs`, with times relative
 * to the database's clock. `pid` is -1: no session holds the run lock for them.
 */
export async function addLedgerRows(db: TestDatabase, rows: readonly LedgerFixture[]): Promise<void> {
  for (const r of rows) {
    await db.exec(
      `INSERT INTO fhq_calendar.evaluator_runs (run_id, as_of_date, mode, outcome, exit_code, error, started_at, finished_at, pid)
       VALUES (gen_random_uuid(), $1::date, $2, $3, $4, $5, now() - $6::interval,
               CASE WHEN $7::text IS NULL THEN NULL ELSE now() - $7::interval END, -1)`,
      [
        r.date,
        r.mode,
        r.outcome,
        r.exitCode === undefined ? (r.outcome === 'DONE' ? 0 : null) : r.exitCode,
        r.error ?? null,
        r.startedAgo ?? '1 hour',
        r.finishedAgo === undefined ? '1 minute' : r.finishedAgo,
      ],
    );
  }
}
