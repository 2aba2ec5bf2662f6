import { closeSync, readSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { bufferedWriter, openTemporary } from './atomicWrite.js';

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
  private readonly out: ReturnType<typeof bufferedWriter>;
  private removed = false;

  /** @throws the file system's error (the folder cannot be created). */
  constructor(target: string) {
    ({ fd: this.fd, temporary: this.temporary } = openTemporary(dirname(target), basename(target), 'w+'));
    this.out = bufferedWriter(this.fd);
  }

  /** Appends `text` (UTF-8). */
  write(text: string): void {
    this.out.write(text);
  }

  /** Everything written so far, in order, in chunks of at most 64 KiB (each a new buffer). */
  *contents(): Generator<Uint8Array> {
    const bytes = this.out.flush();
    for (let position = 0; position < bytes;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 16, bytes - position));
      const read = readSync(this.fd, chunk, 0, chunk.length, position);
      if (read === 0) throw new Error(`spool ${this.temporary} ended at byte ${position} of ${bytes}`);
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
