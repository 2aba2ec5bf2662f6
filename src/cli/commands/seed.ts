import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { seedScenario } from '../../seed/scenarios.js';
import { toSnakeCase } from '../formatPlan.js';
import { databaseIoOf, printerFor, printJson, settingsOf, type CommandContext } from '../output.js';

/** `name count, …` of a map of row counts, the names in snake_case (the tables they count). */
const counts = (rows: Record<string, number>) =>
  Object.entries(toSnakeCase(rows) as Record<string, number>)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');

/** `canonical-tests seed`: load a seed scenario; text by default, one JSON document with `--json`. */
export function registerSeed(program: Command, ctx: CommandContext): void {
  program
    .command('seed')
    .description('load a seed scenario (ec022: the EC-022 demo on S&P 500 data)')
    .option('--scenario <name>', 'scenario name', 'ec022')
    .option(
      '--reset',
      'delete the scenario test, its runbook rows and alerts, and insert it fresh (refused once it has evidence bundles: the record is append-only)',
    )
    .option('--json', 'print one JSON document on stdout (snake_case keys)')
    .action(async (flags: { scenario: string; reset?: boolean; json?: boolean }, command: Command) => {
      const printer = printerFor(command);
      const summary = await withCommandDatabase(
        settingsOf(command),
        (db) => seedScenario(db.pool, flags.scenario, { reset: flags.reset }),
        databaseIoOf(printer),
      );
      if (flags.json) printJson(summary);
      else {
        printer.line(`rows written: ${counts(summary.rowsWritten)}`);
        if (flags.reset) printer.line(`rows deleted: ${counts(summary.rowsDeleted)}`);
        printer.always(
          `seeded ${flags.scenario}: window ${summary.window.start} … ${summary.window.end}, source data ${summary.dataRange.first} … ${summary.dataRange.last}`,
        );
      }
      ctx.setExit(ExitCode.done);
    });
}
