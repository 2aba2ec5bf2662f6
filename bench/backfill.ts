/**
 * Benchmark (run by hand: `npm run bench`): the EC-022 demo window backfilled on
 * the embedded PostgreSQL in ./.embedded-pg — a cold pass after a reset, then
 * two idempotent re-runs of the same range. Prints wall time per pass and per date.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSettings } from '../src/config/settings.js';
import { datesBetween } from '../src/domain/asOf.js';
import { backfill } from '../src/run/backfill.js';
import { seedScenario } from '../src/seed/scenarios.js';
import { openDemoDatabase } from '../src/demo/database.js';

const out = mkdtempSync(join(tmpdir(), 'canonical-tests-bench-'));
const settings = resolveSettings({}, {}, out);
const db = await openDemoDatabase();
try {
  await seedScenario(db.pool, 'ec022', { reset: true });
  const dates = datesBetween('2020-02-03', '2020-03-04');
  // After the cold pass EC-022 is RESOLVED, so the re-runs measure discovery, ledger and reports only.
  for (const pass of ['cold', 're-run 1', 're-run 2']) {
    const started = performance.now();
    const summary = await backfill(db.pool, { dates, settings });
    const ms = performance.now() - started;
    console.log(
      `${pass.padEnd(9)} ${summary.datesDone} dates, ${summary.testsEvaluated} evaluations: ${ms.toFixed(0)} ms (${(ms / dates.length).toFixed(1)} ms/date)`,
    );
  }
} finally {
  await db.close();
}
process.exit(0);
