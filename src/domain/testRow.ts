import { z } from 'zod';

/** A row of `fhq_calendar.canonical_test_events` as read; instants as UTC ISO strings. */
export const testRowSchema = z.object({
  test_id: z.string().uuid(),
  test_code: z.string(),
  test_name: z.string(),
  status: z.string(),
  start_ts: z.string().nullable(),
  end_ts: z.string().nullable(),
  required_days: z.number().int().nullable(),
  mid_test_checkpoint: z.string().nullable(),
  baseline_definition: z.unknown(),
  target_metrics: z.unknown(),
  success_criteria: z.unknown(),
  failure_criteria: z.unknown(),
  escalation_path: z.unknown(),
  days_elapsed: z.number().int().nullable(),
  days_remaining: z.number().int().nullable(),
  is_overdue: z.boolean().nullable(),
  escalation_state: z.string(),
  ceo_action_required: z.boolean(),
  verdict: z.string(),
  resolved_at: z.string().nullable(),
  last_evaluated_date: z.string().nullable(),
});
export type TestRow = z.infer<typeof testRowSchema>;
