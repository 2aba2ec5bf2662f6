import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { logsDir } from '../config/logsDir.js';
import { packageRoot } from '../paths.js';
import type { CommandContext } from './output.js';

type Context = CommandContext & { entryScript: string };

/** Each subcommand, in the order of the help, and how to load its registration (with everything it uses). */
const COMMANDS: readonly [string, () => Promise<(program: Command, ctx: Context) => void>][] = [
  ['run', async () => (await import('./commands/run.js')).registerRun],
  ['backfill', async () => (await import('./commands/backfill.js')).registerBackfill],
  ['check', async () => (await import('./commands/check.js')).registerCheck],
  ['status', async () => (await import('./commands/status.js')).registerStatus],
  ['health', async () => (await import('./commands/health.js')).registerHealth],
  ['doctor', async () => (await import('./commands/doctor.js')).registerDoctor],
  ['verify', async () => (await import('./commands/verify.js')).registerVerify],
  ['history', async () => (await import('./commands/history.js')).registerHistory],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['migrate', async () => (await import('./commands/migrate.js')).registerMigrate],
  ['seed', async () => (await import('./commands/seed.js')).registerSeed],
  ['schedule', async () => (await import('./commands/schedule.js')).registerSchedule],
  ['ack', async () => (await import('./commands/ack.js')).registerAck],
];

/**
 * Which subcommands to load for `argv` (README "Performance": a command loads
 * only what it uses): every one named in it; none for a bare `--version`;
 * all of them otherwise (the help, no command, an unknown command and its suggestion).
 */
function commandsFor(argv: readonly string[]): typeof COMMANDS {
  const args = argv.slice(2);
  const named = COMMANDS.filter(([name]) => args.includes(name));
  if (named.length > 0) return named;
  return args.some((a) => a === '--version' || a === '-V') ? [] : COMMANDS;
}

/**
 * The `canonical-tests` program: the global settings options and one
 * subcommand per file of `src/cli/commands/`. Commander errors are thrown
 * (`exitOverride`) so that {@link main} maps them to exit codes in one place.
 *
 * @param argv the whole command line (`process.argv`): which subcommands it names decides which are loaded.
 * @param ctx how commands report their exit code, the test-only phase hook, and the executable's path (for schedules).
 */
export async function buildProgram(argv: readonly string[], ctx: Context): Promise<Command> {
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
  const commands = commandsFor(argv);
  const registers = await Promise.all(commands.map(([, load]) => load()));
  for (const register of registers) register(program, ctx);
  // Only the program's own help shows this text, and only with every subcommand loaded: the driver is loaded by then anyway.
  if (commands.length === COMMANDS.length) {
    const { DATABASE_URL_FORM } = await import('../db/connectionTarget.js');
    // A function, so the log's path is resolved when the help is shown (CANONICAL_LOG_DIR, the working directory).
    program.addHelpText(
      'after',
      () =>
        `\nExit codes: 0 done, 1 failure (e.g. a failing signal source, a database that is not migrated), 2 usage/configuration, 3 halted by the fail-closed gate, 4 database unreachable, 5 another run holds the lock, 6 verify found a problem.\nConnection: DATABASE_URL (${DATABASE_URL_FORM}, TLS with ?sslmode=require or verify-full), else the PG* variables, from the environment or a .env file in the working directory; --embedded for a local embedded PostgreSQL. Without one, commands that need a database exit 2.\nRun log: ${join(logsDir(), 'canonical-tests.log')} (CANONICAL_LOG_DIR moves it). Documentation: README.md and docs/.`,
    );
  }
  return program;
}
