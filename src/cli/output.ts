import type { Command } from 'commander';
import { resolveSettings, type Settings } from '../config/settings.js';
import { describeDefect } from '../domain/gate.js';
import type { PhaseHook } from '../domain/phases.js';
import type { RunResult } from '../run/runDate.js';
import { describePlan, planToJson, summarisePlan } from './formatPlan.js';

/** Writes one line to stdout. */
export const out = (line = ''): void => void process.stdout.write(`${line}\n`);
/** Writes one line to stderr. */
export const err = (line: string): void => void process.stderr.write(`${line}\n`);

/** What every command gets from the program: how to report its exit code, and the test-only phase hook. */
export interface CommandContext {
  setExit(code: number): void;
  onPhase?: PhaseHook;
}

/** The run settings of a command: its own and the program's global options, else the environment, else defaults. */
export function settingsOf(command: Command): Settings {
  return resolveSettings(command.optsWithGlobals());
}

/** The database notices of a command go to stderr. */
export const databaseIo = { notice: err, warn: err };

/** One line per backfilled date when stderr is not a terminal. */
export function oneLine(date: string, result: RunResult): string {
  const o = result.plan.outcomes;
  const escalated = o.filter((x) => x.escalationState === 'ESCALATED').length;
  return `${date} ${result.plan.halted ? 'HALTED' : 'done'}: ${o.length} test(s), ${escalated} escalated, ${result.plan.resolutions.length} resolved, ${result.plan.alerts.length} alert(s)`;
}

/** Prints a run's result: the JSON document, or the summary and (dry run) the plan; the defects of a halt on stderr. */
export function printRun(result: RunResult, opts: { json?: boolean; dryRun?: boolean }): void {
  if (opts.json) {
    out(
      JSON.stringify(
        { exitCode: result.exitCode, dryRun: Boolean(opts.dryRun), plan: planToJson(result.plan), filesWritten: result.filesWritten },
        null,
        2,
      ),
    );
  } else {
    summarisePlan(result.plan).forEach((line) => out(line));
    if (opts.dryRun) {
      out('DRY RUN: nothing was written. The run would:');
      describePlan(result.plan).forEach((line) => out(`  ${line}`));
    } else {
      out(`  report: ${result.reportPath}`);
      out(
        `  ${result.plan.runbook.length} runbook row(s), ${result.plan.alerts.length} alert(s), ${result.plan.files.length} evidence file(s); ${result.filesWritten.length} file(s) changed`,
      );
    }
  }
  if (result.plan.halted) result.plan.defects.forEach((d) => err(`HALT ${describeDefect(d)}`));
  result.plan.failedSignals.forEach((f) => err(`SIGNAL_ERROR signal ${f.key} (${f.source}): ${f.message}`));
}
