import { createHash } from 'node:crypto';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { writeFileAtomic } from './atomicWrite.js';

/** A file to put on disk: absolute path (already checked to lie inside its folder) and UTF-8 content. */
export interface StagedFile {
  path: string;
  content: string;
}

/**
 * Stages a run's files in `fhq_calendar.pending_files` inside the run's
 * transaction, so they commit together with the rows that name them (SPEC §3
 * "Atomic"). A path staged again is replaced.
 */
export async function stageFiles(tx: CommonQueryMethods, runId: string, files: readonly StagedFile[]): Promise<void> {
  if (files.length === 0) return;
  const rows = files.map((f) => ({ path: f.path, content: f.content, sha256: createHash('sha256').update(f.content).digest('hex') }));
  await tx.query(sql.unsafe`
    INSERT INTO fhq_calendar.pending_files (path, content, sha256, run_id)
    SELECT path, content, sha256, ${runId}::uuid
    FROM jsonb_to_recordset(${sql.jsonb(rows)}) AS f(path text, content text, sha256 text)
    ON CONFLICT (path) DO UPDATE SET content = EXCLUDED.content, sha256 = EXCLUDED.sha256, run_id = EXCLUDED.run_id, staged_at = now()`);
}

/**
 * Writes staged files to disk (atomically, each), then deletes their rows:
 * those of `runId`, or with `runId` null every file a dead run left staged.
 *
 * @returns the paths whose content changed on disk.
 */
export async function writeStagedFiles(db: CommonQueryMethods, runId: string | null): Promise<string[]> {
  const staged = await db.any(sql.type(z.object({ path: z.string(), content: z.string() }))`
    SELECT path, content FROM fhq_calendar.pending_files
    WHERE ${runId === null ? sql.fragment`TRUE` : sql.fragment`run_id = ${runId}`}
    ORDER BY path`);
  const written = staged.filter((file) => writeFileAtomic(file.path, file.content)).map((file) => file.path);
  if (staged.length > 0) {
    await db.query(sql.unsafe`DELETE FROM fhq_calendar.pending_files WHERE path = ANY(${sql.array(staged.map((f) => f.path), 'text')})`);
  }
  return written;
}
