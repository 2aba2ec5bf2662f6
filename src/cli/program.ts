import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { logsDir } from '../config/settings.js';
import { DATABASE_URL_FORM } from '../db/connectionTarget.js';
import { packageRoot } from '../paths.js';
import { registerAck } from './commands/ack.js';
import { registerBackfill } from './commands/backfill.js';
import { registerCheck } from './commands/check.js';
import { registerDoctor } from './commands/doctor.js';
import { registerHealth } from './commands/health.js';
import { registerExport } from './commands/export.js';
import { registerHistory } from './commands/history.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRun } from './commands/run.js';
import { registerSchedule } from './commands/schedule.js';
import { registerSeed } from './commands/seed.js';
import { registerStatus } from './commands/status.js';
import { registerVerify } from './commands/verify.js';
import type { CommandContext } from './output.js';

/**
 * The `canonical-tests` program: the global settings options and one
 * subcommand per file of `src/cli/commands/`. Commander errors are thrown
 * (`exitOverride`) so that {@link main} maps them to exit codes in one place.
 *
 * @param ctx how commands report their exit code, the test-only phase hook, and the executable's path (for schedules).
 */
export function buildProgram(ctx: CommandContext & { entryScript: string }): Command {
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const program = new Command('canonical-tests')
    .description('Evaluates every ACTIVE canonical test window registered in PostgreSQL (see README.md and docs/).')
    .version(`canonical-tests ${version} (Node.js ${process.version})`)
    .option('--zone <iana>', 'time zone of dates and days (env CANONICAL_TZ, default Europe/Oslo)')
    .option('--run-time <HH:MM>', 'scheduled local time = as-of instant of a date (env CANONICAL_RUN_TIME, default 06:00)')
    .option('--reports-dir <dir>', 'folder of RUNBOOK_{YYYYMMDD}.md (env REPORTS_DIR, default ./reports)')
    .option('--evidence-dir <dir>', 'folder of evidence bundles (env EVIDENCE_DIR, default ./evidence)')
    .option('--wait-for-db <seconds>', 'retry a refused connection this long before exit 4 (env CANONICAL_WAIT_FOR_DB, default 0)')
    .option('--statement-timeout <seconds>', 'statement_timeout of every query (env CANONICAL_STATEMENT_TIMEOUT, default 60)')
    .option('--lock-timeout <seconds>', 'lock_timeout of every query (env CANONICAL_LOCK_TIMEOUT, default 10)')
    .option(
      '--resolution-grace <days>',
      'days after a close that the verdict waits for late data (env CANONICAL_RESOLUTION_GRACE, default 2)',
    )
    .option('--embedded', 'use a local embedded PostgreSQL in ./.embedded-pg (migrated, never seeded) instead of DATABASE_URL')
    .option('-q, --quiet', 'print only errors and the final line')
    .option('-v, --verbose', "also print each plan's summary and every write, and debug lines on stderr")
    .showHelpAfterError()
    .exitOverride();
  // A function, so the log's path is resolved when the help is shown (CANONICAL_LOG_DIR, the working directory).
  program.addHelpText(
    'after',
    () =>
      `\nExit codes: 0 done, 1 failure (e.g. a failing signal source, a database that is not migrated), 2 usage/configuration, 3 halted by the fail-closed gate, 4 database unreachable, 5 another run holds the lock, 6 verify found a problem.\nConnection: DATABASE_URL (${DATABASE_URL_FORM}, TLS with ?sslmode=require or verify-full), else the PG* variables, from the environment or a .env file in the working directory; --embedded for a local embedded PostgreSQL. Without one, commands that need a database exit 2.\nRun log: ${join(logsDir(), 'canonical-tests.log')} (CANONICAL_LOG_DIR moves it). Documentation: README.md and docs/.`,
  );
  registerRun(program, ctx);
  registerBackfill(program, ctx);
  registerCheck(program, ctx);
  registerStatus(program, ctx);
  registerHealth(program, ctx);
  registerDoctor(program, ctx);
  registerVerify(program, ctx);
  registerHistory(program, ctx);
  registerExport(program, ctx);
  registerMigrate(program, ctx);
  registerSeed(program, ctx);
  registerSchedule(program, ctx);
  registerAck(program, ctx);
  return program;
}
