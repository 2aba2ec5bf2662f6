import { setFlagsFromString } from 'node:v8';
import { CHUNK_TESTS } from '../run/runDate.js';

/** How much V8 lets the heap grow past what its last full collection found live, in percent, in a large run. */
export const HEAP_GROWING_PERCENT = 40;

/**
 * Runs of more tests than this get {@link HEAP_GROWING_PERCENT}: those of more
 * than one chunk of discovery (src/discover/chunks.ts). Smaller runs stay well
 * under 200 MB with V8's own growth, and a year's backfill of 100 tests would
 * pay about 15 % more CPU in the collector for nothing.
 */
export const HEAP_LIMITED_ABOVE_TESTS = CHUNK_TESTS;

/**
 * The V8 flag that makes the heap of a run of `tests` tests grow by
 * {@link HEAP_GROWING_PERCENT} of what is live, instead of V8's default of up
 * to four times it (a default for long-lived servers, where collections are
 * to be few): a run of 10,000 tests, whose live heap stays near 40 MB, then
 * peaks near 180 MB instead of 260–280 MB, for more time in the collector
 * (README "Performance", ninth round).
 *
 * @param tests the number of tests the run evaluates.
 * @param execArgv node's own flags (`process.execArgv`).
 * @param nodeOptions the `NODE_OPTIONS` variable.
 * @returns the flag; null for a run of {@link HEAP_LIMITED_ABOVE_TESTS} tests or fewer, or when the user chose a growth of their own.
 */
export function heapGrowthFlag(tests: number, execArgv: readonly string[], nodeOptions: string | undefined): string | null {
  if (tests <= HEAP_LIMITED_ABOVE_TESTS) return null;
  const chosen = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => arg.startsWith('--heap-growing-percent'));
  return chosen ? null : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/**
 * Sets {@link heapGrowthFlag} on this process's V8; it is read at each full
 * collection, so it applies from the next one. `run` and `backfill` pass it
 * as their `onTestCount`, told the number of tests before any is evaluated.
 */
export function limitHeapGrowthFor(tests: number): void {
  const flag = heapGrowthFlag(tests, process.execArgv, process.env.NODE_OPTIONS);
  if (flag) setFlagsFromString(flag);
}
