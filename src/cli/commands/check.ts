import type { Command } from 'commander';
import { todayIn } from '../../config/settings.js';
import { asOfFor, parseDate } from '../../domain/asOf.js';
import { describeDefect } from '../../domain/defect.js';
import type { MetricValue } from '../../domain/metric.js';
import { checkDefinitions } from '../../run/check.js';
import { withCommandDatabase } from '../../run/database.js';
import { databaseIoOf, printerFor, printJson, settingsOf, type CommandContext } from '../output.js';

/** One signal of `check` as a line: its value, why it is pending, or the error of its source. */
function signalLine(s: MetricValue): string {
  const state =
    s.status === 'AVAILABLE'
      ? String(s.value)
      : s.status === 'ERROR'
        ? `ERROR (${s.error ?? 'query failed'})`
        : `PENDING (${s.pendingReason})`;
  return `signal ${s.key}: ${state} [${s.aggregation} ${s.source.schema}.${s.source.table}.${s.source.column}]`;
}

/** `canonical-tests check`: the CI check, no writes but its ledger row. */
export function registerCheck(program: Command, ctx: CommandContext): void {
  program
    .command('check')
    .description('CI check: the gate and registry resolution for all ACTIVE tests, no writes')
    .option('--date <YYYY-MM-DD>', 'as-of date for resolving signals (default: today)')
    .option('--json', 'print one JSON document on stdout (snake_case keys)')
    .action(async (flags: { date?: string; json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const printer = printerFor(command);
      const date = flags.date === undefined ? todayIn(settings.zone) : parseDate(flags.date);
      const code = await withCommandDatabase(
        settings,
        async (db) => {
          printer.debug(`database: ${db.description}; as of ${asOfFor(date, settings.zone, settings.runTime).instant}`);
          const result = await checkDefinitions(db.pool, date, settings);
          if (flags.json) printJson(result);
          else {
            printer.line(`checked ${result.testsChecked.length} ACTIVE test(s): ${result.testsChecked.join(', ') || 'none'}`);
            // Defects and failing sources are the findings: printed even with --quiet.
            result.defects.forEach((d) => printer.always(`DEFECT ${describeDefect(d)}`));
            result.signals.forEach((s) => (s.status === 'ERROR' ? printer.always(signalLine(s)) : printer.line(signalLine(s))));
            printer.always(
              result.exitCode === 0
                ? 'OK: every definition passes the gate'
                : result.exitCode === 3
                  ? `HALT: ${result.defects.length} defect(s)`
                  : `FAILED: ${result.signals.filter((s) => s.status === 'ERROR').length} signal source(s) failed`,
            );
          }
          return result.exitCode;
        },
        databaseIoOf(printer),
      );
      ctx.setExit(code);
    });
}
