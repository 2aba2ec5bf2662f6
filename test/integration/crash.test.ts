import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabasePool } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/config/settings.js';
import { openPool } from '../../src/db/pool.js';
import { isTemporaryFileName } from '../../src/execute/atomicWrite.js';
import { runDate } from '../../src/run/runDate.js';
import { verifyRecord } from '../../src/run/verify/verifyRecord.js';
import { startCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { expectEvidenceMatchesRunbook } from '../helpers/evidence.js';
import { createEscalationAndResolution } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * Crash safety: the real `run` process is SIGKILLed at every pause
 * point of src/pausePoints.ts (several times each) and at random moments.
 * After each kill the date holds all of the run's rows or none, every report
 * and evidence file present is complete, and a following run leaves exactly
 * what a clean run leaves.
 */

const DATE = '2026-03-05';
const POINTS = [
  'locked',
  'discovered',
  'file-staged#1',
  'file-staged#2',
  'in-transaction',
  'committed',
  'file-renamed#1',
  'file-renamed#2',
  'file-temporary#1',
  'file-renamed#3',
  'files-written',
];
/** The points before the commit: the first {@link BEFORE_COMMIT} of {@link POINTS}. */
const BEFORE_COMMIT = 5;
const KILLS_PER_POINT = 5;
const RANDOM_KILLS = 50;
const LANES = 3;

/** The contract tables of one database, minus generated ids, timestamps, run ids and hashes (checked separately). */
interface State {
  tests: string;
  runbook: string;
  alerts: string;
  bundles: string;
}

/** Files of a run, by folder and name, with the run's id and hashes replaced by placeholders. */
type Files = Record<string, string>;

interface Lane {
  db: TestDatabase;
  /** The follow-up runs' pool, marked so the wait for the killed run's backend can skip it. */
  pool: DatabasePool;
  out: string;
  env: Record<string, string>;
  pre: State;
}

interface KillOutcome {
  at: string;
  /** What the killed run had left: none of its rows, or all of them. */
  rows: 'none' | 'all';
  filesPresent: number;
  temporaries: number;
  followUpExit: number | null;
}

async function state(db: TestDatabase, out: string): Promise<State> {
  const q = async (text: string) => JSON.stringify((await db.exec(text)).rows).replaceAll(out, '<out>');
  return {
    tests: await q(`SELECT to_jsonb(e) AS row FROM fhq_calendar.canonical_test_events AS e ORDER BY test_code`),
    runbook: await q(`SELECT to_jsonb(r) - 'entry_id' - 'created_at' - 'run_id' - 'evidence_sha256' AS row
                      FROM fhq_calendar.test_runbook_entries AS r ORDER BY test_id, run_date`),
    alerts: await q(`SELECT to_jsonb(a) - 'alert_id' - 'created_at' AS row
                     FROM fhq_calendar.ceo_calendar_alerts AS a ORDER BY test_id NULLS FIRST, alert_type, run_date`),
    bundles: await q(`SELECT test_id, run_date, revision FROM fhq_calendar.evidence_bundles ORDER BY test_id, run_date, revision`),
  };
}

/** The finished files of `out` (temporary files counted apart), normalised so two runs compare equal. */
async function files(db: TestDatabase, out: string): Promise<{ files: Files; temporaries: number }> {
  const { rows } = await db.exec<{ id: string }>(`SELECT DISTINCT run_id::text AS id FROM fhq_calendar.test_runbook_entries
                                  UNION SELECT evidence_sha256 FROM fhq_calendar.test_runbook_entries`);
  const secrets = rows.map((r) => r.id);
  const result: Files = {};
  let temporaries = 0;
  for (const folder of ['reports', 'evidence']) {
    const dir = join(out, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (isTemporaryFileName(name)) {
        temporaries++;
        continue;
      }
      let text = readFileSync(join(dir, name), 'utf8');
      if (name.endsWith('.json')) JSON.parse(text); // a torn bundle would not parse
      for (const s of secrets) text = text.replaceAll(s, '<run>');
      result[`${folder}/${name}`] = text.replaceAll(out, '<out>');
    }
  }
  return { files: result, temporaries };
}

const FOLLOW_UP = 'crash-test-follow-up';

/** Waits until the killed process's sessions have ended (a COMMIT it sent may still be finishing). */
async function waitForBackendsGone(db: TestDatabase): Promise<void> {
  // No deadline of its own: however loaded the machine, the backend ends; the test's timeout catches a real hang.
  for (;;) {
    const { rows } = await db.exec<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
                                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
      [FOLLOW_UP],
    );
    if (rows[0]!.n === 0) return;
    await sleep(25);
  }
}

