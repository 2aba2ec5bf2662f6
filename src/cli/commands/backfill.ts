import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { logsDir, todayIn } from '../../config/settings.js';
import { fileLogger, type Logger } from '../../logging/logger.js';
import { backfill, backfillDates } from '../../run/backfill.js';
import { withCommandDatabase } from '../../run/database.js';
import { recordUnreachable } from '../../run/unreachable.js';
import { databaseIo, err, oneLine, out, settingsOf, type CommandContext } from '../output.js';

interface BackfillFlags {
  from: string;
  to: string;
  dryRun?: boolean;
  test?: string[];
  includeResolved?: boolean;
}

/** `canonical-tests backfill`: each date of a range in order, with a progress bar on a terminal. */
export function registerBackfill(program: Command, ctx: CommandContext): void {
  program
    .command('backfill')
    .description('run each date of a range in order, as run --date would')
    .requiredOption('--from <YYYY-MM-DD>', 'first as-of date')
    .requiredOption('--to <YYYY-MM-DD>', 'last as-of date')
    .option('--dry-run', 'print the plans, write nothing')
    .option('--test <code...>', 'only these tests (a RESOLVED one is re-evaluated for dates up to its resolution)')
    .option('--include-resolved', 'also re-evaluate RESOLVED tests, for dates up to their resolution (the live verdict never changes)')
    .action(async (flags: BackfillFlags, command: Command) => {
      const settings = settingsOf(command);
      const dates = backfillDates(flags.from, flags.to, todayIn(settings.zone));
      // Created on first use, so a refused command leaves no log folder behind.
      let logger: Logger | undefined;
      const log = () => (logger ??= fileLogger(logsDir()));
      const code = await withCommandDatabase(
        settings,
        async (db) => {
          const bar = process.stderr.isTTY
            ? new cliProgress.SingleBar(
                { format: 'backfill [{bar}] {value}/{total} {date}', stream: process.stderr },
                cliProgress.Presets.shades_classic,
              )
            : null;
          bar?.start(dates.length, 0, { date: flags.from });
          const started = performance.now();
          try {
            const summary = await backfill(db.pool, {
              dates,
              settings,
              dryRun: flags.dryRun,
              testCodes: flags.test,
              includeResolved: flags.includeResolved,
              logger: log(),
              onPhase: ctx.onPhase,
              onDate: (date, result) => void (bar ? bar.increment(1, { date }) : out(oneLine(date, result))),
            });
            bar?.stop();
            const seconds = ((performance.now() - started) / 1000).toFixed(1);
            out(
              `backfill ${flags.from} … ${flags.to}: ${summary.datesDone} date(s) done in ${seconds} s, ${summary.testsEvaluated} test evaluation(s), ${summary.escalationAlerts} escalation alert(s), ${summary.resolutions} resolution(s), ${summary.halts} halt(s)`,
            );
            if (summary.haltedAt)
              err(
                `backfill stopped at ${summary.haltedAt}: halted by the fail-closed gate (see ORCHESTRATOR_HALT_${summary.haltedAt.replaceAll('-', '')}.json in ${settings.evidenceDir})`,
              );
            return summary.exitCode;
          } finally {
            bar?.stop();
          }
        },
        { ...databaseIo, onUnreachable: (error) => recordUnreachable(settings, dates[0]!, log(), error) },
      );
      ctx.setExit(code);
    });
}
