import { relative } from 'node:path';
import { DateTime } from 'luxon';
import { resolveSettings } from '../config/settings.js';
import { datesBetween } from '../domain/asOf.js';
import { exitCodeOf } from '../errors.js';
import { runDate } from '../run/runDate.js';
import { seedScenario } from '../seed/scenarios.js';
import { openDemoDatabase } from './database.js';

/**
 * `npm start`: the EC-022 demo on the embedded PostgreSQL (never on
 * DATABASE_URL: the demo resets EC-022, its record included, so that it can
 * run again in the same folder). Migrates, re-seeds EC-022 from the
 * S&P 500 data, evaluates every day of its window and the day after, and
 * prints where the runbooks and evidence are and the final verdict.
 *
 * @returns the exit code (0 when the window resolved).
 */
export async function demo(): Promise<number> {
  const settings = resolveSettings({}, {});
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const db = await openDemoDatabase((m) => process.stderr.write(`${m}\n`));
  try {
    const seeded = await seedScenario(db.pool, 'ec022', { reset: true, eraseRecord: true });
    const first = DateTime.fromISO(seeded.window.start, { zone: settings.zone }).toISODate()!;
    const last = DateTime.fromISO(seeded.window.end, { zone: settings.zone }).plus({ days: 1 }).toISODate()!;
    log(
      `EC-022 seeded from S&P 500 closes ${seeded.dataRange.first} … ${seeded.dataRange.last}; window ${first} … ${last} evaluated day by day at ${settings.runTime} ${settings.zone}`,
    );
    let verdict = 'PENDING';
    for (const date of datesBetween(first, last)) {
      // Past dates: recorded as backfill runs (README "Unattended runs"), so the demo never makes every day since 2020 a missed day.
      const { plan } = await runDate(db.pool, { date, settings, mode: 'backfill' });
      const outcome = plan.outcomes.find((o) => o.testCode === 'EC-022');
      if (!outcome) continue;
      const alerts = plan.alerts.map((a) => a.alertType).join(', ');
      log(
        `  ${date}  day ${String(outcome.dayNumber).padStart(2)}  ${outcome.escalationState.padEnd(9)}  ${outcome.verdict}${alerts ? `  alerts: ${alerts}` : ''}`,
      );
      verdict = outcome.verdict;
    }
    const rel = (p: string) => relative(process.cwd(), p) || '.';
    log(`Final verdict: ${verdict}`);
    log(`Runbooks: ${rel(settings.reportsDir)}/RUNBOOK_YYYYMMDD.md (one per day)`);
    log(`Evidence: ${rel(settings.evidenceDir)}/ORCHESTRATOR_EC-022_YYYYMMDD.json (hash-chained)`);
    // The demo's database is the embedded one: every command needs --embedded to see it.
    log('Next: npx canonical-tests history --test EC-022 --embedded, npx canonical-tests verify --embedded, or npx canonical-tests --help');
    return verdict === 'PENDING' ? 1 : 0;
  } finally {
    await db.close();
  }
}

const code = await demo().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return exitCodeOf(error);
});
process.stdout.write('', () => process.exit(code));