async function reset(lane: Lane, initialTests: string): Promise<void> {
  await lane.db.exec(`
    TRUNCATE fhq_calendar.test_runbook_entries, fhq_calendar.ceo_calendar_alerts, fhq_calendar.evaluator_runs, fhq_calendar.evidence_bundles;
    DELETE FROM fhq_calendar.canonical_test_events;
    INSERT INTO fhq_calendar.canonical_test_events SELECT * FROM jsonb_populate_recordset(NULL::fhq_calendar.canonical_test_events, '${initialTests.replaceAll("'", "''")}'::jsonb);`);
  rmSync(join(lane.out, 'reports'), { recursive: true, force: true });
  rmSync(join(lane.out, 'evidence'), { recursive: true, force: true });
}

let lanes: Lane[] = [];
let initialTests: string;
let full: State;
let cleanFiles: Files;
let cleanRunMs: number;

async function makeLane(): Promise<Lane> {
  const db = await freshDatabase();
  await createEscalationAndResolution(db);
  const out = tempDir('crash');
  const uri = new URL(db.uri);
  uri.searchParams.set('application_name', FOLLOW_UP);
  const pool = await openPool(uri.toString());
  return { db, pool, out, env: { DATABASE_URL: db.uri }, pre: await state(db, out) };
}

beforeAll(async () => {
  lanes = await Promise.all(Array.from({ length: LANES }, makeLane));
  // Test ids differ between lanes; each lane's rows are compared to that lane's clean run.
  const lane = lanes[0]!;
  initialTests = JSON.stringify(
    (await lane.db.exec(`SELECT jsonb_agg(to_jsonb(e)) AS all FROM fhq_calendar.canonical_test_events AS e`)).rows[0]!.all,
  );
  const started = performance.now();
  const clean = await startCli(['run', '--date', DATE], lane.out, lane.env).done;
  cleanRunMs = performance.now() - started;
  expect(clean.code).toBe(0);
  full = await state(lane.db, lane.out);
  cleanFiles = (await files(lane.db, lane.out)).files;
  expect(Object.keys(cleanFiles).sort()).toEqual([
    'evidence/ORCHESTRATOR_T-001_20260305.json',
    'evidence/ORCHESTRATOR_T-ENDED_20260305.json',
    'reports/RUNBOOK_20260305.md',
  ]);
  expect((JSON.parse(full.alerts) as { row: { alert_type: string } }[]).map((a) => a.row.alert_type).sort()).toEqual([
    'ESCALATION',
    'RESOLUTION',
  ]);
  // The other lanes start from lane 0's exact rows (same test ids).
  for (const other of lanes.slice(1)) {
    await reset(other, initialTests);
    other.pre = await state(other.db, other.out);
  }
  await reset(lane, initialTests);
  lane.pre = await state(lane.db, lane.out);
}, 120_000);

afterAll(async () => {
  for (const lane of lanes) {
    await lane.pool.end();
    await lane.db.drop();
  }
});

