import { existsSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import { asOfFor } from '../domain/asOf.js';
import { haltFilePath, jsonFile } from '../domain/fileNames.js';
import { DatabaseUnreachableError } from '../errors.js';
import { writeFileAtomic } from '../execute/atomicWrite.js';
import type { Logger } from '../logging/logger.js';

/**
 * Runs `work`; when it fails with DatabaseUnreachableError (exit 4), leaves a
 * trace before rethrowing: a `database_unreachable` line in the run log and,
 * unless a halt file of that date already exists, `ORCHESTRATOR_HALT_{date}.json`
 * with the reason and the target. The error's message names the target
 * without its password, and nothing else of the connection is written.
 *
 * @param date the as-of date (`YYYY-MM-DD`) the command was asked to evaluate.
 */
export async function tracingUnreachable<T>(settings: Settings, date: string, logger: Logger, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DatabaseUnreachableError)) throw error;
    const asOf = asOfFor(date, settings.zone, settings.runTime);
    logger.error({ event: 'database_unreachable', as_of_date: date }, error.message);
    const path = haltFilePath(settings.evidenceDir, asOf.compactDate);
    if (!existsSync(path)) {
      const file = jsonFile(path, {
        schema: 'canonical-test-halt/1', as_of_date: asOf.date, as_of_instant: asOf.instant, zone: asOf.zone,
        halted: true, reason: 'database unreachable', message: error.message, recorded_at: new Date().toISOString(),
      });
      writeFileAtomic(file.path, file.content);
    }
    throw error;
  }
}
