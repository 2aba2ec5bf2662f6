import { z } from 'zod';

/** Progress and time-based escalation of one test as of an instant. */
export const windowStateSchema = z.object({
  test_id: z.string().uuid(),
  days_elapsed: z.number().int(),
  days_remaining: z.number().int(),
  is_overdue: z.boolean(),
  should_escalate: z.boolean(),
  escalation_reason: z.string().nullable(),
  recommended_actions: z.array(z.string()),
});
export type WindowState = z.infer<typeof windowStateSchema>;
