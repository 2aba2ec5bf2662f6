import type { Command } from 'commander';
import { migrate } from '../../db/migrate.js';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { databaseIoOf, printerFor, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests migrate`: apply the `sql/` migrations (idempotent). */
export function registerMigrate(program: Command, ctx: CommandContext): void {
  program
    .command('migrate')
    .description('apply the sql/ migrations (idempotent)')
    .action(async (_flags: unknown, command: Command) => {
      const printer = printerFor(command);
      const applied = await withCommandDatabase(settingsOf(command), (db) => migrate(db.uri), databaseIoOf(printer));
      printer.always(applied.length ? `applied ${applied.join(', ')}` : 'up to date: no migration to apply');
      ctx.setExit(ExitCode.done);
    });
}
