import type { Command } from 'commander';
import { todayIn } from '../../config/settings.js';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { statusReport } from '../../run/status.js';
import { databaseIo, out, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests status`: the ACTIVE tests' current state, the last run and any missed days. */
export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description("the ACTIVE tests' current state, the last run and any missed days")
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const report = await withCommandDatabase(settings, (db) => statusReport(db.pool, todayIn(settings.zone)), databaseIo);
      if (flags.json) {
        out(JSON.stringify(report, null, 2));
      } else {
        if (report.tests.length === 0) out('no ACTIVE tests');
        else {
          console.table(
            report.tests.map((r) => ({
              code: r.test_code,
              day: `${r.days_elapsed ?? '-'} of ${r.required_days ?? '-'}`,
              remaining: r.days_remaining,
              escalation: r.escalation_state,
              ceo_action: r.ceo_action_required,
              verdict: r.verdict,
              last_evaluated: r.last_evaluated_date,
              pending: r.pending_metrics.join(', '),
            })),
          );
        }
        const last = report.lastRun;
        out(
          last
            ? `last run: ${last.mode} ${last.as_of_date} ${last.outcome} (exit ${last.exit_code ?? '-'}) started ${last.started_at}`
            : 'last run: none recorded',
        );
        out(report.missedDates.length ? `missed days: ${report.missedDates.join(', ')} (run --catch-up)` : 'missed days: none');
      }
      ctx.setExit(ExitCode.done);
    });
}
