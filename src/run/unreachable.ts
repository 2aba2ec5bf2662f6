import { existsSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import { asOfFor } from '../domain/asOf.js';
import { haltFilePath, jsonFile } from '../domain/fileNames.js';
import type { DatabaseUnreachableError } from '../errors.js';
import { writeFileAtomic } from '../execute/atomicWrite.js';
import type { Logger } from '../logging/logger.js';

/**
 * Leaves a trace of a database that could not be reached (exit 4), where no
 * ledger row can: a `database_unreachable` line in the run log and, unless a
 * halt file of that date already exists, `ORCHESTRATOR_HALT_{date}.json` with
 * the reason and the target. The error's message names the target without
 * its password, and nothing else of the connection is written.
 *
 * @param date the as-of date (`YYYY-MM-DD`) the command was asked to evaluate.
 */
export function recordUnreachable(settings: Settings, date: string, logger: Logger, error: DatabaseUnreachableError): void {
  const asOf = asOfFor(date, settings.zone, settings.runTime);
  logger.error({ event: 'database_unreachable', as_of_date: date }, error.message);
  const path = haltFilePath(settings.evidenceDir, asOf.compactDate);
  if (existsSync(path)) return;
  const file = jsonFile(path, {
    schema: 'canonical-test-halt/1',
    as_of_date: asOf.date,
    as_of_instant: asOf.instant,
    zone: asOf.zone,
    halted: true,
    reason: 'database unreachable',
    message: error.message,
  });
  writeFileAtomic(file.path, file.content, undefined, true); // not in the record: flush it
}
