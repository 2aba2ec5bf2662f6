import type { Command } from 'commander';
import { todayIn } from '../../config/settings.js';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { healthReport } from '../../run/health.js';
import { formatHealth } from '../../run/health/lines.js';
import { databaseIoOf, printerFor, settingsOf, type CommandContext } from '../output.js';

/**
 * `canonical-tests health`: for a monitoring system. Exit 0 when healthy, 1
 * when the last daily run did not finish DONE, a day was missed, or no run
 * finished DONE in the last 26 hours; SYSTEM_ERROR tests and unacknowledged
 * CRITICAL alerts are listed and fail it only with `--strict`.
 */
export function registerHealth(program: Command, ctx: CommandContext): void {
  program
    .command('health')
    .description('for monitoring: exit 0 when the daily run is healthy, 1 when not (one line per check, with what to do)')
    .option('--strict', 'SYSTEM_ERROR tests and unacknowledged CRITICAL alerts fail the check too')
    .option('--json', 'print one JSON document on stdout (snake_case keys)')
    .action(async (flags: { strict?: boolean; json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const printer = printerFor(command);
      const report = await withCommandDatabase(
        settings,
        (db) =>
          healthReport(db.pool, {
            today: todayIn(settings.zone),
            zone: settings.zone,
            strict: flags.strict === true,
            evidenceDir: settings.evidenceDir,
          }),
        databaseIoOf(printer),
      );
      if (flags.json) printer.always(JSON.stringify(report, null, 2));
      else formatHealth(report, printer.verbosity === 'quiet').forEach(printer.always);
      ctx.setExit(report.healthy ? ExitCode.done : ExitCode.failure);
    });
}
