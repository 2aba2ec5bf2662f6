/**
 * Reference (b), the "per-test design": for each date, for each ACTIVE test,
 * in its own transaction: `compute_test_progress`, `check_escalation_conditions`,
 * one query per metric, one UPDATE of the test row and one upsert of its
 * runbook row; then its evidence file, written durably (temporary file, fsync,
 * rename) as the evaluator does. One report per date.
 * Run by the benchmark as a child process: `node perTest.js --dates d1,d2,…`.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { asOfInstant, ZONE } from '../asOf.js';
import { openContext, runReference } from './context.js';
import { evaluate, type WindowState } from './evaluate.js';
import { ensureFolders, evidencePath, reportMarkdown, reportPath, writeDurable } from './files.js';
import { loadSignals, signalSelect, toSignalValue, type Signal, type SignalRow, type SignalValue } from './registry.js';
import { loadTests, metricKeys, type TestDefinition } from './tests.js';

async function evaluateOne(
  client: pg.Client,
  test: TestDefinition,
  signals: Map<string, Signal>,
  date: string,
  runId: string,
  evidenceDir: string,
) {
  const asOf = asOfInstant(date);
  await client.query('BEGIN');
  try {
    const progress = (
      await client.query<Pick<WindowState, 'days_elapsed' | 'days_remaining' | 'is_overdue'>>(
        'SELECT * FROM fhq_calendar.compute_test_progress($1, $2, $3)',
        [test.test_id, asOf, ZONE],
      )
    ).rows[0];
    const escalation = (
      await client.query<Pick<WindowState, 'should_escalate' | 'escalation_reason'>>(
        'SELECT * FROM fhq_calendar.check_escalation_conditions($1, $2)',
        [test.test_id, asOf],
      )
    ).rows[0];
    const values = new Map<string, SignalValue>();
    for (const key of metricKeys(test)) {
      const signal = signals.get(key);
      if (!signal) throw new Error(`${test.test_code}: no registry row for ${key}`);
      values.set(key, toSignalValue((await client.query<SignalRow>(signalSelect(signal), [asOf])).rows[0]));
    }
    const window = { ...progress, ...escalation } as WindowState;
    const result = evaluate(test, date, asOf, runId, window, values);
    const path = evidencePath(evidenceDir, test.test_code, date);
    await client.query(
      `UPDATE fhq_calendar.canonical_test_events SET days_elapsed = $2, days_remaining = $3, is_overdue = $4,
         escalation_state = $5, ceo_action_required = ceo_action_required OR $6, last_evaluated_date = $7
       WHERE test_id = $1 AND (last_evaluated_date IS NULL OR last_evaluated_date <= $7)`,
      [test.test_id, window.days_elapsed, window.days_remaining, window.is_overdue, result.escalationState, result.ceoActionRequired, date],
    );
    await client.query(
      `INSERT INTO fhq_calendar.test_runbook_entries
         (test_id, run_date, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
          metrics_snapshot, verdict, notes, evidence_path, evidence_sha256)
       VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (test_id, run_date) DO UPDATE SET run_id = EXCLUDED.run_id, day_number = EXCLUDED.day_number,
         escalation_state = EXCLUDED.escalation_state, ceo_action_required = EXCLUDED.ceo_action_required,
         metrics_snapshot = EXCLUDED.metrics_snapshot, verdict = EXCLUDED.verdict, notes = EXCLUDED.notes,
         evidence_path = EXCLUDED.evidence_path, evidence_sha256 = EXCLUDED.evidence_sha256`,
      [
        test.test_id,
        date,
        runId,
        window.days_elapsed,
        test.required_days,
        result.escalationState,
        result.ceoActionRequired,
        JSON.stringify(result.metricsSnapshot),
        result.verdict,
        result.notes,
        path,
        result.evidenceSha256,
      ],
    );
    await client.query('COMMIT');
    writeDurable(path, result.evidence);
    return { code: test.test_code, day: window.days_elapsed, escalation: result.escalationState, verdict: result.verdict };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

runReference(async (argv) => {
  const { client, dates, evidenceDir, reportsDir } = await openContext(argv);
  try {
    ensureFolders(evidenceDir, reportsDir);
    for (const date of dates) {
      const runId = randomUUID();
      const signals = await loadSignals(client);
      const rows = [];
      for (const test of await loadTests(client)) rows.push(await evaluateOne(client, test, signals, date, runId, evidenceDir));
      writeDurable(reportPath(reportsDir, date), reportMarkdown(date, rows));
    }
  } finally {
    await client.end();
  }
});
