import type { CommonQueryMethods, DatabasePool, DatabasePoolConnection } from 'slonik';
import type { Settings } from '../config/settings.js';
import { lockHolder, markAbandoned } from '../db/runs.js';
import { releaseRunLock, setSessionZone, tryRunLock } from '../db/session.js';
import type { PhaseHook } from '../domain/phases.js';
import { LockHeldError, exitCodeOf } from '../errors.js';
import { removeAbandonedTemporaries } from '../execute/atomicWrite.js';
import { exportDates } from '../execute/export.js';
import type { Logger } from '../logging/logger.js';

/**
 * Cleans up after a run that died (SIGKILL, power loss) holding the lock:
 * closes its ledger row, exports the files of what it committed from the
 * record (its dates' bundles, halt file and runbook), and removes its
 * temporary files. Call only while holding the run lock.
 */
async function recoverAbandonedRun(conn: CommonQueryMethods, settings: Settings, log: Logger, onPhase?: PhaseHook): Promise<void> {
  const abandoned = await markAbandoned(conn);
  const recovered = await exportDates(
    conn,
    abandoned.map((r) => r.as_of_date),
    settings,
    { onPhase },
  );
  const swept = [...removeAbandonedTemporaries(settings.evidenceDir), ...removeAbandonedTemporaries(settings.reportsDir)];
  if (recovered.length > 0 || swept.length > 0) {
    log.warn(
      { event: 'recovered_abandoned_run', files_written: recovered, temporaries_removed: swept },
      'finished the file writes of a run that died',
    );
  }
}

/** Takes the run lock, or throws LockHeldError naming the holder (exit 5). */
async function takeRunLock(conn: CommonQueryMethods, log: Logger): Promise<void> {
  if (await tryRunLock(conn)) return;
  const holder = await lockHolder(conn);
  const by = holder ? `run ${holder.run_id} (${holder.mode} ${holder.as_of_date}, since ${holder.started_at})` : 'another session';
  log.warn({ event: 'lock_held', holder: holder?.run_id ?? null }, `run lock held by ${by}`);
  throw new LockHeldError(`another canonical-tests run holds the run lock on this database: ${by}; nothing was written`);
}

/** How {@link withRunSession} opens a session. */
export interface RunSessionOptions {
  settings: Settings;
  /** A dry run takes no lock and recovers nothing. */
  dryRun?: boolean;
  /** The log of the (first) run, carrying its run id. */
  log: Logger;
  onPhase?: PhaseHook;
}

/**
 * Runs `work` on one pooled connection with the session zone set and — unless
 * a dry run — the run lock held and any abandoned run recovered first; the lock
 * is released afterwards, whatever happens. One `run --date` opens one session;
 * a backfill opens one for its whole range.
 *
 * @returns what `work` returns.
 * @throws LockHeldError (exit 5) when another run holds the lock (nothing is written);
 *   whatever recovery or `work` throws.
 */
export async function withRunSession<T>(
  pool: DatabasePool,
  options: RunSessionOptions,
  work: (conn: DatabasePoolConnection) => Promise<T>,
): Promise<T> {
  return pool.connect(async (conn) => {
    // statement_timeout and lock_timeout are set on every pooled connection (src/db/pool.ts).
    await setSessionZone(conn, options.settings.zone);
    if (options.dryRun) return work(conn);
    await takeRunLock(conn, options.log);
    try {
      try {
        await recoverAbandonedRun(conn, options.settings, options.log, options.onPhase);
      } catch (error) {
        options.log.error({ event: 'run_failed', exit_code: exitCodeOf(error) }, error instanceof Error ? error.message : String(error));
        throw error;
      }
      return await work(conn);
    } finally {
      await releaseRunLock(conn).catch(() => undefined);
    }
  });
}
