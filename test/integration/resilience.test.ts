import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'slonik';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openPool } from '../../src/db/pool.js';
import { runCli, startCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { expectEvidenceMatchesRunbook } from '../helpers/evidence.js';
import { createEscalationAndResolution, grantSources } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/** Lost connections, slow sources, lock waits and eight runs at once. */

const DATE = '2026-03-05';
let db: TestDatabase;
let out: string;

beforeEach(async () => {
  db = await freshDatabase();
  await createEscalationAndResolution(db);
  out = tempDir('resilience');
});
afterEach(async () => {
  await db.drop();
});

const count = async (table: string) => (await db.exec<{ n: number }>(`SELECT count(*)::int AS n FROM fhq_calendar.${table}`)).rows[0]!.n;
const testsRows = async () =>
  (await db.exec(`SELECT to_jsonb(e) AS row FROM fhq_calendar.canonical_test_events AS e ORDER BY test_code`)).rows;
const outputFiles = () =>
  ['reports', 'evidence'].flatMap((f) => (existsSync(join(out, f)) ? readdirSync(join(out, f)).map((n) => `${f}/${n}`) : [])).sort();
const EXPECTED_FILES = [
  'evidence/ORCHESTRATOR_T-001_20260305.json',
  'evidence/ORCHESTRATOR_T-ENDED_20260305.json',
  'reports/RUNBOOK_20260305.md',
];

/** After a clean run of DATE: two runbook rows whose hashes are those of the files on disk, two alerts (the close raises only its RESOLUTION), the three files. */
async function expectCleanRun(): Promise<void> {
  expect(await count('test_runbook_entries')).toBe(2);
  expect(
    (await db.exec(`SELECT alert_type FROM fhq_calendar.ceo_calendar_alerts ORDER BY alert_type`)).rows.map((r) => r.alert_type),
  ).toEqual(['ESCALATION', 'RESOLUTION']);
  expect(await count('evidence_bundles')).toBe(2);
  expect(outputFiles()).toEqual(EXPECTED_FILES);
  expect(await expectEvidenceMatchesRunbook(db, join(out, 'evidence'))).toBe(2);
}

/** Ends every session of the test database but the caller's, as an administrator would with pg_terminate_backend. */
async function terminateRunSessions(): Promise<number> {
  const { rows } = await db.exec<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
                                  WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  return rows[0]!.n;
}

/**
 * How long a run stays at its pause point: the test must end its sessions
 * within that time, so it is generous for a loaded machine. A run that got
 * past the pause anyway fails the test on its exit code, never silently.
 */
const PAUSE_MS = '10000';

describe('a connection dropped mid-run (pg_terminate_backend)', () => {
  it('inside the transaction: exit 4, nothing of the run written, and the next run is clean', async () => {
    const before = await testsRows();
    const run = startCli(['run', '--date', DATE], out, {
      DATABASE_URL: db.uri,
      CANONICAL_TEST_PAUSE_AT: 'in-transaction',
      CANONICAL_TEST_PAUSE_MS: PAUSE_MS,
    });
    await run.stderrShows('PAUSE in-transaction#1');
    expect(await terminateRunSessions()).toBeGreaterThanOrEqual(1);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/database unreachable at postgres:\/\/[^\n]+: /);
    expect(await count('test_runbook_entries')).toBe(0);
    expect(await count('ceo_calendar_alerts')).toBe(0);
    expect(await count('evidence_bundles')).toBe(0);
    expect(await testsRows()).toEqual(before);
    expect(outputFiles()).toEqual([]);

    const next = await runCli(['run', '--date', DATE], out, { DATABASE_URL: db.uri });
    expect(next.code, next.stderr).toBe(0);
    await expectCleanRun();
    const { rows } = await db.exec(`SELECT outcome, error FROM fhq_calendar.evaluator_runs ORDER BY started_at`);
    expect(rows).toEqual([
      // The dropped run could not record its own end; the next run closed its row.
      { outcome: 'FAILED', error: 'abandoned: the process ended before recording its finish (killed, or its connection was lost)' },
      { outcome: 'DONE', error: null },
    ]);
  });

  it('after the commit, before the files: exit 4, every row and bundle committed; the next run writes the files from the record', async () => {
    const run = startCli(['run', '--date', DATE], out, {
      DATABASE_URL: db.uri,
      CANONICAL_TEST_PAUSE_AT: 'committed',
      CANONICAL_TEST_PAUSE_MS: PAUSE_MS,
    });
    await run.stderrShows('PAUSE committed#1');
    await terminateRunSessions();
    const result = await run.done;
    expect(result.code, result.stderr).toBe(4);
    expect(await count('test_runbook_entries')).toBe(2);
    expect(await count('evidence_bundles')).toBe(2); // the record: the next run exports the rest from it
    // The evidence bytes were in hand and went out; the report needs the (lost) connection.
    expect(outputFiles()).toEqual(['evidence/ORCHESTRATOR_T-001_20260305.json', 'evidence/ORCHESTRATOR_T-ENDED_20260305.json']);
    // T-ENDED is RESOLVED now, so no later run evaluates it again: only the record can bring its evidence back.
    const next = await runCli(['run', '--date', '2026-03-06'], out, { DATABASE_URL: db.uri });
    expect(next.code, next.stderr).toBe(0);
    expect(outputFiles()).toEqual([
      'evidence/ORCHESTRATOR_T-001_20260305.json',
      'evidence/ORCHESTRATOR_T-001_20260306.json',
      'evidence/ORCHESTRATOR_T-ENDED_20260305.json',
      'reports/RUNBOOK_20260305.md',
      'reports/RUNBOOK_20260306.md',
    ]);
    expect(await count('evidence_bundles')).toBe(3);
    expect(await expectEvidenceMatchesRunbook(db, join(out, 'evidence'))).toBe(3);
  });
});

