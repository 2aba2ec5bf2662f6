import type { Phase, PhaseHook } from '../domain/phases.js';

/**
 * The test-only pause hook of the executable: inert (undefined) unless
 * `CANONICAL_TEST_PAUSE_AT` is set, which only the test suite does.
 *
 * `CANONICAL_TEST_PAUSE_AT` is a comma-separated list of `phase` or `phase#n`
 * (the n-th time that phase is reached, from 1); on a match the process
 * prints `PAUSE phase#n` on stderr and blocks for `CANONICAL_TEST_PAUSE_MS`
 * milliseconds (default 30 000), then carries on.
 *
 * @param env the environment to read (the executable passes `process.env`).
 */
export function pauseHookFromEnv(env: NodeJS.ProcessEnv): PhaseHook | undefined {
  const wanted = new Set(
    (env.CANONICAL_TEST_PAUSE_AT ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  if (wanted.size === 0) return undefined;
  const pauseMs = Number(env.CANONICAL_TEST_PAUSE_MS ?? 30_000);
  const reached = new Map<Phase, number>();
  return (phase) => {
    const n = (reached.get(phase) ?? 0) + 1;
    reached.set(phase, n);
    if (!wanted.has(phase) && !wanted.has(`${phase}#${n}`)) return;
    process.stderr.write(`PAUSE ${phase}#${n}\n`);
    // Blocks synchronously, so it also works inside synchronous file code.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
  };
}
