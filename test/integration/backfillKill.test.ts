import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { verifyRecord } from '../../src/run/verify/verifyRecord.js';
import { runCli, startCli } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/database.js';
import { createEscalationAndResolution } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * A backfill writes a date's files while the next date's transaction runs
 * (src/run/pipeline.ts), so a kill can catch two dates at once: one whose
 * files are half written, the next committed or not. Whatever the moment, the
 * next run (of another date) must leave every committed date with its files.
 */

const KILLS = 8;

describe('a backfill killed with SIGKILL while its dates are pipelined', () => {
  it(`at ${KILLS} random moments after its first date: the next run exports every committed date's files and the record verifies clean`, async () => {
    const outcomes: { datesCommitted: number; filesBeforeRecovery: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const db = await freshDatabase();
      try {
        await createEscalationAndResolution(db);
        const out = tempDir('backfill-kill');
        const env = { DATABASE_URL: db.uri };
        const run = startCli(['backfill', '--from', '2026-03-02', '--to', '2026-03-06'], out, env);
        // Without a terminal a backfill prints one line per date: the first is printed once the second has committed.
        await new Promise<void>((resolve) => {
          let printed = '';
          run.child.stdout?.on('data', (d) => {
            printed += String(d);
            if (printed.includes('2026-03-02 done')) resolve();
          });
          void run.done.then(() => resolve());
        });
        await sleep(Math.random() * 120);
        run.child.kill('SIGKILL');
        await run.done;

        const committed = await db.exec<{ d: string }>(`SELECT DISTINCT run_date::text AS d FROM fhq_calendar.evidence_bundles ORDER BY d`);
        const files = (folder: string) =>
          existsSync(join(out, folder)) ? readdirSync(join(out, folder)).filter((f) => !f.startsWith('.')) : [];
        const before = files('evidence').length + files('reports').length;

        const next = await runCli(['run', '--date', '2026-03-07'], out, env);
        expect(next.code, next.stderr).toBe(0);
        const dates = committed.rows.map((r) => r.d.replaceAll('-', ''));
        for (const date of [...dates, '20260307']) expect(files('reports')).toContain(`RUNBOOK_${date}.md`);
        const audit = await verifyRecord(db.pool, { evidenceDir: join(out, 'evidence'), zone: 'Europe/Oslo' });
        expect(audit.problems).toEqual([]);
        const { rows: ledger } = await db.exec<{ outcome: string }>(`SELECT outcome FROM fhq_calendar.evaluator_runs`);
        expect(ledger.filter((r) => r.outcome === 'RUNNING')).toEqual([]);
        outcomes.push({ datesCommitted: dates.length, filesBeforeRecovery: before });
      } finally {
        await db.drop();
      }
    }
    // The kills landed inside the backfill: at least one date was committed every time.
    expect(outcomes.every((o) => o.datesCommitted >= 1)).toBe(true);
  }, 120_000);
});
