import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { withCommandDatabase } from '../../run/database.js';
import { describeProblem } from '../../run/verify/checks.js';
import { verifyRecord } from '../../run/verify/verifyRecord.js';
import { dateRangeOf, databaseIoOf, out, printerFor, settingsOf, type CommandContext } from '../output.js';

interface VerifyFlags {
  from?: string;
  to?: string;
  test?: string[];
  json?: boolean;
}

/** `canonical-tests verify`: audits the record, its files and the runbook; read-only (exit 0 clean, 6 any problem). */
export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description(
      'audit the record: bundle hashes, each test chain, recomputed conditions and verdicts, evidence files, runbook rows (read-only)',
    )
    .option('--from <YYYY-MM-DD>', 'first date to report (default: the first recorded)')
    .option('--to <YYYY-MM-DD>', 'last date to report (default: the last recorded)')
    .option('--test <code...>', 'only these tests')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: VerifyFlags, command: Command) => {
      const { from, to } = dateRangeOf(flags);
      const settings = settingsOf(command);
      const result = await withCommandDatabase(
        settings,
        (db) => verifyRecord(db.pool, { from, to, testCodes: flags.test, evidenceDir: settings.evidenceDir, zone: settings.zone }),
        databaseIoOf(printerFor(command)),
      );
      if (flags.json) out(JSON.stringify(result, null, 2));
      else {
        result.problems.forEach((p) => out(describeProblem(p)));
        const c = result.checked;
        out(
          `${result.ok ? 'OK' : `FAILED: ${result.problems.length} problem(s)`}; checked ${c.bundles} bundle(s) of ${c.tests} test(s), ${c.chain_links} chain link(s), ${c.recomputed} recomputation(s), ${c.files} file(s), ${c.runbook_rows} runbook row(s)`,
        );
      }
      ctx.setExit(result.ok ? ExitCode.done : ExitCode.verifyFailed);
    });
}
