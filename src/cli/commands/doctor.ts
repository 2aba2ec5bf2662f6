import type { Command } from 'commander';
import type { SettingFlags } from '../../config/settings.js';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { doctor, formatDoctor } from '../../run/doctor.js';
import { databaseIoOf, printerFor, type CommandContext } from '../output.js';

/**
 * `canonical-tests doctor`: one line per check of what a run needs, each `OK …`
 * or `FAIL … — what to do` (`SKIP` when an earlier failure makes a check
 * meaningless). Exit 0 when every check is OK, 1 otherwise; an invalid setting
 * or a missing connection is a failed check, not a usage error.
 */
export function registerDoctor(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('check the connection, server, migrations, privileges, registry grants, folders, zone and run time')
    .option('--json', 'print one JSON document on stdout (snake_case keys)')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const printer = printerFor(command);
      const report = await doctor({
        flags: command.optsWithGlobals<SettingFlags>(),
        env: process.env,
        cwd: process.cwd(),
        withDatabase: (settings, work) => withCommandDatabase(settings, work, databaseIoOf(printer)),
      });
      if (flags.json) printer.always(JSON.stringify(report, null, 2));
      else formatDoctor(report, printer.verbosity === 'quiet').forEach(printer.always);
      ctx.setExit(report.ok ? ExitCode.done : ExitCode.failure);
    });
}
