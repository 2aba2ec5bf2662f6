// zod 4 (see definitionSchema.ts): the report reads every entry of every test, every date of a backfill.
import { z } from 'zod4';

const scalar = z.union([z.number(), z.boolean()]);

/**
 * One metric of a runbook row's `metrics_snapshot`: the one shape that the
 * evaluator writes and the report and `status` read.
 */
export const metricsSnapshotEntrySchema = z
  .object({
    value: scalar.nullable(),
    status: z.enum(['AVAILABLE', 'PENDING', 'ERROR']),
    pending_reason: z.string().nullable().optional(),
    baseline: scalar.nullable().optional(),
    target: z.object({ op: z.string(), value: scalar }).nullable().optional(),
    target_met: z.boolean().nullable().optional(),
    aggregation: z.string().optional(),
    source: z.string().optional(),
    as_of_exact: z.boolean().optional(),
    error: z.string().nullable().optional(),
  })
  .loose();
export type MetricsSnapshotEntry = z.infer<typeof metricsSnapshotEntrySchema>;

/** A runbook row's `metrics_snapshot`: signal key → entry. */
export type MetricsSnapshot = Record<string, MetricsSnapshotEntry>;
