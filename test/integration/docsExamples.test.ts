import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { literal } from '../helpers/pattern.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { tempDir } from '../helpers/tempDir.js';
import { withDatabase } from '../globalSetup.js';

/** The fenced code blocks of a file of the repo, in order: language and text. */
function codeBlocks(file: string): { lang: string; text: string }[] {
  const text = readFileSync(join(packageRoot(), file), 'utf8');
  return new MarkdownIt()
    .parse(text, {})
    .filter((t) => t.type === 'fence')
    .map((t) => ({ lang: t.info.trim(), text: t.content }));
}

/** The `canonical-tests` arguments of a shell line such as `npx canonical-tests run --date D   # comment`. */
function cliArgs(line: string): string[] {
  const command = line
    .replace(/^\$ /, '')
    .replace(/\s+#.*$/, '')
    .trim();
  expect(command, line).toMatch(/^npx canonical-tests /);
  return command.split(/\s+/).slice(2);
}

/** Runs SQL as the administrator (several statements at once, as psql would). */
async function asAdmin(uri: string, text: string): Promise<pg.QueryResult<Record<string, unknown>>[]> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    const result = (await client.query(text)) as pg.QueryResult<Record<string, unknown>> | pg.QueryResult<Record<string, unknown>>[];
    return Array.isArray(result) ? result : [result];
  } finally {
    await client.end();
  }
}

/** An expected console line of the docs as a pattern: the run id and the folder the reports go to differ per run. */
function linePattern(line: string, cwd: string): RegExp {
  return new RegExp(
    `^${literal(line)
      .replace(/run [0-9a-f]+-…/, 'run [0-9a-f-]{36}')
      .replace('/srv/canonical-tests/', `${literal(cwd)}/`)}$`,
  );
}

const dropped: string[] = [];
afterAll(async () => {
  for (const name of dropped) await asAdmin(inject('adminUri'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('docs/registering-a-test.md, followed to the letter', () => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it('registers EC-030 with its SQL, and check and run print what the page shows', async () => {
    db = await freshDatabase();
    const blocks = codeBlocks('docs/registering-a-test.md');
    const [sources, registry, test] = blocks.filter((b) => b.lang === 'sql').slice(0, 3);
    expect(sources!.text).toContain('CREATE TABLE feature_store.forecast_quality');
    expect(registry!.text).toContain('INSERT INTO fhq_calendar.test_signal_registry');
    expect(test!.text).toContain("'EC-030'");
    await asAdmin(db.adminUri, sources!.text);
    await asAdmin(db.adminUri, registry!.text);
    // Step 3: the administrator's grant script, as the page's psql line runs it.
    const grant = blocks.find((b) => b.lang === 'sh' && b.text.includes('psql'))!;
    const script = /-f (\S+)/.exec(grant.text)![1]!;
    expect(script).toBe('sql/roles/02_grant_registry_sources.sql');
    await asAdmin(db.adminUri, readFileSync(join(packageRoot(), script), 'utf8'));
    await asAdmin(db.adminUri, test!.text);

    const cwd = tempDir('docs');
    const consoles = blocks.filter((b) => b.lang === 'console');
    expect(consoles.length).toBe(2);
    for (const block of consoles) {
      const [command, ...expected] = block.text.trimEnd().split('\n');
      const { code, stdout, stderr } = await runCli(cliArgs(command!), cwd, { DATABASE_URL: db.uri });
      expect(stderr).toBe('');
      expect(code, stdout).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines.length, stdout).toBe(expected.length);
      lines.forEach((line, i) => expect(line).toMatch(linePattern(expected[i]!, cwd)));
    }

    // The page's table of what to expect, read back with the page's own query.
    const look = blocks.find((b) => b.lang === 'sql' && b.text.includes('SELECT test_code, days_elapsed'))!;
    const [event, runbook] = await asAdmin(db.adminUri, look.text);
    expect(event!.rows.length).toBe(1);
    const { last_evaluated_date: lastEvaluated, ...live } = event!.rows[0]!;
    expect(live).toEqual({
      test_code: 'EC-030',
      days_elapsed: 9,
      days_remaining: 21,
      escalation_state: 'NONE',
      ceo_action_required: false,
      verdict: 'PENDING',
    });
    // node-postgres reads a date as local midnight of that date.
    const date = lastEvaluated as Date;
    expect([date.getFullYear(), date.getMonth() + 1, date.getDate()]).toEqual([2026, 3, 10]);
    expect(runbook!.rows.map((r) => [r.day_number, r.required_days, r.escalation_state, r.verdict, r.notes])).toEqual([
      [9, 30, 'NONE', 'PENDING', 'All metrics available.'],
    ]);
    expect(Number(runbook!.rows[0]!.brier_7d)).toBeCloseTo(0.1962857142857143, 12);
    const alerts = await db.exec(`SELECT count(*)::int AS n FROM fhq_calendar.ceo_calendar_alerts`);
    expect(alerts.rows[0]!.n).toBe(0);
  });
});

describe("the README's commands against a real server", () => {
  it('migrate, seed, check, run --date 2020-02-25 and status each exit 0 on a new, empty database', async () => {
    const name = `${inject('dbPrefix')}_readme_${randomBytes(4).toString('hex')}`;
    await asAdmin(inject('adminUri'), `CREATE DATABASE ${name}`);
    dropped.push(name);
    const block = codeBlocks('README.md').find((b) => b.lang === 'sh' && b.text.includes('export DATABASE_URL'))!;
    const [exportLine, ...commands] = block.text.trimEnd().split('\n');
    expect(exportLine).toMatch(/^export DATABASE_URL=postgres:\/\//);
    const env = { DATABASE_URL: withDatabase(inject('adminUri'), name) };
    const cwd = tempDir('readme');
    const outputs: string[] = [];
    for (const line of commands) {
      const { code, stdout, stderr } = await runCli(cliArgs(line), cwd, env);
      expect(code, `${line}\n${stdout}\n${stderr}`).toBe(0);
      outputs.push(stdout);
    }
    expect(commands.map((c) => cliArgs(c)[0])).toEqual(['migrate', 'seed', 'check', 'run', 'status']);
    const [, , check, run, status] = outputs;
    expect(check).toContain('OK: every definition passes the gate');
    expect(run).toMatch(/^2020-02-25 \(as of 2020-02-25T05:00:00\.000Z, Europe\/Oslo\) run [0-9a-f-]{36}\n {2}EC-022 {2}day 23 /);
    expect(run).toContain('EC-022');
    expect(status).toContain('EC-022');
  });
});