describe('timeouts on every query', () => {
  it('every pooled connection carries the configured statement_timeout and lock_timeout', async () => {
    const pool = await openPool(db.uri, { statementTimeoutMs: 1500, lockTimeoutMs: 250 });
    try {
      const timeouts = z.object({ statement: z.string(), lock: z.string() });
      const row = await pool.connect((c) =>
        c.one(sql.type(timeouts)`SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock`),
      );
      expect(row).toEqual({ statement: '1500ms', lock: '250ms' });
    } finally {
      await pool.end();
    }
  });

  it('a source slower than --statement-timeout: exit 1 naming the key and table; the tests using it are SYSTEM_ERROR for the date', async () => {
    await db.exec(`
      CREATE FUNCTION fixture.slow_brier(x double precision) RETURNS double precision LANGUAGE sql AS 'SELECT pg_sleep(3); SELECT x';
      CREATE VIEW fixture.slow_daily AS SELECT ts, fixture.slow_brier(brier) AS brier FROM fixture.daily;
      UPDATE fhq_calendar.test_signal_registry SET source_table = 'slow_daily' WHERE signal_key = 'brier';`);
    await grantSources(db);
    const result = await runCli(['run', '--date', DATE, '--statement-timeout', '0.5'], out, { DATABASE_URL: db.uri });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('SIGNAL_ERROR signal brier (fixture.slow_daily): canceling statement due to statement timeout');
    const { rows } = await db.exec(
      `SELECT e.test_code, r.escalation_state FROM fhq_calendar.test_runbook_entries AS r JOIN fhq_calendar.canonical_test_events AS e USING (test_id) ORDER BY 1`,
    );
    expect(rows).toEqual([
      { test_code: 'T-001', escalation_state: 'SYSTEM_ERROR' },
      { test_code: 'T-ENDED', escalation_state: 'SYSTEM_ERROR' },
    ]);
    expect((await db.exec(`SELECT DISTINCT alert_type, severity FROM fhq_calendar.ceo_calendar_alerts`)).rows).toEqual([
      { alert_type: 'SIGNAL_ERROR', severity: 'CRITICAL' },
    ]);
    expect(outputFiles()).toEqual(EXPECTED_FILES);
    expect((await db.exec(`SELECT outcome, exit_code, error FROM fhq_calendar.evaluator_runs`)).rows).toEqual([
      { outcome: 'DONE', exit_code: 1, error: 'signal brier (fixture.slow_daily): canceling statement due to statement timeout' },
    ]);
  });

  it('a source locked by someone else: exit 1 after --lock-timeout naming the key and table; its tests are SYSTEM_ERROR for the date', async () => {
    const holder = await openPool(db.adminUri);
    try {
      await holder.transaction(async (tx) => {
        await tx.query(sql.unsafe`LOCK TABLE fixture.daily IN ACCESS EXCLUSIVE MODE`);
        const result = await runCli(['run', '--date', DATE, '--lock-timeout', '0.3'], out, { DATABASE_URL: db.uri });
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toContain('SIGNAL_ERROR signal brier (fixture.daily): canceling statement due to lock timeout');
      });
    } finally {
      await holder.end();
    }
    // Both tests use brier: both are SYSTEM_ERROR for the date, with their evidence and the report.
    expect((await db.exec(`SELECT DISTINCT escalation_state FROM fhq_calendar.test_runbook_entries`)).rows).toEqual([
      { escalation_state: 'SYSTEM_ERROR' },
    ]);
    expect(outputFiles()).toEqual(EXPECTED_FILES);
  });
});

