import { resolve } from 'node:path';

/**
 * Folder of the structured run log: `CANONICAL_LOG_DIR`, default `./logs`,
 * against `cwd` (an absolute path). In a module of its own so that the
 * program's help can name it without loading the settings' dependencies.
 */
export function logsDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.CANONICAL_LOG_DIR || 'logs');
}
