import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DatabaseTransactionConnection } from 'slonik';
import type { Plan } from '../domain/plan.js';
import { mergeParts } from '../domain/planParts.js';
import { applyPlan } from './applyPlan.js';

/**
 * Tests whose writes go to the database together: every table's rows of up to
 * this many tests in one statement each (bundles 200 per statement, src/db/bundles.ts).
 */
export const APPLY_BATCH_TESTS = 200;

/**
 * Applies a plan that evaluation hands over in parts (src/evaluate/evaluateRun.ts
 * `evaluateInParts`), inside the caller's transaction, while it is still
 * being evaluated: parts are gathered into batches of about
 * {@link APPLY_BATCH_TESTS} tests, and each batch is applied with
 * {@link applyPlan} while the next parts are evaluated. Between parts the
 * event loop runs, so the driver sends and receives the batch's statements
 * while evaluation goes on (README "Performance"). Batches are applied one
 * after the other, in order, so the rows are written in the plan's order;
 * the writes are exactly those of `applyPlan(tx, mergeParts(parts))`.
 *
 * @param parts consecutive parts of one run's plan, evaluated as they are asked for (at least one).
 * @returns the whole plan: {@link mergeParts} of every part.
 * @throws the first error of a statement (evaluation stops at the next part) or of evaluation itself; the caller's transaction then rolls back.
 */
export async function applyInParts(
  tx: DatabaseTransactionConnection,
  parts: Iterable<Plan>,
  batchTests: number = APPLY_BATCH_TESTS,
): Promise<Plan> {
  const all: Plan[] = [];
  let batch: Plan[] = [];
  let batchSize = 0;
  let applying: Promise<void> = Promise.resolve();
  let failed = false;
  const flush = () => {
    const writes = mergeParts(batch);
    batch = [];
    batchSize = 0;
    applying = applying.then(() => applyPlan(tx, writes));
    // Seen at the next part; the error itself is thrown by the final await.
    applying.catch(() => (failed = true));
  };
  for (const part of parts) {
    all.push(part);
    batch.push(part);
    batchSize += part.runbook.length;
    if (batchSize >= batchTests) flush();
    await yieldToEventLoop();
    if (failed) break;
  }
  if (batch.length > 0) flush();
  await applying;
  return mergeParts(all);
}
