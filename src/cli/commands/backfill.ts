import type { Command } from 'commander';
import type { CommandContext } from '../output.js';
import type { BackfillFlags } from './backfillAction.js';

/**
 * `canonical-tests backfill`: each date of a range in order. On a terminal a
 * progress bar (not with `TERM=dumb` or `NO_COLOR`), with escalations,
 * resolutions and halts printed above it; otherwise one line per date with
 * those events under it. `--dry-run` prints each date's plan summary;
 * `--json` prints one JSON line per date, then the summary line. The action
 * (src/cli/commands/backfillAction.ts) is loaded only when the command runs.
 */
export function registerBackfill(program: Command, ctx: CommandContext): void {
  program
    .command('backfill')
    .description('run each date of a range in order, as run --date would')
    .requiredOption('--from <YYYY-MM-DD>', 'first as-of date')
    .requiredOption('--to <YYYY-MM-DD>', 'last as-of date')
    .option('--dry-run', "print each date's plan, write nothing")
    .option('--test <code...>', 'only these tests (a RESOLVED one is re-evaluated for dates up to its resolution)')
    .option('--include-resolved', 'also re-evaluate RESOLVED tests, for dates up to their resolution (the live verdict never changes)')
    .option('--json', 'print one JSON line per date, then one summary line (snake_case keys)')
    .action(async (flags: BackfillFlags, command: Command) => {
      const { backfillAction } = await import('./backfillAction.js');
      ctx.setExit(await backfillAction(flags, command, ctx));
    });
}
