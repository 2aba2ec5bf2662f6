import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, insertTest } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';
import type { HistoryEntry } from '../../src/run/history.js';
import type { VerifyResult } from '../../src/run/verify/verifyRecord.js';

/** A recorded bundle as the assertions read it. */
interface BundleRowRead {
  run_date: string;
  revision: number;
  run_id: string;
  sha256: string;
  previous_sha256: string | null;
  content: { previous_bundle_sha256: string | null };
}
const verifyDoc = (stdout: string) => JSON.parse(stdout) as VerifyResult;

let db: TestDatabase;
let cwd: string;
let env: Record<string, string>;

const cli = (...args: string[]) => runCli(args, cwd, env);
const evidence = (name: string) => join(cwd, 'evidence', name);
// Each test starts the executable up to a dozen times on a loaded machine.
const SLOW = { timeout: 240_000 };

beforeEach(async () => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`).toBe(true);
  db = await freshDatabase();
  await createSources(db);
  // brier 0.2 ≤ 0.24: success MET, failure (brier > 0.30) NOT_MET.
  await addDaily(db, [['2026-03-04T16:00:00Z', 0.2, 0]]);
  await insertTest(db);
  cwd = tempDir('record');
  env = { DATABASE_URL: db.uri };
});
afterEach(async () => {
  await db.drop();
});

async function run(date: string): Promise<void> {
  const outcome = await cli('run', '--date', date);
  expect(outcome.stderr).toBe('');
  expect(outcome.code).toBe(0);
}

async function bundles() {
  const { rows } = await db.exec<BundleRowRead>(
    `SELECT run_date::text AS run_date, revision, run_id::text AS run_id, sha256, previous_sha256, content
     FROM fhq_calendar.evidence_bundles ORDER BY recorded_order`,
  );
  return rows;
}

async function runbookRow(date: string) {
  const { rows } = await db.exec(
    `SELECT run_id::text AS run_id, evidence_sha256, escalation_state FROM fhq_calendar.test_runbook_entries WHERE run_date = $1`,
    [date],
  );
  return rows[0] as { run_id: string; evidence_sha256: string; escalation_state: string };
}

describe('revisions of a date', () => {
  it('a changed source row makes revision 2: the runbook row follows it, r1 moves to history/, history lists both', SLOW, async () => {
    await run('2026-03-05');
    await db.exec(`UPDATE fixture.daily SET brier = 0.35 WHERE ts = '2026-03-04T16:00:00Z'`);
    await run('2026-03-05');

    const [r1, r2, ...rest] = await bundles();
    expect(rest).toEqual([]);
    expect([r1!.revision, r2!.revision]).toEqual([1, 2]);
    expect(r2!.previous_sha256).toBe(r1!.sha256);
    expect(await runbookRow('2026-03-05')).toMatchObject({
      run_id: r2!.run_id,
      evidence_sha256: r2!.sha256,
      escalation_state: 'ESCALATED',
    });
    const sha = (path: string) => createSha(readFileSync(path));
    expect(sha(evidence('history/ORCHESTRATOR_T-001_20260305.r1.json'))).toBe(r1!.sha256);
    expect(sha(evidence('ORCHESTRATOR_T-001_20260305.json'))).toBe(r2!.sha256);

    const history = await cli('history', '--test', 'T-001', '--json');
    expect(history.code).toBe(0);
    const doc = JSON.parse(history.stdout) as { revisions: HistoryEntry[] };
    expect(doc.revisions).toHaveLength(2);
    expect(doc.revisions[0]).toMatchObject({
      run_date: '2026-03-05',
      revision: 1,
      run_id: r1!.run_id,
      sha256: r1!.sha256,
      verdict: 'PENDING',
      escalation_state: 'NONE',
      is_current: false,
      changed: [],
    });
    expect(doc.revisions[1]).toMatchObject({ revision: 2, run_id: r2!.run_id, escalation_state: 'ESCALATED', is_current: true });
    expect(doc.revisions[1]!.changed).toEqual(expect.arrayContaining(['metrics.brier', 'conditions', 'escalation']));
    expect(doc.revisions[1]!.changed).not.toContain('run_id');
    expect(doc.revisions[1]!.changed).not.toContain('previous_bundle_sha256');
    const text = await cli('history', '--test', 'T-001');
    expect(text.stdout.split('\n')[1]).toMatch(/^2026-03-05 r2\* run [0-9a-f-]{36} .* escalation ESCALATED .*changed: .*metrics\.brier/);

    await run('2026-03-05');
    expect(await bundles()).toHaveLength(2);
    expect((await cli('verify')).code).toBe(0);
  });

  it('history of an unknown test is exit 2', async () => {
    expect(await cli('history', '--test', 'NOPE')).toMatchObject({
      code: 2,
      stderr: 'canonical-tests: --test: no test has the code "NOPE"\n',
    });
  });
});

describe('a backfill out of order', () => {
  it('keeps one chain in recording order, and verify (as a role that may only SELECT) finds it clean', SLOW, async () => {
    await run('2026-03-05');
    await run('2026-03-07');
    await run('2026-03-06');
    await db.exec(`UPDATE fixture.daily SET brier = 0.22 WHERE ts = '2026-03-04T16:00:00Z'`);
    await run('2026-03-05');

    const chain = await bundles();
    expect(chain.map((b) => `${b.run_date} r${b.revision}`)).toEqual(['2026-03-05 r1', '2026-03-07 r1', '2026-03-06 r1', '2026-03-05 r2']);
    chain.forEach((b, i) => {
      expect(b.previous_sha256).toBe(i === 0 ? null : chain[i - 1]!.sha256);
      expect(b.content.previous_bundle_sha256).toBe(b.previous_sha256);
    });

    const reader = `verify_reader_${randomBytes(4).toString('hex')}`;
    await db.exec(`CREATE ROLE ${reader} LOGIN PASSWORD 'reader';
      GRANT USAGE ON SCHEMA fhq_calendar TO ${reader};
      GRANT SELECT ON ALL TABLES IN SCHEMA fhq_calendar TO ${reader};`);
    try {
      const uri = new URL(db.adminUri);
      uri.username = reader;
      uri.password = 'reader';
      const verify = await runCli(['verify'], cwd, { DATABASE_URL: uri.toString() });
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/^OK; checked 4 bundle\(s\) of 1 test\(s\)/);
    } finally {
      await db.exec(`DROP OWNED BY ${reader}; DROP ROLE ${reader};`);
    }
    const narrowed = await cli('verify', '--from', '2026-03-06', '--to', '2026-03-06', '--test', 'T-001', '--json');
    expect(narrowed.code).toBe(0);
    expect(verifyDoc(narrowed.stdout)).toMatchObject({ ok: true, problems: [], checked: { bundles: 1, runbook_rows: 1 } });
  });
});

describe('verify finds every alteration; export restores the files', () => {
  it('file-mismatch, file-missing, content-hash, recomputed-verdict and runbook-row, each named', SLOW, async () => {
    await run('2026-03-05');
    await run('2026-03-06');
    await run('2026-03-07');
    // One byte of a file, another file gone.
    const edited = evidence('ORCHESTRATOR_T-001_20260306.json');
    writeFileSync(edited, readFileSync(edited, 'utf8').replace('"PENDING"', '"PENDINg"'));
    rmSync(evidence('ORCHESTRATOR_T-001_20260307.json'));
    // brier 0.2 → 0.35 in a recorded bundle: the failure criteria now hold and the success criteria do not.
    const { rows } = await db.exec(`SELECT bundle_id, content FROM fhq_calendar.evidence_bundles WHERE run_date = '2026-03-05'`);
    const row = rows[0] as { bundle_id: string; content: { metrics: { key: string; value: unknown }[] } };
    const content = row.content;
    content.metrics.find((m) => m.key === 'brier')!.value = 0.35;
    await db.exec(`UPDATE fhq_calendar.evidence_bundles SET content = $1::jsonb WHERE bundle_id = $2`, [
      JSON.stringify(content),
      row.bundle_id,
    ]);
    await db.exec(`UPDATE fhq_calendar.test_runbook_entries SET evidence_sha256 = repeat('0', 64) WHERE run_date = '2026-03-06'`);

    const found = await cli('verify');
    expect(found.code).toBe(6);
    const lines = found.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'T-001 2026-03-05 r1 content-hash',
      'T-001 2026-03-05 r1 recomputed-verdict',
      'T-001 2026-03-06 r1 file-mismatch',
      'T-001 2026-03-06 r1 runbook-row',
      'T-001 2026-03-07 r1 file-missing',
      'FAILED',
    ]);
    expect(lines[1]).toContain('conditions.failure_criteria.outcome recorded "NOT_MET", recomputed "MET"');
    expect(lines[5]).toMatch(/^FAILED: 5 problem\(s\); checked 3 bundle\(s\) of 1 test\(s\)/);

    const json = await cli('verify', '--json');
    expect(json.code).toBe(6);
    const doc = verifyDoc(json.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.problems).toHaveLength(5);
    expect(doc.problems[4]).toEqual({
      test_code: 'T-001',
      run_date: '2026-03-07',
      revision: 1,
      kind: 'file-missing',
      detail: expect.stringContaining('ORCHESTRATOR_T-001_20260307.json') as unknown,
    });
    expect(doc.checked).toMatchObject({ tests: 1, bundles: 3, files: 3, runbook_rows: 3 });

    const exported = await cli('export');
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('not exported: T-001 2026-03-05 r1');
    expect(exported.stdout).toContain('wrote ' + edited);
    expect(exported.stdout).toContain('ORCHESTRATOR_T-001_20260307.json');
    expect(exported.stdout).toMatch(/exported 3 date\(s\): \d+ file\(s\) \(re\)written\n$/);

    const after = await cli('verify', '--json');
    expect(after.code).toBe(6);
    expect(verifyDoc(after.stdout).problems.map((p) => `${p.run_date} ${p.kind}`)).toEqual([
      '2026-03-05 content-hash',
      '2026-03-05 recomputed-verdict',
      '2026-03-06 runbook-row',
    ]);
    // Outside the range nothing is reported.
    expect((await cli('verify', '--from', '2026-03-07')).code).toBe(0);
  });
});

function createSha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
