import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from '../errors.js';

/**
 * Reads the `.env` file of the working directory into `env`, so a scheduled run
 * (Task Scheduler, systemd, cron: each starts in the project folder) finds its
 * `DATABASE_URL` or `PG*` variables without a password in the task definition.
 *
 * The file holds `KEY=value` lines as Node's own `.env` parser reads them
 * (`util.parseEnv`: `#` comments, optional quotes, `export ` prefixes). A
 * variable already present in `env` wins over the file, even when empty. Values
 * are never printed.
 *
 * @param env the environment to fill in, normally `process.env`.
 * @param cwd the folder whose `.env` is read, normally `process.cwd()`.
 * @returns the file's path when one was read, `null` when there is none.
 * @throws UsageError naming `.env` (exit 2) when the file exists but cannot be
 *   read (e.g. it is a folder or unreadable).
 */
export function loadDotEnv(env: NodeJS.ProcessEnv, cwd: string): string | null {
  const path = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError('.env', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (!(key in env)) env[key] = value;
  }
  return path;
}
