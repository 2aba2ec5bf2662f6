import type { Command } from 'commander';
import { todayIn } from '../../config/settings.js';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { formatStatus, statusReport } from '../../run/status.js';
import { databaseIo, out, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests status`: the ACTIVE tests' current state as a table, the last runs and any missed days (as ranges). */
export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description("the ACTIVE tests' current state, the last run and any missed days")
    .option('--json', 'print one JSON document on stdout (snake_case keys)')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const report = await withCommandDatabase(settings, (db) => statusReport(db.pool, todayIn(settings.zone), settings.zone), databaseIo);
      if (flags.json) out(JSON.stringify(report, null, 2));
      else formatStatus(report).forEach((line) => out(line));
      ctx.setExit(ExitCode.done);
    });
}
