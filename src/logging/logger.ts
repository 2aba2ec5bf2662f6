import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The structured log of unattended runs: one JSON line per event,
 * appended synchronously to `{dir}/canonical-tests.log` so a killed run keeps
 * every line it wrote. Callers bind the run id (`logger.child({ run_id })`).
 * Nothing secret is ever passed to it: connection strings go through
 * `redactUri` first.
 */
export function fileLogger(dir: string): Logger {
  mkdirSync(dir, { recursive: true });
  return pino(
    { base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, redact: ['password', '*.password', 'uri', '*.uri'] },
    pino.destination({ dest: join(dir, 'canonical-tests.log'), sync: true, append: true }),
  );
}

/** A logger that drops everything (library callers and tests that do not log). */
export const silentLogger: Logger = pino({ level: 'silent' });
