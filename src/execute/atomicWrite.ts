import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PhaseHook } from '../domain/phases.js';

/** Name of the temporary file of {@link writeFileAtomic}: `.{target}.{pid}.{8 hex}.tmp`. */
const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Writes `content` (UTF-8) to `path` so that no reader ever sees a torn file:
 * a temporary file in the same folder, renamed over the target. A file that
 * already holds exactly `content` is left untouched, so an identical re-run
 * changes nothing.
 *
 * @param onPhase told of `file-temporary` and `file-renamed` (crash tests).
 * @param durable also flush the file to disk before the rename. Evidence and
 *   reports do not need it: they are exports of the record, rewritten by the
 *   next run if a power loss takes them (README "Crash safety").
 * @returns true when the file was written, false when it was already identical.
 */
export function writeFileAtomic(path: string, content: string, onPhase?: PhaseHook, durable = false): boolean {
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
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    onPhase?.('file-temporary');
    renameSync(temporary, path);
    onPhase?.('file-renamed');
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return true;
}

/** Whether `name` (a bare file name) is a temporary file of {@link writeFileAtomic}, never a finished file. */
export function isTemporaryFileName(name: string): boolean {
  return TEMPORARY.test(name);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the temporary files that a killed writer left in `folder` (never a
 * finished file: those are only ever renamed into place). A temporary file
 * whose writing process is still alive is kept.
 *
 * @returns the names removed; none when the folder does not exist.
 */
export function removeAbandonedTemporaries(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match || alive(Number(match[1]))) continue;
    rmSync(join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}
