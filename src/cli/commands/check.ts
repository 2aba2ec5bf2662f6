import type { Command } from 'commander';
import { todayIn } from '../../config/settings.js';
import { parseDate } from '../../domain/asOf.js';
import { describeDefect } from '../../domain/gate.js';
import { checkDefinitions } from '../../run/check.js';
import { withCommandDatabase } from '../../run/database.js';
import { databaseIo, out, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests check`: the CI check, no writes but its ledger row. */
export function registerCheck(program: Command, ctx: CommandContext): void {
  program
    .command('check')
    .description('CI check: the gate and registry resolution for all ACTIVE tests, no writes')
    .option('--date <YYYY-MM-DD>', 'as-of date for resolving signals (default: today)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { date?: string; json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const date = flags.date === undefined ? todayIn(settings.zone) : parseDate(flags.date);
      const code = await withCommandDatabase(
        settings,
        async (db) => {
          const result = await checkDefinitions(db.pool, date, settings);
          if (flags.json) out(JSON.stringify(result, null, 2));
          else {
            out(`checked ${result.testsChecked.length} ACTIVE test(s): ${result.testsChecked.join(', ') || 'none'}`);
            result.defects.forEach((d) => out(`DEFECT ${describeDefect(d)}`));
            result.signals.forEach((s) =>
              out(
                `signal ${s.key}: ${s.status === 'AVAILABLE' ? String(s.value) : `PENDING (${s.pendingReason})`} [${s.aggregation} ${s.source.schema}.${s.source.table}.${s.source.column}]`,
              ),
            );
            out(result.exitCode === 0 ? 'OK: every definition passes the gate' : `HALT: ${result.defects.length} defect(s)`);
          }
          return result.exitCode;
        },
        databaseIo,
      );
      ctx.setExit(code);
    });
}
