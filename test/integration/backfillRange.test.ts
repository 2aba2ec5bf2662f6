import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { backfill } from '../../src/run/backfill.js';
import { runDate } from '../../src/run/runDate.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { tempSettings } from '../helpers/fixtures.js';
import { DATES, fixIds, files, PRIOR, recorded, runIdFor, seedFragile, seedWindows } from '../helpers/rangeFixtures.js';

/**
 * A backfill reads the registry and the signals once for its whole range
 * (README "Performance"). These tests run the same range once as one backfill
 * and once as one `run --date` per date in backfill mode, on two fresh
 * databases with the same fixed test and run ids, and require the same
 * files byte for byte and the same rows.
 */

const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

/** Seeds two fresh databases alike; runs the range as one backfill on the first and date by date on the second. */
async function bothWays(seed: (db: TestDatabase) => Promise<void>) {
  const [one, apart] = [await freshDatabase(), await freshDatabase()];
  databases.push(one, apart);
  const settings: [Settings, Settings] = [tempSettings(), tempSettings()];
  for (const [i, db] of [one, apart].entries()) {
    await seed(db);
    await fixIds(db);
    // A date before the range: the range's reports chart history it did not write.
    await runDate(db.pool, { date: PRIOR, settings: settings[i]!, runId: runIdFor(PRIOR) });
  }
  const summary = await backfill(one.pool, { dates: DATES, settings: settings[0], runIdFor });
  const exitCodes = [];
  for (const date of DATES) {
    const result = await runDate(apart.pool, { date, settings: settings[1], mode: 'backfill', runId: runIdFor(date) });
    exitCodes.push(result.exitCode);
  }
  const [a, b] = [await recorded(one), await recorded(apart)];
  const evidence = [files(settings[0].evidenceDir), files(settings[1].evidenceDir)];
  const reports = [files(settings[0].reportsDir), files(settings[1].reportsDir)];
  return { summary, exitCodes, a, b, evidence, reports };
}

describe('a backfill in one session', () => {
  it('writes the same files byte for byte, and the same rows, as one run per date (checkpoint, escalation, DST, close)', async () => {
    const { summary, exitCodes, a, b, evidence, reports } = await bothWays(seedWindows);
    expect(summary).toEqual({
      datesDone: 7,
      testsEvaluated: 13,
      escalationAlerts: 1,
      resolutions: 1,
      halts: 0,
      haltedAt: null,
      exitCode: 0,
    });
    expect(exitCodes).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(evidence[0]).toEqual(evidence[1]);
    expect(reports[0]).toEqual(reports[1]);
    expect(Object.keys(reports[0]!)).toEqual([PRIOR, ...DATES].map((d) => `RUNBOOK_${d.replaceAll('-', '')}.md`));
    // T-001 resolves on 2026-03-31: it is out of scope on 2026-04-01.
    expect(Object.keys(evidence[0]!)).toHaveLength(2 + 13);
    expect(a).toEqual(b);
    expect(a.alerts.map((r) => [r.d, r.alert_type])).toEqual([
      ['2026-03-27', 'CHECKPOINT'],
      ['2026-03-28', 'ESCALATION'],
      ['2026-03-30', 'ESCALATION_CLEARED'],
      ['2026-03-31', 'RESOLUTION'],
    ]);
    expect(a.ledger.map((r) => [r.d, r.mode, r.outcome, r.exit_code])).toEqual([
      [PRIOR, 'daily', 'DONE', 0],
      ...DATES.map((d) => [d, 'backfill', 'DONE', 0]),
    ]);
  });

  it('resolves a source whose range query fails date by date, each date recording its own failure', async () => {
    const { summary, exitCodes, a, b, evidence, reports } = await bothWays(seedFragile);
    expect(summary.exitCode).toBe(1);
    expect(summary.datesDone).toBe(7);
    expect(exitCodes).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(evidence[0]).toEqual(evidence[1]);
    expect(reports[0]).toEqual(reports[1]);
    expect(a).toEqual(b);
    expect(a.ledger.map((r) => [r.d, r.exit_code, r.error])).toEqual([
      [PRIOR, 0, null],
      ...DATES.slice(0, 4).map((d) => [d, 0, null]),
      ...DATES.slice(4).map((d) => [d, 1, 'signal inv (fixture.fragile): division by zero']),
    ]);
    expect(a.alerts.filter((r) => r.alert_type === 'SIGNAL_ERROR').map((r) => r.d)).toEqual(DATES.slice(4));
  });
});
