import { rmSync } from 'node:fs';
import type { PhaseHook } from '../domain/phases.js';
import type { FileWithContent } from '../domain/plan.js';
import { renameStaged, stageFile } from './atomicWrite.js';

/**
 * The evidence files of a run, written under temporary names while its
 * transaction is open and renamed into place only after it commits (README
 * "Crash safety"): a run killed before its commit leaves only temporary
 * files, which the next run removes, and no finished file without its rows.
 * A file whose target already holds exactly its content is not staged.
 */
export class StagedFiles {
  private readonly staged: { temporary: string; path: string }[] = [];

  /** @param onPhase told of `file-staged` after each temporary file and `file-renamed` after each rename (crash tests). */
  constructor(private readonly onPhase?: PhaseHook) {}

  /**
   * Writes each file to a temporary name beside its target, in order.
   *
   * @throws the file system's error; the files staged so far stay staged until {@link discard}.
   */
  stage(files: readonly FileWithContent[]): void {
    for (const f of files) {
      const temporary = stageFile(f.path, f.content, this.onPhase, 'file-staged');
      if (temporary !== null) this.staged.push({ temporary, path: f.path });
    }
  }

  /**
   * Renames every staged file over its target, in the order staged (after the commit).
   *
   * @returns the paths written.
   * @throws the file system's error; the files not yet renamed stay staged until {@link discard}.
   */
  commit(): string[] {
    const written: string[] = [];
    try {
      for (const { temporary, path } of this.staged) {
        renameStaged(temporary, path, this.onPhase);
        written.push(path);
      }
    } finally {
      this.staged.splice(0, written.length);
    }
    return written;
  }

  /** Removes every staged file not yet renamed (a run that failed before its files were in place). */
  discard(): void {
    for (const { temporary } of this.staged.splice(0)) rmSync(temporary, { force: true });
  }
}
