import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { exportRecord } from '../../run/exportRecord.js';
import { dateRangeOf, databaseIoOf, printerFor, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests export`: rewrites evidence files, halt files and reports of a date range from the record. */
export function registerExport(program: Command, ctx: CommandContext): void {
  program
    .command('export')
    .description('rewrite evidence files (current and history), halt files and reports from the record; only missing or different files')
    .option('--from <YYYY-MM-DD>', 'first date (default: the first recorded)')
    .option('--to <YYYY-MM-DD>', 'last date (default: the last recorded)')
    .action(async (flags: { from?: string; to?: string }, command: Command) => {
      const settings = settingsOf(command);
      const printer = printerFor(command);
      const { from, to } = dateRangeOf(flags);
      const result = await withCommandDatabase(settings, (db) => exportRecord(db.pool, settings, { from, to }), databaseIoOf(printer));
      result.written.forEach((path) => printer.line(`wrote ${path}`));
      result.altered.forEach((b) =>
        printer.error(`not exported: ${b}: its content no longer hashes to its recorded sha256 (canonical-tests verify reports it)`),
      );
      printer.always(`exported ${result.dates.length} date(s): ${result.written.length} file(s) (re)written`);
      ctx.setExit(ExitCode.done);
    });
}
