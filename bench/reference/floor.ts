/**
 * Reference (c), the "set-based floor": for each date, one query computing
 * every signal for all tests (floorQuery.ts), the evaluation in memory, one
 * transaction with one bulk UPDATE of the evaluator's columns and one bulk
 * insert of the runbook rows, then one ~2 KB evidence file per test and the
 * report, written plainly (no fsync, no rename).
 * Run by the benchmark as a child process: `node floor.js --dates d1,d2,…`.
 */
import { randomUUID } from 'node:crypto';
import { asOfInstant, ZONE } from '../asOf.js';
import { openContext, runReference } from './context.js';
import { evaluate } from './evaluate.js';
import { ensureFolders, evidencePath, reportMarkdown, reportPath, writePlain } from './files.js';
import { floorQuery, type FloorRow } from './floorQuery.js';
import { loadSignals, type SignalValue } from './registry.js';
import { metricKeys } from './tests.js';

runReference(async (argv) => {
  const { client, dates, evidenceDir, reportsDir } = await openContext(argv);
  try {
    ensureFolders(evidenceDir, reportsDir);
    for (const date of dates) {
      const asOf = asOfInstant(date);
      const runId = randomUUID();
      const query = floorQuery([...(await loadSignals(client)).values()]);
      const { rows: tests } = await client.query<FloorRow>(query, [asOf, ZONE]);
      const signals = tests[0]?.signals ?? {};
      const results = tests.map((test) => {
        const values = new Map<string, SignalValue>(
          metricKeys(test).map((key) => {
            const [value, rowsUsed, latestAt] = signals[key] ?? [null, 0, null];
            return [key, { value: rowsUsed > 0 ? value : null, rowsUsed, latestAt }];
          }),
        );
        return { test, path: evidencePath(evidenceDir, test.test_code, date), result: evaluate(test, date, asOf, runId, test, values) };
      });
      await client.query('BEGIN');
      await client.query(
        `UPDATE fhq_calendar.canonical_test_events AS e SET days_elapsed = u.days_elapsed, days_remaining = u.days_remaining,
           is_overdue = u.is_overdue, escalation_state = u.escalation_state, ceo_action_required = e.ceo_action_required OR u.ceo,
           last_evaluated_date = $7::date
         FROM unnest($1::uuid[], $2::int[], $3::int[], $4::boolean[], $5::text[], $6::boolean[])
           AS u(test_id, days_elapsed, days_remaining, is_overdue, escalation_state, ceo)
         WHERE e.test_id = u.test_id AND (e.last_evaluated_date IS NULL OR e.last_evaluated_date <= $7::date)`,
        [
          results.map((r) => r.test.test_id),
          results.map((r) => r.test.days_elapsed),
          results.map((r) => r.test.days_remaining),
          results.map((r) => r.test.is_overdue),
          results.map((r) => r.result.escalationState),
          results.map((r) => r.result.ceoActionRequired),
          date,
        ],
      );
      await client.query(
        `INSERT INTO fhq_calendar.test_runbook_entries
           (test_id, run_date, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
            metrics_snapshot, verdict, notes, evidence_path, evidence_sha256)
         SELECT u.test_id, $11::date, $12::uuid, u.day, u.required, 'ACTIVE', u.escalation, u.ceo, u.metrics, u.verdict, u.notes, u.path, u.sha
         FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::boolean[], $6::jsonb[], $7::text[], $8::text[], $9::text[], $10::text[])
           AS u(test_id, day, required, escalation, ceo, metrics, verdict, notes, path, sha)
         ON CONFLICT (test_id, run_date) DO NOTHING`,
        [
          results.map((r) => r.test.test_id),
          results.map((r) => r.test.days_elapsed),
          results.map((r) => r.test.required_days),
          results.map((r) => r.result.escalationState),
          results.map((r) => r.result.ceoActionRequired),
          results.map((r) => JSON.stringify(r.result.metricsSnapshot)),
          results.map((r) => r.result.verdict),
          results.map((r) => r.result.notes),
          results.map((r) => r.path),
          results.map((r) => r.result.evidenceSha256),
          date,
          runId,
        ],
      );
      await client.query('COMMIT');
      for (const r of results) writePlain(r.path, r.result.evidence);
      writePlain(
        reportPath(reportsDir, date),
        reportMarkdown(
          date,
          results.map((r) => ({
            code: r.test.test_code,
            day: r.test.days_elapsed,
            escalation: r.result.escalationState,
            verdict: r.result.verdict,
          })),
        ),
      );
    }
  } finally {
    await client.end();
  }
});
