#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { DateTime } from 'luxon';
import { embeddedRoot, logsDir, poolTimeouts, resolveSettings, todayIn, type Settings } from '../config/settings.js';
import { asUnreachable, openDatabase, type Database } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { openPool } from '../db/pool.js';
import { datesBetween, parseDate } from '../domain/asOf.js';
import { describeDefect } from '../discover/gate.js';
import { ExitCode, UsageError, exitCodeOf } from '../errors.js';
import { packageRoot } from '../paths.js';
import { checkDefinitions } from '../run/check.js';
import { backfill, catchUpDates, type BackfillSummary } from '../run/backfill.js';
import { runDate, type RunResult } from '../run/runDate.js';
import { lastRun, missedDates } from '../ledger/ledger.js';
import { loadStatus } from '../run/status.js';
import { installTaskXml } from '../schedule/installTask.js';
import { buildTaskXml, writeTaskXmlFile, zoneMismatchWarning } from '../schedule/taskXml.js';
import { seedScenario } from '../seed/scenarios.js';
import { fileLogger } from '../logging/logger.js';
import { describePlan, planToJson, summarisePlan } from './formatPlan.js';


/** Longest backfill range accepted (about ten years of days). */
const MAX_BACKFILL_DAYS = 3660;

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function settingsOf(command: Command): Settings {
  return resolveSettings(command.optsWithGlobals());
}

/** Opens the configured database (embedded by default: migrated, seeded when empty), runs `fn`, closes. */
async function withDatabase(settings: Settings, fn: (db: Database) => Promise<number>): Promise<number> {
  const db = await openDatabase({
    waitForDbSeconds: settings.waitForDbSeconds,
    pool: poolTimeouts(settings),
    embeddedRoot: embeddedRoot(),
    notice: err,
    prepareEmbedded: async (server) => {
      await migrate(server.uri);
      if (server.created) {
        const pool = await openPool(server.uri);
        try {
          await seedScenario(pool, 'ec022');
        } finally {
          await pool.end();
        }
      }
    },
  });
  try {
    return await fn(db);
  } catch (error) {
    throw asUnreachable(error, db.description);
  } finally {
    // Closing a pool whose connection was lost fails too; that must not hide the run's own outcome.
    await db.close().catch((error: unknown) => err(`warning: closing the database connection failed: ${(error as Error).message}`));
  }
}

/** One line per backfilled date when stdout is not a terminal. */
function oneLine(date: string, result: RunResult): string {
  const o = result.plan.outcomes;
  const escalated = o.filter((x) => x.escalationState === 'ESCALATED').length;
  return `${date} ${result.plan.halted ? 'HALTED' : 'done'}: ${o.length} test(s), ${escalated} escalated, ${result.plan.resolutions.length} resolved, ${result.plan.alerts.length} alert(s)`;
}

/** Prints a run's result: the JSON document, or the summary and (dry run) the plan. */
function printRun(result: RunResult, opts: { json?: boolean; dryRun?: boolean }): void {
  if (opts.json) {
    out(JSON.stringify({ exitCode: result.exitCode, dryRun: Boolean(opts.dryRun), plan: planToJson(result.plan), filesWritten: result.filesWritten }, null, 2));
  } else {
    summarisePlan(result.plan).forEach(out);
    if (opts.dryRun) {
      out('DRY RUN: nothing was written. The run would:');
      describePlan(result.plan).forEach((line) => out(`  ${line}`));
    } else {
      out(`  report: ${result.reportPath}`);
      out(`  ${result.plan.runbook.length} runbook row(s), ${result.plan.alerts.length} alert(s), ${result.plan.files.length} evidence file(s); ${result.filesWritten.length} file(s) changed`);
    }
  }
  if (result.plan.halted) result.plan.defects.forEach((d) => err(`HALT ${describeDefect(d)}`));
}

