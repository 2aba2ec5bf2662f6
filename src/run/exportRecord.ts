import type { DatabasePool } from 'slonik';
import type { Settings } from '../config/settings.js';
import { recordedDates } from '../db/bundles.js';
import { setSessionZone } from '../db/session.js';
import { exportDates } from '../execute/export.js';

/** What `canonical-tests export` did: the dates it exported and the files it (re)wrote. */
export interface ExportResult {
  dates: string[];
  written: string[];
  /** Bundles not written because their content no longer hashes to their recorded sha256 (`test_code run_date rN`). */
  altered: string[];
}

/**
 * Rewrites the files of the record for a date range (default: every date
 * recorded): each bundle's file (current and history/), each date's halt file
 * and runbook report, atomically and only where missing or different
 * ({@link exportDates}); a bundle whose content was altered in the database
 * after recording is not written. It reads the database and writes only files, so it
 * takes no run lock.
 */
export async function exportRecord(pool: DatabasePool, settings: Settings, range: { from?: string; to?: string }): Promise<ExportResult> {
  return pool.connect(async (conn) => {
    await setSessionZone(conn, settings.zone);
    const dates = await recordedDates(conn, range);
    const altered: string[] = [];
    const written = await exportDates(conn, dates, settings, {
      onAltered: (b) => altered.push(`${b.test_code} ${b.run_date} r${b.revision}`),
    });
    return { dates, written, altered };
  });
}
