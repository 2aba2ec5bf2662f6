import { closeSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { openTemporary } from './atomicWrite.js';

/** Characters gathered before one write to the spool. */
const BUFFER_CHARS = 1 << 16;

/**
 * Text set aside in a temporary file beside `target` (named as the atomic
 * writes name theirs, so a killed process's spool is removed by the next
 * run), to be copied into the target later in the order it was written: a
 * part of a file that must come after something not yet known. Call
 * {@link Spool.remove} when done.
 */
export class Spool {
  private readonly fd: number;
  private readonly temporary: string;
  private pending: string[] = [];
  private chars = 0;
  private bytes = 0;
  private removed = false;

  /** @throws the file system's error (the folder cannot be created). */
  constructor(target: string) {
    ({ fd: this.fd, temporary: this.temporary } = openTemporary(dirname(target), basename(target), 'w+'));
  }

  /** Appends `text` (UTF-8). */
  write(text: string): void {
    this.pending.push(text);
    this.chars += text.length;
    if (this.chars >= BUFFER_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.bytes += writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.chars = 0;
  }

  /** Everything written so far, in order, in chunks of at most 64 KiB (each a new buffer). */
  *contents(): Generator<Uint8Array> {
    this.flush();
    for (let position = 0; position < this.bytes;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 16, this.bytes - position));
      const read = readSync(this.fd, chunk, 0, chunk.length, position);
      if (read === 0) throw new Error(`spool ${this.temporary} ended at byte ${position} of ${this.bytes}`);
      position += read;
      yield chunk.subarray(0, read);
    }
  }

  /** Closes and deletes the temporary file (again: nothing). */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    closeSync(this.fd);
    rmSync(this.temporary, { force: true });
  }
}