function buildProgram(setExit: (code: number) => void): Command {
  const version = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
  const program = new Command('canonical-tests')
    .description('Evaluates every ACTIVE canonical test window registered in PostgreSQL (see SPEC.md).')
    .version(version)
    .option('--zone <iana>', 'time zone of dates and days (env CANONICAL_TZ, default Europe/Oslo)')
    .option('--run-time <HH:MM>', 'scheduled local time = as-of instant of a date (env CANONICAL_RUN_TIME, default 06:00)')
    .option('--reports-dir <dir>', 'folder of RUNBOOK_{YYYYMMDD}.md (env REPORTS_DIR, default ./reports)')
    .option('--evidence-dir <dir>', 'folder of evidence bundles (env EVIDENCE_DIR, default ./evidence)')
    .option('--wait-for-db <seconds>', 'retry a refused connection this long before exit 4 (env CANONICAL_WAIT_FOR_DB, default 0)')
    .option('--statement-timeout <seconds>', 'statement_timeout of every query (env CANONICAL_STATEMENT_TIMEOUT, default 60)')
    .option('--lock-timeout <seconds>', 'lock_timeout of every query (env CANONICAL_LOCK_TIMEOUT, default 10)')
    .showHelpAfterError()
    .exitOverride();
  program.addHelpText('after', '\nExit codes: 0 done, 1 failure, 2 usage/configuration, 3 halted by the fail-closed gate, 4 database unreachable, 5 another run holds the lock.\nConnection: DATABASE_URL, else the PG* variables, else an embedded PostgreSQL in ./.embedded-pg.');

  program
    .command('run')
    .description('evaluate every ACTIVE test for one as-of date')
    .option('--date <YYYY-MM-DD>', 'as-of date (default: today in the zone); a past date runs as a backfill of that date')
    .option('--dry-run', 'print every write the run would make, write nothing')
    .option('--test <code...>', 'only these ACTIVE tests')
    .option('--catch-up', 'first evaluate the missed days since the last daily run, oldest first')
    .option('--json', 'print one JSON document on stdout')
    .action(async (opts: { date?: string; dryRun?: boolean; test?: string[]; catchUp?: boolean; json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const today = todayIn(settings.zone);
      const date = opts.date === undefined ? today : parseDate(opts.date);
      const logger = fileLogger(logsDir());
      setExit(
        await withDatabase(settings, async (db) => {
          if (opts.catchUp) {
            const missed = await catchUpDates(db.pool, date);
            if (missed.length > 0) {
              err(`catching up ${missed.length} missed day(s): ${missed.join(', ')}`);
              const summary = await backfill(db.pool, { dates: missed, settings, dryRun: opts.dryRun, testCodes: opts.test, logger, onDate: (_d, r) => summarisePlan(r.plan).forEach((l) => err(l)) });
              if (summary.exitCode !== 0) {
                err(`catch-up stopped at ${summary.haltedAt}: halted by the fail-closed gate`);
                return summary.exitCode;
              }
            }
          }
          const result = await runDate(db.pool, { date, settings, dryRun: opts.dryRun, testCodes: opts.test, mode: date === today ? 'daily' : 'backfill', logger });
          printRun(result, opts);
          return result.exitCode;
        }),
      );
    });

  program
    .command('backfill')
    .description('run each date of a range in order, as run --date would')
    .requiredOption('--from <YYYY-MM-DD>', 'first as-of date')
    .requiredOption('--to <YYYY-MM-DD>', 'last as-of date')
    .option('--dry-run', 'print the plans, write nothing')
    .option('--test <code...>', 'only these ACTIVE tests')
    .action(async (opts: { from: string; to: string; dryRun?: boolean; test?: string[] }, command: Command) => {
      const settings = settingsOf(command);
      const from = parseDate(opts.from, '--from');
      const to = parseDate(opts.to, '--to');
      if (from > to) throw new UsageError('--from', `${from} is after --to ${to}`);
      const span = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days + 1;
      if (span > MAX_BACKFILL_DAYS) throw new UsageError('--to', `the range covers ${span} days; at most ${MAX_BACKFILL_DAYS} are allowed`);
      const dates = datesBetween(from, to);
      setExit(
        await withDatabase(settings, async (db) => {
          const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'backfill [{bar}] {value}/{total} {date}', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
          bar?.start(dates.length, 0, { date: from });
          const started = performance.now();
          let summary: BackfillSummary;
          try {
            summary = await backfill(db.pool, {
              dates, settings, dryRun: opts.dryRun, testCodes: opts.test, logger: fileLogger(logsDir()),
              onDate: (date, result) => void (bar ? bar.increment(1, { date }) : out(oneLine(date, result))),
            });
          } finally {
            bar?.stop();
          }
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          out(`backfill ${from} … ${to}: ${summary.datesDone} date(s) done in ${seconds} s, ${summary.testsEvaluated} test evaluation(s), ${summary.escalations} escalation(s), ${summary.resolutions} resolution(s), ${summary.halts} halt(s)`);
          if (summary.haltedAt) err(`backfill stopped at ${summary.haltedAt}: halted by the fail-closed gate (see evidence/ORCHESTRATOR_HALT_${summary.haltedAt.replaceAll('-', '')}.json)`);
          return summary.exitCode;
        }),
      );
    });

  program
    .command('check')
    .description('CI check: the gate and registry resolution for all ACTIVE tests, no writes')
    .option('--date <YYYY-MM-DD>', 'as-of date for resolving signals (default: today)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (opts: { date?: string; json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const date = opts.date === undefined ? todayIn(settings.zone) : parseDate(opts.date);
      setExit(
        await withDatabase(settings, async (db) => {
          const result = await checkDefinitions(db.pool, date, settings);
          if (opts.json) out(JSON.stringify(result, null, 2));
          else {
            out(`checked ${result.testsChecked.length} ACTIVE test(s): ${result.testsChecked.join(', ') || 'none'}`);
            result.defects.forEach((d) => out(`DEFECT ${describeDefect(d)}`));
            result.signals.forEach((s) => out(`signal ${s.key}: ${s.status === 'AVAILABLE' ? s.value : `PENDING (${s.pendingReason})`} [${s.aggregation} ${s.source.schema}.${s.source.table}.${s.source.column}]`));
            out(result.exitCode === 0 ? 'OK: every definition passes the gate' : `HALT: ${result.defects.length} defect(s)`);
          }
          return result.exitCode;
        }),
      );
    });

  program
    .command('status')
    .description("the ACTIVE tests' current state, the last run and any missed days")
    .option('--json', 'print one JSON document on stdout')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      setExit(
        await withDatabase(settings, async (db) => {
          const rows = await loadStatus(db.pool);
          const last = await lastRun(db.pool);
          const missed = await missedDates(db.pool, todayIn(settings.zone));
          if (opts.json) {
            out(JSON.stringify({ tests: rows, lastRun: last, missedDates: missed }, null, 2));
            return ExitCode.done;
          }
          if (rows.length === 0) out('no ACTIVE tests');
          else {
            console.table(rows.map((r) => ({
              code: r.test_code,
              day: `${r.days_elapsed ?? '-'} of ${r.required_days ?? '-'}`,
              remaining: r.days_remaining,
              escalation: r.escalation_state,
              ceo_action: r.ceo_action_required,
              verdict: r.verdict,
              last_evaluated: r.last_evaluated_date,
              pending: r.pending_metrics.join(', '),
            })));
          }
          out(last ? `last run: ${last.mode} ${last.as_of_date} ${last.outcome} (exit ${last.exit_code ?? '-'}) started ${last.started_at}` : 'last run: none recorded');
          out(missed.length ? `missed days: ${missed.join(', ')} (run --catch-up)` : 'missed days: none');
          return ExitCode.done;
        }),
      );
    });

  program
    .command('migrate')
    .description('apply the sql/ migrations (idempotent)')
    .action(async (_opts: unknown, command: Command) => {
      const settings = settingsOf(command);
      setExit(
        await withDatabase(settings, async (db) => {
          const applied = await migrate(db.uri);
          out(applied.length ? `applied ${applied.join(', ')}` : 'up to date: no migration to apply');
          return ExitCode.done;
        }),
      );
    });

  program
    .command('seed')
    .description('load a seed scenario (ec022: the EC-022 demo on S&P 500 data)')
    .option('--scenario <name>', 'scenario name', 'ec022')
    .option('--reset', 'delete the scenario test, its runbook rows and alerts, and insert it fresh')
    .action(async (opts: { scenario: string; reset?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      setExit(
        await withDatabase(settings, async (db) => {
          const summary = await seedScenario(db.pool, opts.scenario, { reset: opts.reset });
          out(JSON.stringify(summary, null, 2));
          return ExitCode.done;
        }),
      );
    });

  program
    .command('schedule')
    .description('print the Windows Task Scheduler task XML for the daily run')
    .option('--time <HH:MM>', 'local start time', '06:00')
    .option('--task-name <name>', 'task path', '\\CanonicalTests\\DailyEvaluation')
    .option('--output <file>', 'write the XML as UTF-16LE with BOM instead of printing it')
    .option('--install', 'register the task with schtasks (Windows only)')
    .action(async (opts: { time: string; taskName: string; output?: string; install?: boolean }, command: Command) => {
      const settings = settingsOf(command);
      const time = resolveSettings({ runTime: opts.time }).runTime;
      const xml = buildTaskXml({
        time,
        zone: settings.zone,
        taskName: opts.taskName,
        nodePath: process.execPath,
        scriptPath: fileURLToPath(import.meta.url),
        arguments: ['run', '--catch-up', '--wait-for-db', '300', '--zone', settings.zone, '--run-time', time],
        workingDirectory: process.cwd(),
      });
      const warning = zoneMismatchWarning(settings.zone);
      if (warning) err(warning);
      if (opts.install) {
        installTaskXml(xml, opts.taskName, { output: opts.output === undefined ? undefined : resolve(opts.output) });
        out(`installed ${opts.taskName}`);
      } else if (opts.output) {
        writeTaskXmlFile(resolve(opts.output), xml);
        out(`wrote ${resolve(opts.output)}`);
      } else {
        out(xml);
      }
      setExit(ExitCode.done);
    });
  return program;
}

/**
 * Runs the CLI on `argv` and returns the exit code of SPEC §4; every error is
 * printed on stderr as one line naming what is wrong, never a password.
 */
export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.done;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
        ? ExitCode.done
        : ExitCode.usage;
    }
    err(`canonical-tests: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeOf(error);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await main(process.argv);
  // Exit explicitly once stdout has drained: a stray handle must not keep a
  // scheduled run alive, and no library exit hook may change the code.
  process.stdout.write('', () => process.exit(code));
}
