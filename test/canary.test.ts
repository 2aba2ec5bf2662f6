import { expect, it } from 'vitest';

/**
 * The canary: passes, unless CANONICAL_CANARY_FAIL=1 asks it to fail. CI runs
 * it that way on every database path and requires the run to exit non-zero,
 * proving that a failing test fails `npm test`.
 */
it('fails only when CANONICAL_CANARY_FAIL=1 asks for it', () => {
  const asked = process.env.CANONICAL_CANARY_FAIL === '1';
  expect(asked ? 'CANONICAL_CANARY_FAIL=1: failing on purpose' : 'not asked to fail').toBe('not asked to fail');
});
