import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Phase, PhaseHook } from '../domain/phases.js';

/** Name of the temporary file of {@link writeFileAtomic}: `.{target}.{pid}.{8 hex}.tmp`. */
const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether `path` already holds exactly `content` (UTF-8); false when it is missing, of another size or unreadable. */
function holdsAlready(path: string, content: string): boolean {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    // The size first: a missing or changed file is known without reading it (or raising an error).
    if (!stat?.isFile() || stat.size !== Buffer.byteLength(content)) return false;
    return readFileSync(path, 'utf8') === content;
  } catch {
    return false; // unreadable: write it
  }
}

/** Temporary files this process has named: with the pid, a unique name ({@link TEMPORARY}) without asking for random bytes. */
let temporaries = 0;

/**
 * Opens a new temporary file in `folder` for writing (`w+`: also reading),
 * named after `target` ({@link isTemporaryFileName}), creating the folder on
 * first need. A killed process's temporary files are removed by the next run
 * ({@link removeAbandonedTemporaries}).
 */
export function openTemporary(folder: string, target: string, flags: 'w' | 'w+' = 'w'): { fd: number; temporary: string } {
  const serial = (temporaries++ % 2 ** 32).toString(16).padStart(8, '0');
  const temporary = join(folder, `.${target}.${process.pid}.${serial}.tmp`);
  try {
    return { fd: openSync(temporary, flags), temporary };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(folder, { recursive: true });
    return { fd: openSync(temporary, flags), temporary };
  }
}

/**
 * The first half of an atomic write: `content` (UTF-8) written to a new
 * temporary file beside `path` ({@link isTemporaryFileName}), to be renamed
 * over `path` by the caller. Nothing is written when `path` already holds
 * exactly `content`.
 *
 * @param phase told to `onPhase` once the temporary file is complete (crash tests).
 * @param durable also flush the temporary file to disk.
 * @returns the temporary file's path; null when `path` already holds `content`.
 * @throws the file system's error (the folder cannot be created, the disk is full), after removing the temporary file.
 */
export function stageFile(
  path: string,
  content: string,
  onPhase?: PhaseHook,
  phase: Phase = 'file-temporary',
  durable = false,
): string | null {
  if (holdsAlready(path, content)) return null;
  const { fd, temporary } = openTemporary(dirname(path), basename(path));
  try {
    try {
      writeSync(fd, content);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    onPhase?.(phase);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return temporary;
}

/** The second half of an atomic write: renames a file {@link stageFile} wrote over its target; tells `onPhase` of `file-renamed`. On failure the temporary file is removed and the error thrown. */
export function renameStaged(temporary: string, path: string, onPhase?: PhaseHook): void {
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  onPhase?.('file-renamed');
}

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
 * @throws the file system's error (the folder cannot be created, the target is a folder, the disk is full), after removing the temporary file.
 */
export function writeFileAtomic(path: string, content: string, onPhase?: PhaseHook, durable = false): boolean {
  const temporary = stageFile(path, content, onPhase, 'file-temporary', durable);
  if (temporary === null) return false;
  renameStaged(temporary, path, onPhase);
  return true;
}

/** Whether two files hold the same bytes; false when either is missing, of another size or unreadable. */
function sameBytes(a: string, b: string): boolean {
  const chunk = 1 << 16;
  let fa: number | undefined;
  let fb: number | undefined;
  try {
    const sa = statSync(a, { throwIfNoEntry: false });
    const sb = statSync(b, { throwIfNoEntry: false });
    if (!sa?.isFile() || !sb?.isFile() || sa.size !== sb.size) return false;
    fa = openSync(a, 'r');
    fb = openSync(b, 'r');
    const ba = Buffer.allocUnsafe(chunk);
    const bb = Buffer.allocUnsafe(chunk);
    for (let read = 0; read < sa.size;) {
      const n = readSync(fa, ba, 0, chunk, read);
      if (n === 0 || readSync(fb, bb, 0, n, read) !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
      read += n;
    }
    return true;
  } catch {
    return false; // unreadable: write it
  } finally {
    if (fa !== undefined) closeSync(fa);
    if (fb !== undefined) closeSync(fb);
  }
}

/** Characters gathered before one `write` to a file: a few large writes rather than one per part. */
const PART_BUFFER_CHARS = 1 << 16;

/**
 * Appends parts to the open file `fd`: text gathered into writes of about
 * 64 K characters (UTF-8), bytes written as they come, after the text before them.
 *
 * @returns `write` and `flush`; `flush` writes what is gathered and returns the bytes written to `fd` so far.
 */
export function bufferedWriter(fd: number): { write: (part: string | Uint8Array) => void; flush: () => number } {
  let pending: string[] = [];
  let chars = 0;
  let bytes = 0;
  const flush = () => {
    if (pending.length > 0) bytes += writeSync(fd, pending.join(''));
    pending = [];
    chars = 0;
    return bytes;
  };
  const write = (part: string | Uint8Array) => {
    if (typeof part !== 'string') {
      flush();
      bytes += writeSync(fd, part);
      return;
    }
    pending.push(part);
    chars += part.length;
    if (chars >= PART_BUFFER_CHARS) flush();
  };
  return { write, flush };
}

/**
 * {@link writeFileAtomic} for a file too large to hold whole: `produce` is
 * given `write(part)` and writes the file's text (UTF-8) part by part into a
 * temporary file beside `path`, which is renamed over it once complete. When
 * `path` already holds exactly the same bytes, the temporary file is removed
 * and `path` left untouched.
 *
 * @param produce writes every part (text, or bytes already UTF-8), in order; may await between parts.
 * @param onPhase told of `file-temporary` once the temporary file is complete and `file-renamed` after the rename (crash tests).
 * @returns true when the file was written, false when it was already identical.
 * @throws what `produce` or the file system throws, after removing the temporary file.
 */
export async function writeFileAtomicInParts(
  path: string,
  produce: (write: (part: string | Uint8Array) => void) => Promise<void> | void,
  onPhase?: PhaseHook,
): Promise<boolean> {
  const { fd, temporary } = openTemporary(dirname(path), basename(path));
  try {
    try {
      const out = bufferedWriter(fd);
      await produce(out.write);
      out.flush();
    } finally {
      closeSync(fd);
    }
    if (sameBytes(temporary, path)) {
      rmSync(temporary, { force: true });
      return false;
    }
    onPhase?.('file-temporary');
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  renameStaged(temporary, path, onPhase);
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
