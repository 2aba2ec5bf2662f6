/** Command-line options of `npm run bench -- ...`. */
import { parseArgs } from 'node:util';
import { todayInZone } from './asOf.js';

/** The three implementations the benchmark can run. */
export const VARIANTS = ['project', 'per-test', 'floor'] as const;
export type Variant = (typeof VARIANTS)[number];

/** What one benchmark invocation does. */
export interface BenchOptions {
  /** ACTIVE tests to create. */
  tests: number;
  /** Source rows in total, over the 10 source tables. */
  rows: number;
  /** Repetitions of each variant; the table shows the median. */
  reps: number;
  /** 0: one `run --date`; D > 0: a backfill of the D days ending on `date`. */
  backfillDays: number;
  /** The (last) as-of date, `YYYY-MM-DD`; default today in Europe/Oslo. */
  date: string;
  /** Keep the bench database (and print where it is) instead of dropping it. */
  keep: boolean;
  /** After the table, profile one more project run with `node --cpu-prof` and print its top costs. */
  profile: boolean;
  /** Which variants to run, in this order. */
  variants: Variant[];
}

export const USAGE = `npm run bench -- [--tests N] [--rows R] [--reps K] [--backfill-days D] [--date YYYY-MM-DD]
                     [--variants project,per-test,floor] [--profile] [--keep]
  --tests N          ACTIVE tests (default 100)
  --rows R           source rows in total, e.g. 1000000 or 1e6 (default 1000000)
  --reps K           repetitions; the table shows the median (default 1)
  --backfill-days D  backfill the D days ending on --date instead of one run (default 0: one run)
  --date D           the (last) as-of date (default today in Europe/Oslo)
  --variants LIST    which of project, per-test, floor to run (default all three)
  --profile          also profile one project run (node --cpu-prof) and print the top costs
  --keep             keep the bench database instead of dropping it
Uses the server in DATABASE_URL (a fresh database canonical_bench_<random> on it), else an embedded PostgreSQL.`;

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name}: ${JSON.stringify(raw)} must be a whole number >= ${min}`);
  return value;
}

/**
 * Parses the benchmark's arguments (without `node` and the script).
 *
 * @returns the options, or null when `--help` was asked for.
 * @throws Error naming the option whose value is invalid.
 */
export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      tests: { type: 'string' },
      rows: { type: 'string' },
      reps: { type: 'string' },
      'backfill-days': { type: 'string' },
      date: { type: 'string' },
      variants: { type: 'string' },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const date = values.date ?? todayInZone();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`--date: ${JSON.stringify(date)} is not YYYY-MM-DD`);
  if (date > todayInZone()) throw new Error(`--date: ${date} is in the future; the evaluator refuses future dates`);
  const variants = (values.variants ?? VARIANTS.join(',')).split(',').map((v) => v.trim());
  const unknown = variants.filter((v) => !(VARIANTS as readonly string[]).includes(v));
  if (unknown.length > 0 || variants.length === 0)
    throw new Error(`--variants: ${unknown.join(', ') || '(empty)'} is not one of ${VARIANTS.join(', ')}`);
  return {
    tests: count('tests', values.tests, 100, 1),
    rows: count('rows', values.rows, 1_000_000, 10),
    reps: count('reps', values.reps, 1, 1),
    backfillDays: count('backfill-days', values['backfill-days'], 0, 0),
    date,
    keep: values.keep,
    profile: values.profile,
    variants: variants as Variant[],
  };
}
