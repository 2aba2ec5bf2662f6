import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Folders made by {@link tempDir} in this test file and not yet removed. */
const created: string[] = [];

/**
 * A new, empty folder `canonical-tests-{label}-XXXXXX` under the system
 * temporary folder (`mkdtemp`, so concurrent runs never share one). It is
 * removed, with everything in it, after the test file that made it
 * ({@link removeTempDirs}, run by test/setup.ts).
 *
 * @param label a short word saying what the folder is for, e.g. `cli`.
 * @returns the folder's absolute path.
 */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `canonical-tests-${label}-`));
  created.push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made so far (a missing one is fine). Never throws for a folder already gone. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
