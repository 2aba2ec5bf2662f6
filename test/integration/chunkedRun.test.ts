import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { fileLogger } from '../../src/logging/logger.js';
import { packageRoot } from '../../src/paths.js';
import { runDate, type RunResult } from '../../src/run/runDate.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { tempSettings } from '../helpers/fixtures.js';
import { DATES, files, fixIds, PRIOR, recorded, runIdFor, seedFragile, seedWindows, TEST_IDS } from '../helpers/rangeFixtures.js';

/**
 * A run reads its tests in chunks, each while the one before is written, in
 * one REPEATABLE READ transaction (src/discover/chunks.ts), and a run that
 * prints no writes keeps only their counts (`keepWrites: false`). Neither may
 * change a byte of what it writes.
 */

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

async function seeded(seed: (db: TestDatabase) => Promise<void>): Promise<TestDatabase> {
  const db = await freshDatabase();
  databases.push(db);
  await seed(db);
  await fixIds(db);
  return db;
}

/** The plan of a run that kept its writes, reduced to what one that kept none holds. */
function withoutWrites(result: RunResult) {
  const { plan } = result;
  return {
    ...plan,
    runbook: [],
    stateUpdates: [],
    files: [],
    bundles: [],
    dropped: {
      runbook: plan.runbook.length,
      stateUpdates: plan.stateUpdates.length,
      files: plan.files.length,
      bundles: plan.bundles.length,
      runbookTestIds: plan.runbook.map((r) => r.testId),
      revisedTestIds: plan.bundles.filter((b) => b.revision > 1).map((b) => b.testId),
    },
  };
}

