import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { limitHeapGrowthFor } from '../heapGrowth.js';
import { logsDir, todayIn, type Settings } from '../../config/settings.js';
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
import type { DatabaseUnreachableError } from '../../errors.js';

/** The flags of `canonical-tests backfill`. */
export interface BackfillFlags {
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
  /** Whether a progress bar is drawn (then no line per date). */
  bar: boolean;
  /** A line that stdout gets without a bar (unless quiet). */
  line(text: string): void;
  /** An error line (stderr, or above the bar). */
  error(text: string): void;
  /** Moves the bar on, when there is one. */
  advance(date: string): void;
  stop(): void;
}

/** The reporter of a backfill: a progress bar on stderr when it is a terminal that allows one, else plain lines. */
function reporter(printer: Printer, flags: BackfillFlags, total: number): Reporter {
  const drawBar = !flags.json && printer.verbosity !== 'quiet' && process.stderr.isTTY && animationAllowed();
  if (!drawBar) return { bar: false, line: printer.line, error: printer.error, advance: () => undefined, stop: () => undefined };
  const multi = new cliProgress.MultiBar(
    { format: 'backfill [{bar}] {value}/{total} {date}', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(total, 0, { date: flags.from });
  const above = (text: string) => {
    multi.log(`${text}\n`);
    multi.update(); // draws now: the log lines, then the bar below them
  };
  let stopped = false;
  return {
    bar: true,
    line: (text) => (printer.verbosity === 'quiet' ? undefined : above(text)),
    error: above,
    advance: (date) => bar.increment(1, { date }),
    stop: () => {
      if (!stopped) multi.stop();
      stopped = true;
    },
  };
}

/** Prints what one date did: its JSON line, or its line, plan summary and events; then moves the bar on. */
function printDate(date: string, result: RunResult, flags: BackfillFlags, printer: Printer, report: Reporter): void {
  const dryRun = Boolean(flags.dryRun);
  if (flags.json) {
    out(JSON.stringify(dateJson(date, result, dryRun)));
  } else {
    const verbose = printer.verbosity === 'verbose';
    // A dry run shows each date's plan summary (it did nothing, so it says nothing is "done").
    if (dryRun) summarisePlan(result.plan).forEach((line) => report.line(line));
    else {
      if (!report.bar) report.line(oneLine(date, result));
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
}

/** The final line of a backfill. */
function summaryLine(flags: BackfillFlags, summary: BackfillSummary, seconds: string): string {
  const what = flags.dryRun ? `${summary.datesDone} date(s) evaluated (DRY RUN: nothing was written)` : `${summary.datesDone} date(s) done`;
  return `backfill ${flags.from} … ${flags.to}: ${what} in ${seconds} s, ${summary.testsEvaluated} test evaluation(s), ${summary.escalationAlerts} escalation alert(s), ${summary.resolutions} resolution(s), ${summary.halts} halt(s)`;
}

/** Prints the end of a backfill: the summary (a JSON line with `--json`) and, after a halt, where the halt file is. */
function printSummary(flags: BackfillFlags, summary: BackfillSummary, seconds: string, printer: Printer, settings: Settings): void {
  const dryRun = Boolean(flags.dryRun);
  if (flags.json) {
    out(JSON.stringify(toSnakeCase({ type: 'summary', from: flags.from, to: flags.to, dryRun, ...summary, seconds: Number(seconds) })));
  } else printer.always(summaryLine(flags, summary, seconds));
  if (summary.haltedAt) {
    printer.error(
      `backfill stopped at ${summary.haltedAt}: halted by the fail-closed gate (see ORCHESTRATOR_HALT_${summary.haltedAt.replaceAll('-', '')}.json in ${settings.evidenceDir})`,
    );
  }
}

/**
 * The action of `canonical-tests backfill` (src/cli/commands/backfill.ts):
 * checks the range, runs it (src/run/backfill.ts) and prints as it goes.
 *
 * @returns the exit code: 0, 1 (a failing source on some date), 3 (halted), or the database's (4, 5, …).
 * @throws UsageError (exit 2) for a malformed or future range or an unknown `--test` code.
 */
export async function backfillAction(flags: BackfillFlags, command: Command, ctx: CommandContext): Promise<number> {
  const settings = settingsOf(command);
  const printer = printerFor(command);
  const dates = backfillDates(flags.from, flags.to, todayIn(settings.zone));
  // Created on first use, so a refused command leaves no log folder behind.
  let logger: Logger | undefined;
  const log = () => (logger ??= fileLogger(logsDir()));
  const onUnreachable = (error: DatabaseUnreachableError) => recordUnreachable(settings, dates[0]!, log(), error);
  return withCommandDatabase(
    settings,
    async (db) => {
      printer.debug(`database: ${db.description}`);
      const report = reporter(printer, flags, dates.length);
      if (flags.dryRun && !flags.json) report.line('DRY RUN: nothing will be written');
      const started = performance.now();
      try {
        const summary = await backfill(db.pool, {
          dates,
          settings,
          dryRun: Boolean(flags.dryRun),
          testCodes: flags.test,
          includeResolved: flags.includeResolved,
          logger: log(),
          onPhase: ctx.onPhase,
          onDate: (date, result) => printDate(date, result, flags, printer, report),
          // Only a JSON line or -v prints a date's writes one by one.
          keepWrites: Boolean(flags.json) || printer.verbosity === 'verbose',
          onTestCount: limitHeapGrowthFor,
        });
        report.stop();
        printSummary(flags, summary, ((performance.now() - started) / 1000).toFixed(1), printer, settings);
        return summary.exitCode;
      } finally {
        report.stop();
      }
    },
    { ...databaseIoOf(printer), onUnreachable },
  );
}
