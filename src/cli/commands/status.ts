import type { Command } from 'commander';
import { todayIn } from '../../config/settings.js';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { formatMissedDays, formatStatus, statusReport } from '../../run/status.js';
import { databaseIoOf, printerFor, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests status`: the ACTIVE tests' current state as a table, the last runs and any missed days (as ranges). */
export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description("the ACTIVE tests' current state, the last run and any missed days")
    .option('--json', 'print one JSON document on stdout (snake_case keys)')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const printer = printerFor(command);
      const report = await withCommandDatabase(
        settings,
        (db) => statusReport(db.pool, todayIn(settings.zone), settings.zone),
        databaseIoOf(printer),
      );
      if (flags.json) printer.always(JSON.stringify(report, null, 2));
      // -q keeps the findings: the missed days and what to do about them.
      else if (printer.verbosity === 'quiet') formatMissedDays(report).forEach(printer.always);
      else formatStatus(report).forEach(printer.always);
      ctx.setExit(ExitCode.done);
    });
}
