import { sql, type CommonQueryMethods, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { RunbookWrite } from '../domain/plan.js';
import { inChunks, jsonRows } from './json.js';

/**
 * Inserts or replaces each test's runbook row of its date (unique on test and
 * date), one statement per `BULK_CHUNK_ROWS` rows (src/db/json.ts); a row whose content is unchanged is not touched.
 */
export async function upsertRunbookRows(tx: DatabaseTransactionConnection, runbook: readonly RunbookWrite[]): Promise<void> {
  await inChunks(runbook, (chunk) => upsertRunbookChunk(tx, chunk));
}

async function upsertRunbookChunk(tx: DatabaseTransactionConnection, runbook: readonly RunbookWrite[]): Promise<void> {
  await tx.query(sql.unsafe`
      INSERT INTO fhq_calendar.test_runbook_entries AS t
        (test_id, run_date, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
         metrics_snapshot, verdict, notes, evidence_path, evidence_sha256, escalation_reasons, escalated_since)
      SELECT test_id, run_date, run_id, day_number, required_days, status, escalation_state, ceo_action_required,
             metrics_snapshot, verdict, notes, evidence_path, evidence_sha256,
             ARRAY(SELECT jsonb_array_elements_text(escalation_reasons)), escalated_since
      FROM jsonb_to_recordset(${jsonRows(
        runbook.map((r) => ({
          test_id: r.testId,
          run_date: r.runDate,
          run_id: r.runId,
          day_number: r.dayNumber,
          required_days: r.requiredDays,
          status: r.status,
          escalation_state: r.escalationState,
          ceo_action_required: r.ceoActionRequired,
          metrics_snapshot: r.metricsSnapshot,
          verdict: r.verdict,
          notes: r.notes,
          evidence_path: r.evidencePath,
          evidence_sha256: r.evidenceSha256,
          escalation_reasons: r.escalationReasons,
          escalated_since: r.escalatedSince,
        })),
      )}) AS r(test_id uuid, run_date date, run_id uuid, day_number integer, required_days integer, status text,
                   escalation_state text, ceo_action_required boolean, metrics_snapshot jsonb, verdict text, notes text,
                   evidence_path text, evidence_sha256 text, escalation_reasons jsonb, escalated_since date)
      ON CONFLICT (test_id, run_date) DO UPDATE SET
        run_id = EXCLUDED.run_id, day_number = EXCLUDED.day_number, required_days = EXCLUDED.required_days,
        status = EXCLUDED.status, escalation_state = EXCLUDED.escalation_state,
        ceo_action_required = EXCLUDED.ceo_action_required, metrics_snapshot = EXCLUDED.metrics_snapshot,
        verdict = EXCLUDED.verdict, notes = EXCLUDED.notes, evidence_path = EXCLUDED.evidence_path,
        evidence_sha256 = EXCLUDED.evidence_sha256, escalation_reasons = EXCLUDED.escalation_reasons,
        escalated_since = EXCLUDED.escalated_since, created_at = now()
      WHERE (t.run_id, t.day_number, t.required_days, t.status, t.escalation_state, t.ceo_action_required,
             t.metrics_snapshot, t.verdict, t.notes, t.evidence_path, t.evidence_sha256, t.escalation_reasons, t.escalated_since)
        IS DISTINCT FROM
            (EXCLUDED.run_id, EXCLUDED.day_number, EXCLUDED.required_days, EXCLUDED.status, EXCLUDED.escalation_state,
             EXCLUDED.ceo_action_required, EXCLUDED.metrics_snapshot, EXCLUDED.verdict, EXCLUDED.notes,
             EXCLUDED.evidence_path, EXCLUDED.evidence_sha256, EXCLUDED.escalation_reasons, EXCLUDED.escalated_since)`);
}

/**
 * Removes the halt rows of `runDate` left by tests that are no longer ACTIVE
 * and that this run did not evaluate (`fhq_calendar.retire_stale_halt_rows`),
 * so a re-run describes the date as it is now.
 *
 * @returns how many rows were removed.
 */
export async function retireStaleHaltRows(tx: CommonQueryMethods, runDate: string, evaluated: readonly string[]): Promise<number> {
  return tx.oneFirst(sql.type(z.object({ removed: z.number().int() }))`
    SELECT fhq_calendar.retire_stale_halt_rows(${runDate}::date, ${sql.array([...evaluated], 'uuid')}) AS removed`);
}

/** A runbook row's link to its evidence, as `canonical-tests verify` checks it. */
export const runbookEvidenceSchema = z.object({
  test_id: z.string().uuid(),
  test_code: z.string(),
  run_date: z.string(),
  evidence_path: z.string().nullable(),
  evidence_sha256: z.string().nullable(),
});
export type RunbookEvidence = z.infer<typeof runbookEvidenceSchema>;

/** The runbook rows of a date range (inclusive, either end open) and, when given, of these test codes only; read-only. */
export async function loadRunbookEvidence(
  db: CommonQueryMethods,
  filter: { from?: string; to?: string; testCodes?: readonly string[] },
): Promise<readonly RunbookEvidence[]> {
  const conditions = [
    filter.from === undefined ? null : sql.fragment`r.run_date >= ${filter.from}::date`,
    filter.to === undefined ? null : sql.fragment`r.run_date <= ${filter.to}::date`,
    filter.testCodes?.length ? sql.fragment`e.test_code = ANY(${sql.array([...filter.testCodes], 'text')})` : null,
  ].filter((c) => c !== null);
  const where = conditions.length > 0 ? sql.join(conditions, sql.fragment` AND `) : sql.fragment`TRUE`;
  return db.any(sql.type(runbookEvidenceSchema)`
    SELECT r.test_id, e.test_code, r.run_date::text AS run_date, r.evidence_path, r.evidence_sha256
    FROM fhq_calendar.test_runbook_entries AS r
    JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
    WHERE ${where}
    ORDER BY r.run_date, e.test_code`);
}
