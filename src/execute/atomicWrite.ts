import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `content` (UTF-8) to `path` so that no reader ever sees a torn file
 * (SPEC §3 "Atomic"): a temporary file in the same folder, flushed to disk,
 * then renamed over the target. A file that already holds exactly `content`
 * is left untouched, so an identical re-run changes nothing.
 *
 * @returns true when the file was written, false when it was already identical.
 */
export function writeFileAtomic(path: string, content: string): boolean {
  try {
    if (readFileSync(path, 'utf8') === content) return false;
  } catch {
    // missing or unreadable: write it
  }
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return true;
}
