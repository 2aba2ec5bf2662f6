import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { seedScenario } from '../../seed/scenarios.js';
import { databaseIo, out, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests seed`: load a seed scenario. */
export function registerSeed(program: Command, ctx: CommandContext): void {
  program
    .command('seed')
    .description('load a seed scenario (ec022: the EC-022 demo on S&P 500 data)')
    .option('--scenario <name>', 'scenario name', 'ec022')
    .option('--reset', 'delete the scenario test, its runbook rows and alerts, and insert it fresh')
    .action(async (flags: { scenario: string; reset?: boolean }, command: Command) => {
      const summary = await withCommandDatabase(
        settingsOf(command),
        (db) => seedScenario(db.pool, flags.scenario, { reset: flags.reset }),
        databaseIo,
      );
      out(JSON.stringify(summary, null, 2));
      ctx.setExit(ExitCode.done);
    });
}