/** Waits until no session holds an advisory lock on the test database (a killed process's backend lets go a moment after it dies). */
async function waitForAdvisoryLocksGone(): Promise<void> {
  for (;;) {
    const { rows } = await db.exec<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks
                                    WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    if (rows[0]!.n === 0) return;
    await sleep(25);
  }
}

describe('eight processes for the same date', () => {
  it('racing freely: each exits 0 or 5 and exactly one set of rows, alerts and files results', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => runCli(['run', '--date', DATE], out, { DATABASE_URL: db.uri })));
    const codes = results.map((r) => r.code);
    expect(
      codes.filter((c) => c !== 0 && c !== 5),
      results.map((r) => r.stderr).join('\n'),
    ).toEqual([]);
    expect(codes).toContain(0);
    for (const r of results.filter((x) => x.code === 5)) expect(r.stderr).toContain('holds the run lock on this database');
    await expectCleanRun();
    expect(
      readdirSync(join(out, 'evidence'))
        .concat(readdirSync(join(out, 'reports')))
        .filter((n) => n.endsWith('.tmp')),
    ).toEqual([]);
    const ledger = (await db.exec(`SELECT outcome FROM fhq_calendar.evaluator_runs`)).rows.map((r) => r.outcome);
    // Only processes that got the lock leave a ledger row, and each finished.
    expect(ledger).toEqual(codes.filter((c) => c === 0).map(() => 'DONE'));
  });

  it('while a first run holds the lock: the seven others exit 5 naming it and write nothing', async () => {
    // The holder stops right after taking the lock and stays there until it is killed, however slow the machine:
    // the seven others meet the lock whatever their start-up takes.
    const holder = startCli(['run', '--date', DATE], out, {
      DATABASE_URL: db.uri,
      CANONICAL_TEST_PAUSE_AT: 'locked',
      CANONICAL_TEST_PAUSE_MS: '600000',
    });
    try {
      await holder.stderrShows('PAUSE locked#1');
      const results = await Promise.all(Array.from({ length: 7 }, () => runCli(['run', '--date', DATE], out, { DATABASE_URL: db.uri })));
      expect(
        results.map((r) => r.code),
        results.map((r) => r.stderr).join('\n'),
      ).toEqual([5, 5, 5, 5, 5, 5, 5]);
      for (const r of results) expect(r.stderr).toContain('holds the run lock on this database');
      expect(await count('test_runbook_entries')).toBe(0);
      expect(await count('ceo_calendar_alerts')).toBe(0);
      expect(outputFiles()).toEqual([]);
    } finally {
      holder.child.kill('SIGKILL');
    }
    expect((await holder.done).signal).toBe('SIGKILL');
    await waitForAdvisoryLocksGone();

    const next = await runCli(['run', '--date', DATE], out, { DATABASE_URL: db.uri });
    expect(next.code, next.stderr).toBe(0);
    await expectCleanRun();
    const { rows } = await db.exec(`SELECT outcome, error FROM fhq_calendar.evaluator_runs ORDER BY started_at`);
    expect(rows).toEqual([
      { outcome: 'FAILED', error: 'abandoned: the process ended before recording its finish (killed, or its connection was lost)' },
      { outcome: 'DONE', error: null },
    ]);
  });
});
