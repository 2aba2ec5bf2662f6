import type { DatabaseTransactionConnection } from 'slonik';
import { loadRecords } from '../db/bundles.js';
import { loadHistory } from '../db/history.js';
import { chunksOf } from '../db/json.js';
import { loadWindowStates } from '../db/progress.js';
import { loadRegistry } from '../db/registry.js';
import { missedDates } from '../db/runs.js';
import { loadActiveTestIds, loadTestsByIds, requireEvaluableTestCodes } from '../db/tests.js';
import { runGate } from '../domain/gate.js';
import type { Snapshot } from '../domain/snapshot.js';
import { readSnapshot, resolveMetrics, type DiscoverOptions } from './discover.js';
import { mergeSignalNeeds, signalNeeds, type SignalNeed } from './needs.js';

/**
 * Tests per chunk of {@link discoverInChunks}: a run holds the rows, parsed
 * definitions, history and record of this many tests at a time, not of all
 * of them (README "Performance", ninth round). A multiple of the evaluation's
 * part size (src/evaluate/evaluateRun.ts `PART_TESTS`), so chunks split no part.
 */
export const CHUNK_TESTS = 1000;

/** What {@link discoverInChunks} found: a halt's whole snapshot, or the run's snapshot without its tests and a reader of its tests in chunks. */
export type ChunkedDiscovery =
  | { halted: Snapshot }
  | {
      halted: null;
      /** The run's snapshot with no test in it: as-of, settings, missed dates, and every signal value any of its tests needs. */
      base: Snapshot;
      /**
       * The snapshot of each chunk of tests in turn, each `base` plus its tests' rows, parsed definitions,
       * progress, history and record, read when asked for: in the same transaction, so from the same database state.
       */
      chunks: () => AsyncGenerator<Snapshot, void, undefined>;
    };

/**
 * Discover (docs/verdicts.md "What a run does", phase 1) in chunks of tests,
 * in the caller's REPEATABLE READ transaction, so that every read sees the
 * database as it was at the transaction's first statement, whenever it is
 * made. First the gate, over every test, a chunk of rows at a time; the
 * run-level reads (registry, missed days, the signals every test needs, each
 * one query); then, as the run asks for them, each chunk's rows again, with
 * their progress, history and record.
 *
 * The caller may write between chunks in the same transaction: a chunk reads
 * only its own tests' rows, which writes for other tests do not touch, so each
 * chunk's snapshot is exactly the part of {@link readSnapshot}'s that
 * concerns it. A halt reads the whole snapshot at once, as {@link readSnapshot}
 * does: it writes only the refused tests.
 *
 * @param chunkTests tests per chunk (default {@link CHUNK_TESTS}).
 * @param onTestCount told how many tests the run evaluates, before their definitions are read.
 * @throws UsageError naming `--test` when a requested code names no test, or one neither ACTIVE nor RESOLVED.
 */
export async function discoverInChunks(
  tx: DatabaseTransactionConnection,
  options: DiscoverOptions,
  chunkTests: number = CHUNK_TESTS,
  onTestCount?: (tests: number) => void,
): Promise<ChunkedDiscovery> {
  const { asOf, rangeCache } = options;
  const ids = await loadActiveTestIds(tx, options.testCodes, { date: asOf.date, includeResolved: options.includeResolved });
  await requireEvaluableTestCodes(tx, options.testCodes);
  onTestCount?.(ids.length);
  const registry = rangeCache?.registry ?? (await loadRegistry(tx));
  const gateOf = async (chunk: readonly string[]) => {
    const tests = await loadTestsByIds(tx, chunk);
    return { tests, gate: runGate(tests, registry, rangeCache?.parseDefinition) };
  };
  const slices = chunksOf(ids, chunkTests);
  const needs: SignalNeed[][] = [];
  // The first chunk's rows and parsed definitions are kept for its evaluation: a run of up to one chunk reads them once.
  let first: Awaited<ReturnType<typeof gateOf>> | null = null;
  for (const slice of slices) {
    const checked = await gateOf(slice);
    if (checked.gate.defects.length > 0) return { halted: await readSnapshot(tx, options) };
    needs.push(signalNeeds(checked.gate.passed, [asOf]));
    first ??= checked;
  }
  const base: Snapshot = {
    asOf,
    runTime: options.runTime,
    resolutionGraceDays: options.resolutionGraceDays,
    runId: options.runId,
    mode: options.mode,
    missedDates: options.mode === 'daily' ? await missedDates(tx, asOf.date) : [],
    evidenceDir: options.evidenceDir,
    reportsDir: options.reportsDir,
    tests: [],
    gate: { passed: [], defects: [] },
    windowStates: new Map(),
    metrics: await resolveMetrics(tx, mergeSignalNeeds(needs), rangeCache?.signals),
    history: new Map(),
    records: new Map(),
    evaluatorVersion: options.evaluatorVersion,
  };
  const readChunk = async (index: number): Promise<Snapshot> => {
    const chunk = slices[index]!;
    const kept = index === 0 ? first : null;
    first = null;
    const { tests, gate } = kept ?? (await gateOf(chunk));
    // The same rows in the same transaction: the gate cannot refuse now what it passed above.
    if (gate.defects.length > 0)
      throw new Error(`discover: ${gate.defects[0]!.testCode} passed the gate, then failed it in the same snapshot`);
    return {
      ...base,
      tests,
      gate,
      records: await loadRecords(tx, chunk, asOf.date),
      history: await loadHistory(tx, chunk, asOf.date),
      windowStates: await loadWindowStates(tx, chunk, asOf.instant, asOf.zone),
    };
  };
  // Each chunk's reads are sent as the one before is handed over, so they wait on the connection only behind
  // the writes already sent, not behind every write of the chunk before, and are there when it is evaluated.
  // A read sent ahead is awaited where it is used; until then its failure (the transaction aborted by a failed
  // write, say) is that of the run, never an unhandled rejection, even if the run stops asking for chunks.
  const sentAhead = (index: number) => {
    const read = readChunk(index);
    read.catch(() => undefined);
    return read;
  };
  async function* chunks(): AsyncGenerator<Snapshot, void, undefined> {
    let next = slices.length > 0 ? sentAhead(0) : null;
    try {
      for (let index = 1; next; index++) {
        const current = await next;
        next = index < slices.length ? sentAhead(index) : null;
        yield current;
      }
    } finally {
      // Left early (a failed write, a failed read): the read sent ahead is awaited, its outcome no longer wanted.
      await next?.catch(() => undefined);
    }
  }
  return { halted: null, base, chunks };
}
