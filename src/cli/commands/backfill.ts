import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { logsDir, todayIn } from '../../config/settings.js';
import { fileLogger, type Logger } from '../../logging/logger.js';
import { backfill, backfillDates, type BackfillSummary } from '../../run/backfill.js';
import { withCommandDatabase } from '../../run/database.js';
import type { RunResult } from '../../run/runDate.js';
import { recordUnreachable } from '../../run/unreachable.js';
import { describePlan, summarisePlan, toSnakeCase } from '../formatPlan.js';
import {
  animationAllowed,
  databaseIoOf,
  eventLines,
  oneLine,
  out,
  printerFor,
  settingsOf,
  type CommandContext,
  type Printer,
} from '../output.js';

interface BackfillFlags {
  from: string;
  to: string;
  dryRun?: boolean;
  test?: string[];
  includeResolved?: boolean;
  json?: boolean;
}

/** The line of one date of `backfill --json` (snake_case keys). */
export function dateJson(date: string, result: RunResult, dryRun: boolean): Record<string, unknown> {
  const { plan } = result;
  return toSnakeCase({
    type: 'date',
    asOfDate: date,
    runId: plan.runId,
    exitCode: result.exitCode,
    dryRun,
    halted: plan.halted,
    outcomes: plan.outcomes,
    alerts: plan.alerts.map((a) => ({ testCode: a.testCode, alertType: a.alertType, severity: a.severity, title: a.title })),
    resolutions: plan.resolutions.map((r) => ({ testCode: r.testCode, verdict: r.verdict })),
    defects: plan.defects,
    failedSignals: plan.failedSignals,
    filesWritten: result.filesWritten,
  }) as Record<string, unknown>;
}

/**
 * Where the lines of a backfill go while it runs: above the progress bar on a
 * terminal (so escalations, resolutions and halts stay on screen), else
 * straight to their stream.
 */
interface Reporter {
  /** A line that stdout gets without a bar (unless quiet). */
  line(text: string): void;
  /** An error line (stderr, or above the bar). */
  error(text: string): void;
  /** Moves the bar on, when there is one. */
  advance(date: string): void;
  stop(): void;
}

function reporter(printer: Printer, bar: { multi: cliProgress.MultiBar; bar: cliProgress.SingleBar } | null): Reporter {
  if (!bar) return { line: printer.line, error: printer.error, advance: () => undefined, stop: () => undefined };
  const above = (text: string) => {
    bar.multi.log(`${text}\n`);
    bar.multi.update(); // draws now: the log lines, then the bar below them
  };
  let stopped = false;
  return {
    line: (text) => (printer.verbosity === 'quiet' ? undefined : above(text)),
    error: above,
    advance: (date) => bar.bar.increment(1, { date }),
    stop: () => {
      if (!stopped) bar.multi.stop();
      stopped = true;
    },
  };
}

/** The final line of a backfill. */
function summaryLine(flags: BackfillFlags, summary: BackfillSummary, seconds: string): string {
  const what = flags.dryRun ? `${summary.datesDone} date(s) evaluated (DRY RUN: nothing was written)` : `${summary.datesDone} date(s) done`;
  return `backfill ${flags.from} … ${flags.to}: ${what} in ${seconds} s, ${summary.testsEvaluated} test evaluation(s), ${summary.escalationAlerts} escalation alert(s), ${summary.resolutions} resolution(s), ${summary.halts} halt(s)`;
}

/**
 * `canonical-tests backfill`: each date of a range in order. On a terminal a
 * progress bar (not with `TERM=dumb` or `NO_COLOR`), with escalations,
 * resolutions and halts printed above it; otherwise one line per date with
 * those events under it. `--dry-run` prints each date's plan summary;
 * `--json` prints one JSON line per date, then the summary line.
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
      const settings = settingsOf(command);
      const printer = printerFor(command);
      const dates = backfillDates(flags.from, flags.to, todayIn(settings.zone));
      const dryRun = Boolean(flags.dryRun);
      // Created on first use, so a refused command leaves no log folder behind.
      let logger: Logger | undefined;
      const log = () => (logger ??= fileLogger(logsDir()));
      const code = await withCommandDatabase(
        settings,
        async (db) => {
          printer.debug(`database: ${db.description}`);
          const drawBar = !flags.json && printer.verbosity !== 'quiet' && process.stderr.isTTY && animationAllowed();
          let bar: { multi: cliProgress.MultiBar; bar: cliProgress.SingleBar } | null = null;
          if (drawBar) {
            const multi = new cliProgress.MultiBar(
              { format: 'backfill [{bar}] {value}/{total} {date}', stream: process.stderr },
              cliProgress.Presets.shades_classic,
            );
            bar = { multi, bar: multi.create(dates.length, 0, { date: flags.from }) };
          }
          const report = reporter(printer, bar);
          if (dryRun && !flags.json) report.line('DRY RUN: nothing will be written');
          const started = performance.now();
          try {
            const summary = await backfill(db.pool, {
              dates,
              settings,
              dryRun,
              testCodes: flags.test,
              includeResolved: flags.includeResolved,
              logger: log(),
              onPhase: ctx.onPhase,
              onDate: (date, result) => {
                if (flags.json) {
                  out(JSON.stringify(dateJson(date, result, dryRun)));
                } else {
                  const verbose = printer.verbosity === 'verbose';
                  // A dry run shows each date's plan summary (it did nothing, so it says nothing is "done").
                  if (dryRun) summarisePlan(result.plan).forEach((line) => report.line(line));
                  else {
                    if (!bar) report.line(oneLine(date, result));
                    if (verbose) summarisePlan(result.plan).forEach((line) => report.line(`  ${line}`));
                  }
                  if (verbose) describePlan(result.plan).forEach((line) => report.line(`    ${line}`));
                  for (const line of eventLines(result)) {
                    if (line.startsWith('HALT ')) report.error(`${date} ${line}`);
                    else report.line(`${date} ${line}`);
                  }
                }
                result.plan.failedSignals.forEach((f) => report.error(`${date} SIGNAL_ERROR signal ${f.key} (${f.source}): ${f.message}`));
                report.advance(date);
              },
            });
            report.stop();
            const seconds = ((performance.now() - started) / 1000).toFixed(1);
            if (flags.json) {
              out(
                JSON.stringify(
                  toSnakeCase({ type: 'summary', from: flags.from, to: flags.to, dryRun, ...summary, seconds: Number(seconds) }),
                ),
              );
            } else printer.always(summaryLine(flags, summary, seconds));
            if (summary.haltedAt) {
              printer.error(
                `backfill stopped at ${summary.haltedAt}: halted by the fail-closed gate (see ORCHESTRATOR_HALT_${summary.haltedAt.replaceAll('-', '')}.json in ${settings.evidenceDir})`,
              );
            }
            return summary.exitCode;
          } finally {
            report.stop();
          }
        },
        { ...databaseIoOf(printer), onUnreachable: (error) => recordUnreachable(settings, dates[0]!, log(), error) },
      );
      ctx.setExit(code);
    });
}
