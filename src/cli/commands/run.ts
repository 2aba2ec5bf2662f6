import { join } from 'node:path';
import type { Command } from 'commander';
import { limitHeapGrowthFor } from '../heapGrowth.js';
import { logsDir, todayIn } from '../../config/settings.js';
import { parseDate } from '../../domain/asOf.js';
import { fileLogger, type Logger } from '../../logging/logger.js';
import { runCommand } from '../../run/daily.js';
import { withCommandDatabase } from '../../run/database.js';
import { recordUnreachable } from '../../run/unreachable.js';
import { summarisePlan } from '../formatPlan.js';
import { databaseIoOf, printerFor, printRun, settingsOf, type CommandContext } from '../output.js';

interface RunFlags {
  date?: string;
  dryRun?: boolean;
  test?: string[];
  includeResolved?: boolean;
  catchUp?: boolean;
  json?: boolean;
}

/** `canonical-tests run`: the daily run for an as-of date (README "Commands"). */
export function registerRun(program: Command, ctx: CommandContext): void {
  program
    .command('run')
    .description('evaluate every ACTIVE test for one as-of date')
    .option('--date <YYYY-MM-DD>', 'as-of date (default: today in the zone); a past date runs as a backfill of that date')
    .option('--dry-run', 'print every write the run would make, write nothing')
    .option('--test <code...>', 'only these tests (a RESOLVED one is re-evaluated for dates up to its resolution)')
    .option('--include-resolved', 'also re-evaluate RESOLVED tests, for dates up to their resolution (the live verdict never changes)')
    .option('--catch-up', 'first evaluate the missed days since the last daily run, oldest first')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: RunFlags, command: Command) => {
      const settings = settingsOf(command);
      const printer = printerFor(command);
      const today = todayIn(settings.zone);
      const date = flags.date === undefined ? today : parseDate(flags.date);
      // Created on first use, so a refused command leaves no log folder behind.
      let logger: Logger | undefined;
      const log = () => (logger ??= fileLogger(logsDir()));
      const code = await withCommandDatabase(
        settings,
        async (db) => {
          printer.debug(`database: ${db.description}; run log: ${join(logsDir(), 'canonical-tests.log')}`);
          const { catchUp, result, exitCode } = await runCommand(db.pool, {
            date,
            today,
            settings,
            dryRun: flags.dryRun,
            testCodes: flags.test,
            includeResolved: flags.includeResolved,
            catchUp: flags.catchUp,
            // Only --json and -v print the writes one by one (a dry run always keeps them).
            keepWrites: Boolean(flags.json) || printer.verbosity === 'verbose',
            onTestCount: limitHeapGrowthFor,
            logger: log(),
            onPhase: ctx.onPhase,
            onCatchUpStart: (dates) => printer.notice(`catching up ${dates.length} missed day(s): ${dates.join(', ')}`),
            onCatchUpDate: (_date, r) => summarisePlan(r.plan).forEach((line) => printer.notice(line)),
          });
          if (catchUp?.summary.haltedAt) printer.error(`catch-up stopped at ${catchUp.summary.haltedAt}: halted by the fail-closed gate`);
          if (result) printRun(result, flags, printer);
          return exitCode;
        },
        { ...databaseIoOf(printer), onUnreachable: (error) => recordUnreachable(settings, date, log(), error) },
      );
      ctx.setExit(code);
    });
}
