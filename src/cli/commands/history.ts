import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { testHistory } from '../../run/history.js';
import { databaseIoOf, out, printerFor, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests history --test CODE`: every recorded revision of a test's evaluations, oldest first, with what changed. */
export function registerHistory(program: Command, ctx: CommandContext): void {
  program
    .command('history')
    .description("every revision of a test's evaluations, oldest first, with the fields each changed")
    .requiredOption('--test <code>', 'the test code')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { test: string; json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const entries = await withCommandDatabase(
        settings,
        (db) => testHistory(db.pool, flags.test, settings.zone),
        databaseIoOf(printerFor(command)),
      );
      if (flags.json) out(JSON.stringify({ test_code: flags.test, revisions: entries }, null, 2));
      else if (entries.length === 0) out(`${flags.test}: nothing recorded`);
      else
        for (const e of entries) {
          const changed = e.revision === 1 ? 'first' : e.changed.length ? `changed: ${e.changed.join(', ')}` : 'changed: nothing';
          out(
            `${e.run_date} r${e.revision}${e.is_current ? '*' : ' '} run ${e.run_id} recorded ${e.recorded_at} verdict ${e.verdict ?? '-'} escalation ${e.escalation_state ?? '-'} sha256 ${e.sha256} ${changed}`,
          );
        }
      ctx.setExit(ExitCode.done);
    });
}
