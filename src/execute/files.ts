import type { CommonQueryMethods } from 'slonik';
import { deleteStagedFiles, loadStagedFiles } from '../db/pendingFiles.js';
import type { PhaseHook } from '../domain/phases.js';
import { writeFileAtomic } from './atomicWrite.js';

/**
 * Writes staged files to disk (atomically, each), then unstages them: those of
 * `runId`, or with `runId` null every file a dead run left staged.
 *
 * @returns the paths whose content changed on disk.
 */
export async function writeStagedFiles(db: CommonQueryMethods, runId: string | null, onPhase?: PhaseHook): Promise<string[]> {
  const staged = await loadStagedFiles(db, runId);
  const written = staged.filter((file) => writeFileAtomic(file.path, file.content, onPhase)).map((file) => file.path);
  await deleteStagedFiles(
    db,
    staged.map((f) => f.path),
  );
  return written;
}
