/**
 * The benchmark (run by hand, never by the test suite): `npm run bench -- …`.
 * Builds a synthetic database (10 source tables × 5 value columns = 50
 * signals, R rows, N ACTIVE tests of 5 signals each) and runs, on the same
 * data and as-of date(s), (a) the project as a whole process, (b) the
 * per-test reference design and (c) the set-based floor, each after a reset
 * of the written state; prints one table of median wall times, ratios and
 * peak RSS. Everything it created is dropped at the end unless `--keep`.
 * Options: see options.ts (`npm run bench -- --help`).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { datesEnding } from './asOf.js';
import { cleanupOnSignals, runCleanup } from './harness/cleanup.js';
import { createBenchDatabase } from './harness/database.js';
import { profileProject } from './harness/profile.js';
import { resetWrittenState } from './harness/reset.js';
import { formatTable, median, type ResultRow } from './harness/table.js';
import { runVariant, type VariantRun } from './harness/variants.js';
import { parseOptions, USAGE, VARIANTS, type BenchOptions, type Variant } from './options.js';
import { buildSynthetic } from './synthetic/build.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

function resultRow(options: BenchOptions, days: number, runs: readonly VariantRun[]): ResultRow {
  const pick = (variant: Variant, value: (r: VariantRun) => number | null) =>
    median(
      runs
        .filter((r) => r.variant === variant)
        .map(value)
        .filter((v): v is number => v !== null),
    );
  const by = (value: (r: VariantRun) => number | null) =>
    Object.fromEntries(VARIANTS.map((v) => [v, pick(v, value)])) as Record<Variant, number | null>;
  return { tests: options.tests, rows: options.rows, days, seconds: by((r) => r.seconds), peakRssMb: by((r) => r.peakRssMb) };
}

async function bench(options: BenchOptions): Promise<void> {
  const days = Math.max(1, options.backfillDays);
  const dates = datesEnding(options.date, days);
  log(
    `machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; as-of ${dates[0]}${days > 1 ? ` … ${dates.at(-1)} (${days} days)` : ''}`,
  );
  const db = await createBenchDatabase(process.env.DATABASE_URL, options.keep);
  log(`bench database: ${db.description}`);
  const building = performance.now();
  await buildSynthetic(
    db.uri,
    { tests: options.tests, rows: options.rows, firstDate: dates[0]!, lastDate: dates.at(-1)!, spanDays: Math.max(400, days + 40) },
    log,
  );
  log(
    `built ${options.rows.toLocaleString('en')} rows and ${options.tests.toLocaleString('en')} tests in ${((performance.now() - building) / 1000).toFixed(1)} s`,
  );
  const runs: VariantRun[] = [];
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const variant of options.variants) {
      await resetWrittenState(db.uri);
      const run = await runVariant(variant, { uri: db.uri, dates, tests: options.tests });
      runs.push(run);
      const phases = run.phaseMs ? ` (project phases ms: ${JSON.stringify(run.phaseMs)})` : '';
      log(
        `rep ${rep}/${options.reps} ${variant}: ${run.seconds.toFixed(2)} s wall, ${run.cpuSeconds?.toFixed(2) ?? 'n/a'} s CPU (node only), peak RSS ${run.peakRssMb?.toFixed(0) ?? 'n/a'} MB${phases}`,
      );
    }
  }
  process.stdout.write(`${formatTable([resultRow(options, days, runs)])}\n`);
  if (options.profile) await profileProject({ uri: db.uri, dates, tests: options.tests }, log);
  if (options.keep) log(`kept: ${db.description}`);
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | null;
  try {
    options = parseOptions(argv);
  } catch (error) {
    log(`bench: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  cleanupOnSignals();
  try {
    await bench(options);
    return 0;
  } catch (error) {
    log(`bench: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await runCleanup();
  }
}

// Exit explicitly: the embedded server's package installs exit hooks that could change the code.
void main(process.argv.slice(2)).then((code) => process.exit(code));
