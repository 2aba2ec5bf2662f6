import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (the one holding `package.json`, `sql/` and
 * `templates/`), found by walking up from this module: the same answer from
 * `src/` under vitest and from `dist/src/` when built.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'sql'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root (package.json beside sql/)');
    dir = parent;
  }
  return dir;
}

let version: string | undefined;

/** The evaluator's version, from its package.json (read once). */
export function evaluatorVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
