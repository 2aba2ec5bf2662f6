/**
 * What a reference implementation (a child process of the benchmark) is told:
 * the database in `DATABASE_URL`, the folders in `EVIDENCE_DIR` and
 * `REPORTS_DIR`, and the as-of dates as arguments (`--dates d1,d2,…`).
 */
import pg from 'pg';
import { ZONE } from '../asOf.js';

/** A reference run's inputs. */
export interface ReferenceContext {
  client: pg.Client;
  dates: string[];
  evidenceDir: string;
  reportsDir: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * Connects (session time zone = the evaluator's zone) and reads the inputs.
 *
 * @throws Error when a variable or `--dates` is missing.
 */
export async function openContext(argv: string[]): Promise<ReferenceContext> {
  const at = argv.indexOf('--dates');
  const dates = at >= 0 ? (argv[at + 1] ?? '').split(',').filter(Boolean) : [];
  if (dates.length === 0) throw new Error('--dates d1,d2,… is required');
  const client = new pg.Client({ connectionString: required('DATABASE_URL') });
  await client.connect();
  await client.query('SELECT set_config($1, $2, false)', ['TimeZone', ZONE]);
  return { client, dates, evidenceDir: required('EVIDENCE_DIR'), reportsDir: required('REPORTS_DIR') };
}

/** Runs a reference's main function: exit 0 when it returns, 1 (message on stderr) when it throws. */
export function runReference(main: (argv: string[]) => Promise<void>): void {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
