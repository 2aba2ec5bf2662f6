/**
 * Named moments of a run where the crash-safety tests stop the process
 * (SIGKILL) or drop its connection. Inert unless `CANONICAL_TEST_PAUSE_AT`
 * is set, which only the test suite does.
 *
 * `CANONICAL_TEST_PAUSE_AT` is a comma-separated list of `point` or `point#n`
 * (the n-th time that point is reached, from 1); on a match the process
 * prints `PAUSE point#n` on stderr and blocks for `CANONICAL_TEST_PAUSE_MS`
 * milliseconds (default 30 000), then carries on.
 */
export const PAUSE_POINTS = [
  /** Lock taken and ledger row written; nothing of the run yet. */
  'locked',
  /** Snapshot read; nothing written. */
  'discovered',
  /** Inside the run's transaction, after every statement, before COMMIT. */
  'in-transaction',
  /** The transaction has committed; no file written yet. */
  'committed',
  /** A temporary file is written and flushed, not yet renamed over its target. */
  'file-temporary',
  /** A file has been renamed into place. */
  'file-renamed',
  /** All files written; the ledger row not yet finished. */
  'files-written',
] as const;

/** One of {@link PAUSE_POINTS}. */
export type PausePoint = (typeof PAUSE_POINTS)[number];

const wanted = new Set((process.env.CANONICAL_TEST_PAUSE_AT ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const pauseMs = Number(process.env.CANONICAL_TEST_PAUSE_MS ?? 30_000);
const reached = new Map<PausePoint, number>();

/**
 * Marks that the run reached `point`. Blocks synchronously (so it works in
 * synchronous file code too) when the test asked to pause there; otherwise
 * returns at once.
 */
export function pausePoint(point: PausePoint): void {
  if (wanted.size === 0) return;
  const n = (reached.get(point) ?? 0) + 1;
  reached.set(point, n);
  if (!wanted.has(point) && !wanted.has(`${point}#${n}`)) return;
  process.stderr.write(`PAUSE ${point}#${n}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
}
