import type { Command } from 'commander';
import { displayTestCode } from '../../domain/testCode.js';
import { ExitCode } from '../../errors.js';
import { acknowledge, checkAckOptions, type AckResult } from '../../run/ack.js';
import { withCommandDatabase } from '../../run/database.js';
import { databaseIoOf, out, printerFor, settingsOf, type CommandContext } from '../output.js';

interface AckFlags {
  test: string;
  by: string;
  note?: string;
  json?: boolean;
}

/**
 * The lines `ack` prints: the test, who and when, the flag, and each alert
 * acknowledged (date, severity, type), oldest first.
 */
export function describeAck(result: AckResult): string[] {
  const lines = [
    `acknowledged ${displayTestCode(result.test_code)} by ${result.acknowledged_by} at ${result.acknowledged_at} (acknowledgement ${result.ack_id})`,
    `  ceo_action_required: ${result.ceo_action_was_required ? 'cleared' : 'was not set'}`,
  ];
  if (result.alerts.length === 0) lines.push('  0 alerts acknowledged: none was open');
  else {
    lines.push(`  ${result.alerts.length} alert(s) acknowledged:`);
    for (const a of result.alerts) lines.push(`    ${a.run_date}  ${a.severity.padEnd(8)}  ${a.alert_type}`);
  }
  if (result.note !== null) lines.push(`  note: ${result.note.replace(/\r?\n/g, '\n        ')}`);
  return lines;
}

/** `canonical-tests ack`: a person acknowledges a test's open alerts and clears its ceo_action_required (README "Commands"). */
export function registerAck(program: Command, ctx: CommandContext): void {
  program
    .command('ack')
    .description(
      'acknowledge a test: clear ceo_action_required, stamp its open alerts, record who and why (as a member of canonical_approver)',
    )
    .requiredOption('--test <code>', 'the test to acknowledge')
    .requiredOption('--by <name>', 'who acknowledges (recorded on the alerts and the acknowledgement)')
    .option('--note <text>', 'what was decided, or why (recorded on the acknowledgement)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: AckFlags, command: Command) => {
      // A refused --by or --note is exit 2 before any connection is made.
      checkAckOptions(flags);
      const result = await withCommandDatabase(
        settingsOf(command),
        (db) => acknowledge(db.pool, { testCode: flags.test, by: flags.by, note: flags.note }),
        databaseIoOf(printerFor(command)),
      );
      if (flags.json) out(JSON.stringify(result, null, 2));
      else describeAck(result).forEach((line) => out(line));
      ctx.setExit(ExitCode.done);
    });
}
