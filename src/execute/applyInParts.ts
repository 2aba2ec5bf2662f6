import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DatabaseTransactionConnection } from 'slonik';
import type { Plan, PlanOutline } from '../domain/plan.js';
import { mergeParts, outlineOf, withoutWrites } from '../domain/planParts.js';
import { applyPlan } from './applyPlan.js';
import { withRecordedTexts } from './recordedFiles.js';
import type { StagedFiles } from './stagedFiles.js';

/**
 * Tests whose writes go to the database together: every table's rows of up to
 * this many tests in one statement each (bundles 200 per statement, src/db/bundles.ts).
 */
export const APPLY_BATCH_TESTS = 200;

/** Batches evaluated ahead of the one the database is applying: evaluation waits beyond that, so unapplied contents never pile up. */
const BATCHES_AHEAD = 2;

/** Files staged between two turns of the event loop while a batch is applied, so the replies to its statements are taken (and the next statement sent) meanwhile. */
const FILES_PER_TURN = 10;

/**
 * Applies a plan that evaluation hands over in parts (src/evaluate/evaluateRun.ts
 * `evaluateInParts`), inside the caller's transaction, while it is still
 * being evaluated (README "Performance"):
 *
 * - parts are gathered into batches of about {@link APPLY_BATCH_TESTS} tests,
 *   each applied with {@link applyPlan} while the next parts are evaluated:
 *   between parts the event loop runs, so the driver sends and receives the
 *   batches' statements meanwhile;
 * - once a batch is sent, its evidence files are staged under temporary
 *   names, a few between turns of the event loop, while the database applies
 *   it (creating files costs about as much as the batch's statements); they
 *   are renamed after the commit (`staged.commit()`); an unchanged
 *   evaluation's file is staged only where its target lost the recorded
 *   bytes, read back from the record (src/execute/recordedFiles.ts);
 * - once a batch is applied its contents are dropped: only the plan's
 *   outline is kept.
 *
 * Batches are applied one after the other, in order, so the rows are exactly
 * those of `applyPlan(tx, mergeParts(parts))`, written in the plan's order.
 *
 * @param parts consecutive parts of one run's plan, evaluated (and, for chunks of tests, read) as they are asked for (at least one).
 * @param staged where the evidence files are staged; on a failure its files stay staged for the caller to discard.
 * @param options.batchTests tests per batch (default {@link APPLY_BATCH_TESTS}); options.keepWrites false: the outline keeps only counts of its per-test writes (`withoutWrites`, src/domain/planParts.ts).
 * @returns the outline of the whole plan: {@link mergeParts} of every part, without file and bundle contents (and, unless `keepWrites`, without its per-test writes).
 * @throws the first error of a statement (evaluation stops at the next part), else that of evaluation, of a chunk's reads or of
 *   staging a file, once every batch sent has ended; the caller's transaction then rolls back.
 */
export async function applyInParts(
  tx: DatabaseTransactionConnection,
  parts: Iterable<Plan> | AsyncIterable<Plan>,
  staged: StagedFiles,
  { batchTests = APPLY_BATCH_TESTS, keepWrites = true }: { batchTests?: number; keepWrites?: boolean } = {},
): Promise<PlanOutline> {
  const outlines: PlanOutline[] = [];
  let batch: Plan[] = [];
  let batchSize = 0;
  const applying: Promise<void>[] = [];
  let failed = false;
  const flush = async () => {
    const sent = batch;
    batch = [];
    batchSize = 0;
    const writes = mergeParts(sent);
    const applied = (applying.at(-1) ?? Promise.resolve()).then(() => applyPlan(tx, writes));
    // Seen at the next part; the error itself is thrown by an await below.
    applied.catch(() => (failed = true));
    applying.push(applied);
    // Only a re-run's unchanged files whose target lost its bytes are read from the record (in this transaction).
    const files = await withRecordedTexts(
      tx,
      sent.flatMap((part) => part.files),
    );
    for (let i = 0; i < files.length && !failed; i += FILES_PER_TURN) {
      await yieldToEventLoop();
      staged.stage(files.slice(i, i + FILES_PER_TURN));
    }
    while (applying.length > BATCHES_AHEAD) await applying.shift();
  };
  let stopped: { error: unknown } | null = null;
  try {
    for await (const part of parts) {
      outlines.push(keepWrites ? outlineOf(part) : withoutWrites(outlineOf(part)));
      batch.push(part);
      batchSize += part.runbook.length;
      if (batchSize >= batchTests) await flush();
      await yieldToEventLoop();
      if (failed) break;
    }
    if (batch.length > 0 && !failed) await flush();
  } catch (error) {
    stopped = { error };
  }
  // Whatever ends the loop, no batch may still be sending statements when the caller rolls back: they would run outside the transaction.
  const settled = await Promise.allSettled(applying);
  // A failed statement comes first: it aborted the transaction, so a chunk's reads sent after it failed because of it.
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  if (stopped) throw stopped.error;
  return mergeParts(outlines);
}
