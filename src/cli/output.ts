import type { Command } from 'commander';
import { resolveSettings, type Settings } from '../config/settings.js';
import { parseDate } from '../domain/asOf.js';
import { describeDefect } from '../domain/defect.js';
import type { PhaseHook } from '../domain/phases.js';
import { UsageError } from '../errors.js';
import { writeCounts } from '../domain/planParts.js';
import type { RunResult } from '../run/runDate.js';
import { describePlan, planToJson, summarisePlan, toSnakeCase } from './formatPlan.js';

import { err, out } from './stdio.js';

export { err, out };

/** What every command gets from the program: how to report its exit code, and the test-only phase hook. */
export interface CommandContext {
  setExit(code: number): void;
  onPhase?: PhaseHook;
}

/**
 * The optional `--from` / `--to` of a command that reads a range of the record.
 *
 * @returns each as `YYYY-MM-DD`, or undefined when not given.
 * @throws UsageError naming `--from` or `--to` for a value that is not a date.
 */
export function dateRangeOf(flags: { from?: string; to?: string }): { from?: string; to?: string } {
  return {
    from: flags.from === undefined ? undefined : parseDate(flags.from, '--from'),
    to: flags.to === undefined ? undefined : parseDate(flags.to, '--to'),
  };
}

/** The run settings of a command: its own and the program's global options, else the environment, else defaults. */
export function settingsOf(command: Command): Settings {
  return resolveSettings(command.optsWithGlobals());
}

/** The database notices of a command go to stderr. */
export const databaseIo = { notice: err, warn: err };

/** How much a command prints: `-q/--quiet`, the default, or `-v/--verbose`. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/**
 * The verbosity of a command from the global `-q/--quiet` and `-v/--verbose`.
 *
 * @throws UsageError naming `--quiet` when both are given.
 */
export function verbosityOf(command: Command): Verbosity {
  const { quiet, verbose } = command.optsWithGlobals<{ quiet?: boolean; verbose?: boolean }>();
  if (quiet && verbose) throw new UsageError('--quiet', 'cannot be combined with --verbose');
  return quiet ? 'quiet' : verbose ? 'verbose' : 'normal';
}

/**
 * A command's output at its verbosity. `-q` keeps only errors and the final
 * line; `-v` adds the detail and debug lines.
 */
export interface Printer {
  verbosity: Verbosity;
  /** A line on stdout, unless quiet. */
  line: (text: string) => void;
  /** A line on stdout only with `-v` (e.g. every write of a plan). */
  detail: (text: string) => void;
  /** A line on stdout at every verbosity: the final line, and findings that must never be hidden. */
  always: (text: string) => void;
  /** A notice on stderr, unless quiet. */
  notice: (text: string) => void;
  /** A debug line on stderr, only with `-v`. */
  debug: (text: string) => void;
  /** An error or warning on stderr, at every verbosity. */
  error: (text: string) => void;
}

/** The {@link Printer} of `command` (global `-q` / `-v`). @throws UsageError when both are given. */
export function printerFor(command: Command): Printer {
  const verbosity = verbosityOf(command);
  const quiet = verbosity === 'quiet';
  const verbose = verbosity === 'verbose';
  return {
    verbosity,
    line: (text) => (quiet ? undefined : out(text)),
    detail: (text) => (verbose ? out(text) : undefined),
    always: out,
    notice: (text) => (quiet ? undefined : err(text)),
    debug: (text) => (verbose ? err(text) : undefined),
    error: err,
  };
}

/** The database notices and warnings of a command, at its verbosity. */
export function databaseIoOf(printer: Printer): { notice: (line: string) => void; warn: (line: string) => void } {
  return { notice: printer.notice, warn: printer.error };
}

/**
 * True when a progress bar may draw on the terminal: not when `TERM=dumb`
 * (no cursor control) nor when `NO_COLOR` is set to anything non-empty.
 */
export function animationAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TERM !== 'dumb' && !env.NO_COLOR;
}

/** One JSON document on stdout, keys in snake_case ({@link toSnakeCase}), pretty-printed. */
export function printJson(value: unknown): void {
  out(JSON.stringify(toSnakeCase(value), null, 2));
}

/** One line per backfilled date when no progress bar is drawn. */
export function oneLine(date: string, result: RunResult): string {
  const o = result.plan.outcomes;
  const escalated = o.filter((x) => x.escalationState === 'ESCALATED').length;
  return `${date} ${result.plan.halted ? 'HALTED' : 'done'}: ${o.length} test(s), ${escalated} escalated, ${result.plan.resolutions.length} resolved, ${result.plan.alerts.length} alert(s)`;
}

/**
 * The notable events of a run, one line each: every ESCALATION and RESOLUTION
 * alert, and every defect of a halt.
 */
export function eventLines(result: RunResult): string[] {
  const lines: string[] = [];
  for (const a of result.plan.alerts)
    if (a.alertType === 'ESCALATION' || a.alertType === 'RESOLUTION') lines.push(`${a.alertType} ${a.title}`);
  if (result.plan.halted) for (const d of result.plan.defects) lines.push(`HALT ${describeDefect(d)}`);
  return lines;
}

/** The run document of `run --json` (snake_case keys). */
export function runJson(result: RunResult, dryRun: boolean): Record<string, unknown> {
  return {
    exit_code: result.exitCode,
    dry_run: dryRun,
    plan: planToJson(result.plan),
    files_written: result.filesWritten,
  };
}

/**
 * Prints a run's result: the JSON document, or the summary and (dry run) every
 * write it would make, then the final line; the defects of a halt and failed
 * signals on stderr. `-q` leaves the final line; `-v` adds every write of a
 * real run and its phase timings.
 */
export function printRun(result: RunResult, opts: { json?: boolean; dryRun?: boolean }, printer: Printer): void {
  if (opts.json) {
    printJson(runJson(result, Boolean(opts.dryRun)));
  } else {
    summarisePlan(result.plan).forEach((line) => printer.line(line));
    const writes = describePlan(result.plan);
    if (opts.dryRun) {
      printer.line('DRY RUN: the run would:');
      writes.forEach((line) => printer.line(`  ${line}`));
      printer.always(`DRY RUN: nothing was written (${writes.length} write(s) planned)`);
    } else {
      const counts = writeCounts(result.plan);
      writes.forEach((line) => printer.detail(`  ${line}`));
      printer.debug(
        `phases: ${Object.entries(result.phaseMs)
          .map(([phase, ms]) => `${phase} ${ms} ms`)
          .join(', ')}`,
      );
      printer.line(`  report: ${result.reportPath}`);
      printer.always(
        `  ${counts.runbook} runbook row(s), ${result.plan.alerts.length} alert(s), ${counts.files} evidence file(s); ${result.filesWritten.length} file(s) changed`,
      );
    }
  }
  if (result.plan.halted) result.plan.defects.forEach((d) => printer.error(`HALT ${describeDefect(d)}`));
  result.plan.failedSignals.forEach((f) => printer.error(`SIGNAL_ERROR signal ${f.key} (${f.source}): ${f.message}`));
}
