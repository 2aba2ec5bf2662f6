import type { DatabasePool } from 'slonik';
import { lastRun, missedDates, type LedgerRow } from '../db/runs.js';
import { loadStatus, type StatusRow } from '../db/status.js';

/** What `canonical-tests status` shows: the ACTIVE tests, the newest ledger row, the missed days. */
export interface StatusReport {
  tests: readonly StatusRow[];
  lastRun: LedgerRow | null;
  /** Dates before `today` that no completed run covers, oldest first. */
  missedDates: string[];
}

/**
 * Assembles the status of the evaluator on a database.
 *
 * @param today today's date `YYYY-MM-DD` in the configured zone.
 */
export async function statusReport(pool: DatabasePool, today: string): Promise<StatusReport> {
  return { tests: await loadStatus(pool), lastRun: await lastRun(pool), missedDates: await missedDates(pool, today) };
}