describe('a run in chunks of tests', () => {
  it('writes the same rows and files, byte for byte, in chunks of one test keeping no writes as in one chunk keeping them', async () => {
    const [chunked, whole] = [await seeded(seedFragile), await seeded(seedFragile)];
    const settings: [Settings, Settings] = [tempSettings(), tempSettings()];
    const run = async (date: string, runId = runIdFor(date)) => {
      const common = { date, mode: 'backfill' as const, runId };
      const counts: number[] = [];
      const a = await runDate(chunked.pool, {
        ...common,
        settings: settings[0],
        chunkTests: 1,
        keepWrites: false,
        onTestCount: (n) => counts.push(n),
      });
      const b = await runDate(whole.pool, { ...common, settings: settings[1] });
      expect(a.exitCode).toBe(b.exitCode);
      expect(counts).toEqual([b.plan.outcomes.length]);
      const inFolder = (s: Settings) => (path: string) => relative(dirname(s.evidenceDir), path);
      expect({ ...a.plan, reportPath: inFolder(settings[0])(a.plan.reportPath) }).toEqual({
        ...withoutWrites(b),
        reportPath: inFolder(settings[1])(b.plan.reportPath),
      });
      const written = (r: RunResult, s: Settings) => r.filesWritten.map(inFolder(s));
      expect(written(a, settings[0])).toEqual(written(b, settings[1]));
      return [a, b] as const;
    };
    // A checkpoint, an escalation and its end, the DST change, a close, and a source failing from 2026-03-30 on.
    const exitCodes = [];
    for (const date of [PRIOR, ...DATES]) exitCodes.push((await run(date))[0].exitCode);
    expect(exitCodes).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);

    // A corrected source row (T-LONG reads lift): the re-run of 2026-03-28 records a new revision and exports the one it replaces.
    for (const db of [chunked, whole]) await db.exec(`UPDATE fixture.daily SET lift = 0.25 WHERE ts = '2026-03-27T16:00:00Z'`);
    const [rerun] = await run('2026-03-28', '20000000-0000-4000-8000-000020260328');
    expect(rerun.plan.dropped?.revisedTestIds).toEqual([TEST_IDS['T-LONG']]);

    expect(await recorded(chunked)).toEqual(await recorded(whole));
    expect(files(settings[0].evidenceDir)).toEqual(files(settings[1].evidenceDir));
    expect(files(settings[0].reportsDir)).toEqual(files(settings[1].reportsDir));
    const history = files(join(settings[0].evidenceDir, 'history'));
    expect(Object.keys(history)).toEqual(['ORCHESTRATOR_T-LONG_20260328.r1.json']);
    expect(history).toEqual(files(join(settings[1].evidenceDir, 'history')));
  });

  it('fails as a whole, writing nothing, when a write fails while the next chunk is being read', async () => {
    const db = await seeded(seedFragile);
    // Three chunks of one test, each written as its own batch: the first test's runbook row is refused, which
    // aborts the transaction while the third chunk's reads, sent when the second was handed over, are under way.
    await db.exec(`
      CREATE FUNCTION fixture.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON fhq_calendar.test_runbook_entries FOR EACH ROW EXECUTE FUNCTION fixture.refuse();`);
    const settings = tempSettings();
    await expect(runDate(db.pool, { date: '2026-03-27', settings, chunkTests: 1, batchTests: 1, keepWrites: false })).rejects.toThrow(
      'refused for the test',
    );
    const count = async (table: string) => (await db.exec(`SELECT count(*)::int AS n FROM fhq_calendar.${table}`)).rows[0];
    expect([await count('test_runbook_entries'), await count('evidence_bundles'), await count('ceo_calendar_alerts')]).toEqual([
      { n: 0 },
      { n: 0 },
      { n: 0 },
    ]);
    const ledger = await db.exec(`SELECT outcome, exit_code FROM fhq_calendar.evaluator_runs`);
    expect(ledger.rows).toEqual([{ outcome: 'FAILED', exit_code: 1 }]);
    expect(files(settings.evidenceDir)).toEqual({});
  });

  it('runs its transaction again, from fresh reads, when a person writes a row it then writes (an acknowledgement during the run)', async () => {
    const db = await seeded(seedWindows);
    const settings = tempSettings();
    // The run raises T-001's CEO action on its checkpoint day; a person clears it while the run has read but not written.
    const clear = `
      const pg = require('pg');
      const client = new pg.Client({ connectionString: process.argv[1] });
      client.connect()
        .then(() => client.query("UPDATE fhq_calendar.canonical_test_events SET ceo_action_required = false WHERE test_code = 'T-001'"))
        .then(() => client.end());`;
    const phases: string[] = [];
    const logDir = dirname(settings.evidenceDir);
    const result = await runDate(db.pool, {
      date: '2026-03-27',
      settings,
      logger: fileLogger(logDir),
      onPhase: (phase) => {
        phases.push(phase);
        if (phase === 'discovered' && phases.filter((p) => p === 'discovered').length === 1)
          execFileSync(process.execPath, ['-e', clear, db.adminUri], { cwd: packageRoot() });
      },
    });
    expect(result.exitCode).toBe(0);
    expect(phases.filter((p) => p === 'discovered')).toHaveLength(2);
    const logged = readFileSync(join(logDir, 'canonical-tests.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; attempt?: number; as_of_date?: string });
    expect(logged.filter((l) => l.event === 'transaction_retried').map((l) => [l.attempt, l.as_of_date])).toEqual([[2, '2026-03-27']]);
    const { rows } = await db.exec(
      `SELECT test_code, ceo_action_required, last_evaluated_date::text AS d FROM fhq_calendar.canonical_test_events ORDER BY test_code`,
    );
    expect(rows).toEqual([
      { test_code: 'T-001', ceo_action_required: true, d: '2026-03-27' },
      { test_code: 'T-LONG', ceo_action_required: false, d: '2026-03-27' },
    ]);
    const ledger = await db.exec(`SELECT outcome, exit_code FROM fhq_calendar.evaluator_runs`);
    expect(ledger.rows).toEqual([{ outcome: 'DONE', exit_code: 0 }]);
    const runbook = await db.exec(`SELECT count(*)::int AS n FROM fhq_calendar.test_runbook_entries`);
    expect(runbook.rows).toEqual([{ n: 2 }]);
    // The first attempt's staged files are gone: one evidence file per test, and the report.
    expect(Object.keys(files(settings.evidenceDir)).sort()).toEqual([
      'ORCHESTRATOR_T-001_20260327.json',
      'ORCHESTRATOR_T-LONG_20260327.json',
    ]);
  });
});
