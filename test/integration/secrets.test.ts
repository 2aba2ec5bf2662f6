import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliOutcome } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, grantSources, insertTest } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * Secrets: the password of the connection, given in DATABASE_URL or
 * PGPASSWORD, appears nowhere: not on stdout or stderr of any command or
 * outcome (done, halted, failed, unreachable), not in the log, the evidence,
 * the reports, nor the error text the ledger keeps.
 */

let db: TestDatabase;
let password: string;

beforeAll(async () => {
  db = await freshDatabase();
  await createSources(db);
  await addDaily(db, [['2026-03-02T16:00:00Z', 0.35, 0]]);
  await insertTest(db);
  password = decodeURIComponent(new URL(db.uri).password);
  expect(password.length).toBeGreaterThan(8);
});
afterAll(async () => {
  await db.drop();
});

/** Everything a person could read after the commands ran in `cwd`. */
async function everything(cwd: string, outcomes: CliOutcome[]): Promise<string> {
  const files = ['reports', 'evidence', 'logs'].flatMap((folder) =>
    existsSync(join(cwd, folder))
      ? readdirSync(join(cwd, folder), { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
      : [],
  );
  const { rows } = await db.exec<{ errors: string }>(
    `SELECT coalesce(string_agg(error, E'\\n'), '') AS errors FROM fhq_calendar.evaluator_runs`,
  );
  return [...outcomes.flatMap((o) => [o.stdout, o.stderr]), ...files, rows[0]!.errors].join('\n');
}

async function scenario(env: Record<string, string>): Promise<{ outcomes: CliOutcome[]; text: string }> {
  const cwd = tempDir('secrets');
  const outcomes: CliOutcome[] = [];
  const cli = async (...args: string[]) => {
    const o = await runCli(args, cwd, env);
    outcomes.push(o);
    return o.code;
  };
  expect(await cli('run', '--date', '2026-03-05')).toBe(0);
  expect(await cli('run', '--date', '2026-03-06', '--dry-run', '--json')).toBe(0);
  expect(await cli('backfill', '--from', '2026-03-03', '--to', '2026-03-04')).toBe(0);
  expect(await cli('check', '--date', '2026-03-05')).toBe(0);
  expect(await cli('status', '--json')).toBe(0);
  // Halted (exit 3), then failed inside a source query (exit 1), then both repaired.
  await db.exec(`UPDATE fhq_calendar.canonical_test_events SET escalation_path = NULL`);
  expect(await cli('run', '--date', '2026-03-07')).toBe(3);
  await db.exec(`UPDATE fhq_calendar.canonical_test_events SET escalation_path = '{"owner":"o","notify":["ceo-office"]}';
                 CREATE OR REPLACE VIEW fixture.failing AS SELECT ts, brier / 0 AS brier FROM fixture.daily;
                 UPDATE fhq_calendar.test_signal_registry SET source_table = 'failing' WHERE signal_key = 'brier';`);
  await grantSources(db);
  expect(await cli('run', '--date', '2026-03-08')).toBe(1);
  await db.exec(`UPDATE fhq_calendar.test_signal_registry SET source_table = 'daily' WHERE signal_key = 'brier'`);
  return { outcomes, text: await everything(cwd, outcomes) };
}

describe('the connection password', () => {
  it('from DATABASE_URL never appears in output, logs, evidence, reports or recorded errors', async () => {
    const { outcomes, text } = await scenario({ DATABASE_URL: db.uri });
    expect(outcomes.length).toBe(7);
    expect(text).toContain('signal brier (fixture.failing): division by zero'); // the failure was recorded and shown…
    expect(text).not.toContain(password); // …without the password
  }, 300_000); // seven processes in a row: generous on a loaded machine

  it('from PGPASSWORD (with the other PG* variables) never appears either', async () => {
    const url = new URL(db.uri);
    const { text } = await scenario({
      PGHOST: url.hostname,
      PGPORT: url.port || '5432',
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: password,
      PGDATABASE: url.pathname.slice(1),
    });
    expect(text).toContain('HALT T-001: escalation_path: is missing: no escalation path');
    expect(text).not.toContain(password);
  }, 300_000);

  it('is not printed when the database is unreachable (exit 4), by URL or by PGPASSWORD', async () => {
    const cwd = tempDir('secrets');
    const byUrl = await runCli(['run'], cwd, { DATABASE_URL: `postgres://someone:${encodeURIComponent(password)}@127.0.0.1:1/nowhere` });
    const byVariables = await runCli(['status'], cwd, { PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'someone', PGPASSWORD: password });
    for (const outcome of [byUrl, byVariables]) {
      expect(outcome.code).toBe(4);
      expect(outcome.stderr).toContain('database unreachable');
      expect(outcome.stdout + outcome.stderr).not.toContain(password);
    }
    expect(byUrl.stderr).toContain('postgres://someone:***@127.0.0.1:1/nowhere');
  });
});
