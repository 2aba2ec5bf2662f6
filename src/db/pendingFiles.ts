import { createHash } from 'node:crypto';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/** A file to put on disk: absolute path (already checked to lie inside its folder) and UTF-8 content. */
export interface StagedFile {
  path: string;
  content: string;
}

/**
 * Stages a run's files in `fhq_calendar.pending_files` inside the run's
 * transaction, so they commit together with the rows that name them. A path staged again is replaced.
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

/** The files staged by `runId`, or with `runId` null every staged file (a dead run's), by path. */
export async function loadStagedFiles(db: CommonQueryMethods, runId: string | null): Promise<readonly StagedFile[]> {
  return db.any(sql.type(z.object({ path: z.string(), content: z.string() }))`
    SELECT path, content FROM fhq_calendar.pending_files
    WHERE ${runId === null ? sql.fragment`TRUE` : sql.fragment`run_id = ${runId}`}
    ORDER BY path`);
}

/** Unstages the files at `paths` once they are on disk. */
export async function deleteStagedFiles(db: CommonQueryMethods, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await db.query(sql.unsafe`DELETE FROM fhq_calendar.pending_files WHERE path = ANY(${sql.array([...paths], 'text')})`);
}