/** Kills one run (at a pause point, or after `delayMs`), checks what it left, runs again, checks that. */
async function killAndRecover(lane: Lane, at: { point: string } | { delayMs: number }): Promise<KillOutcome> {
  await reset(lane, initialTests);
  const env = 'point' in at ? { ...lane.env, CANONICAL_TEST_PAUSE_AT: at.point, CANONICAL_TEST_PAUSE_MS: '30000' } : lane.env;
  const run = startCli(['run', '--date', DATE], lane.out, env);
  if ('point' in at) await run.stderrShows(`PAUSE ${at.point.includes('#') ? at.point : `${at.point}#1`}`);
  else await Promise.race([sleep(at.delayMs), run.done]);
  run.child.kill('SIGKILL');
  const killed = await run.done;
  await waitForBackendsGone(lane.db);

  const after = await state(lane.db, lane.out);
  const left = await files(lane.db, lane.out);
  let rows: 'none' | 'all';
  if (JSON.stringify(after) === JSON.stringify(lane.pre)) {
    rows = 'none';
    expect(Object.keys(left.files)).toEqual([]); // no file without its rows
  } else {
    rows = 'all';
    expect(after).toEqual(full);
    // Every finished file present is complete: exactly the clean run's file.
    for (const [name, text] of Object.entries(left.files)) expect(text).toBe(cleanFiles[name]);
  }
  if ('point' in at && killed.signal !== 'SIGKILL') throw new Error(`run ended before the kill at ${at.point}: ${killed.stderr}`);

  // The next run, in-process (the same runDate the executable calls), with the lane's folders.
  const next = await runDate(lane.pool, { date: DATE, settings: resolveSettings({}, {}, lane.out), mode: 'backfill' });
  expect(next.exitCode).toBe(0);
  expect(await state(lane.db, lane.out)).toEqual(full);
  const recovered = await files(lane.db, lane.out);
  expect(recovered).toEqual({ files: cleanFiles, temporaries: 0 });
  expect(await expectEvidenceMatchesRunbook(lane.db, join(lane.out, 'evidence'))).toBe(2);
  // The record audits clean after every recovery: hashes, chain, recomputed verdicts, files, runbook rows.
  const audit = await verifyRecord(lane.pool, { evidenceDir: join(lane.out, 'evidence'), zone: 'Europe/Oslo' });
  expect(audit.problems).toEqual([]);
  const { rows: ledger } = await lane.db.exec(`SELECT outcome, error FROM fhq_calendar.evaluator_runs ORDER BY started_at`);
  expect(ledger.filter((r) => r.outcome === 'RUNNING')).toEqual([]);
  expect(ledger.at(-1)).toEqual({ outcome: 'DONE', error: null });
  return {
    at: 'point' in at ? at.point : `${Math.round(at.delayMs)}ms`,
    rows,
    filesPresent: Object.keys(left.files).length,
    temporaries: left.temporaries,
    followUpExit: next.exitCode,
  };
}

describe('a run killed with SIGKILL', () => {
  it(`at ${POINTS.length} pause points × ${KILLS_PER_POINT} and at ${RANDOM_KILLS} random moments leaves all rows or none, no torn file, and a clean next run`, async () => {
    const jobs: ({ point: string } | { delayMs: number })[] = [
      ...POINTS.flatMap((point) => Array.from({ length: KILLS_PER_POINT }, () => ({ point }))),
      // Random moments over the whole life of a clean run, start-up included.
      ...Array.from({ length: RANDOM_KILLS }, () => ({ delayMs: Math.random() * cleanRunMs * 1.1 })),
    ];
    const outcomes: KillOutcome[] = [];
    await Promise.all(
      lanes.map(async (lane, i) => {
        for (let j = i; j < jobs.length; j += lanes.length) outcomes.push(await killAndRecover(lane, jobs[j]!));
      }),
    );
    expect(outcomes.length).toBeGreaterThanOrEqual(100);
    const byPoint = (p: string) => outcomes.filter((o) => o.at === p);
    // Before the commit nothing of the run exists but its staged evidence files; after it, all of its rows do.
    for (const p of POINTS.slice(0, BEFORE_COMMIT)) expect(byPoint(p).every((o) => o.rows === 'none')).toBe(true);
    for (const p of POINTS.slice(BEFORE_COMMIT)) expect(byPoint(p).every((o) => o.rows === 'all')).toBe(true);
    // The evidence files are staged under temporary names in the transaction and renamed after it; the next run removes what a kill left.
    expect(byPoint('file-staged#1').every((o) => o.temporaries === 1 && o.filesPresent === 0)).toBe(true);
    expect(byPoint('file-staged#2').every((o) => o.temporaries === 2 && o.filesPresent === 0)).toBe(true);
    expect(byPoint('committed').every((o) => o.temporaries === 2 && o.filesPresent === 0)).toBe(true);
    expect(byPoint('file-renamed#1').every((o) => o.temporaries === 1 && o.filesPresent === 1)).toBe(true);
    // The report is written after the evidence files: its own temporary file, then its rename.
    expect(byPoint('file-temporary#1').every((o) => o.temporaries === 1 && o.filesPresent === 2)).toBe(true);
    expect(byPoint('file-renamed#3').every((o) => o.temporaries === 0 && o.filesPresent === 3)).toBe(true);
    if (process.env.CRASH_SUMMARY) {
      const summary = {
        kills: outcomes.length,
        none: outcomes.filter((o) => o.rows === 'none').length,
        all: outcomes.filter((o) => o.rows === 'all').length,
        withTemporaries: outcomes.filter((o) => o.temporaries > 0).length,
        cleanRunMs: Math.round(cleanRunMs),
      };
      process.stderr.write(`crash summary: ${JSON.stringify(summary)}\n`);
    }
  }, 600_000);
});
