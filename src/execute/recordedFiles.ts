import { readFileSync } from 'node:fs';
import type { CommonQueryMethods } from 'slonik';
import { loadBundles } from '../db/bundles.js';
import { canonicalJson, sha256Hex } from '../domain/canonicalJson.js';
import type { FileWithContent, FileWrite, RecordedFile } from '../domain/plan.js';

/** Whether the file at `path` exists and its bytes hash to `sha256` (hex); false when it is missing or unreadable. */
function holdsHash(path: string, sha256: string): boolean {
  try {
    return sha256Hex(readFileSync(path)) === sha256;
  } catch {
    return false;
  }
}

/**
 * The files of a plan with their text, ready to stage: each file with a text
 * as it is; each recorded revision's file (an evaluation identical to what
 * the record holds, src/domain/plan.ts `RecordedFile`) only where its target
 * does not already hold that revision's bytes, its text read from the record
 * (`evidence_bundles`) and written as canonical JSON, as `export` writes it.
 *
 * @param files files of one run (one as-of date), in plan order.
 * @returns the files to stage, in the same order.
 * @throws the database's error; Error when the record lacks a revision a file names (it was read from the record in the same transaction).
 */
export async function withRecordedTexts(db: CommonQueryMethods, files: readonly FileWrite[]): Promise<FileWithContent[]> {
  const missing = files.filter((f): f is RecordedFile => f.content === null && !holdsHash(f.path, f.sha256));
  const texts = new Map<string, string>();
  if (missing.length > 0) {
    const recorded = await loadBundles(db, { date: missing[0]!.recorded.runDate, testIds: missing.map((f) => f.recorded.testId) });
    for (const b of recorded) texts.set(`${b.test_id} ${b.revision}`, canonicalJson(b.content));
  }
  const ready: FileWithContent[] = [];
  const lost = new Set<FileWrite>(missing);
  for (const f of files) {
    if (f.content !== null) ready.push(f);
    else if (lost.has(f)) {
      const content = texts.get(`${f.recorded.testId} ${f.recorded.revision}`);
      if (content === undefined)
        throw new Error(`the record holds no revision ${f.recorded.revision} of ${f.recorded.runDate} for the test of ${f.path}`);
      ready.push({ path: f.path, content, sha256: f.sha256 });
    }
  }
  return ready;
}
