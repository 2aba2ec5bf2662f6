import { z } from 'zod';

/** The parts of a runbook row that the next evaluation builds on. */
export const runbookHistorySchema = z.object({
  test_id: z.string().uuid(),
  run_date: z.string(),
  run_id: z.string().uuid(),
  escalation_state: z.string(),
  /** One key per escalation condition that held (e.g. `failure: brier_score > 0.3`). */
  escalation_reasons: z.array(z.string()),
  /** The date the current escalation started; null when not escalated. */
  escalated_since: z.string().nullable(),
  evidence_sha256: z.string().nullable(),
});
export type RunbookHistory = z.infer<typeof runbookHistorySchema>;

/** Per test: the latest runbook row before the as-of date, and the row of the as-of date itself. */
export interface TestHistory {
  previous: RunbookHistory | null;
  current: RunbookHistory | null;
}
