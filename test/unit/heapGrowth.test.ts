import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, HEAP_LIMITED_ABOVE_TESTS, heapGrowthFlag } from '../../src/cli/heapGrowth.js';

describe('heapGrowthFlag', () => {
  it('asks V8 to grow the heap by 40 % of what is live in a run of more than 1,000 tests', () => {
    expect([HEAP_GROWING_PERCENT, HEAP_LIMITED_ABOVE_TESTS]).toEqual([40, 1000]);
    expect(heapGrowthFlag(1001, [], undefined)).toBe('--heap-growing-percent=40');
    expect(heapGrowthFlag(10_000, ['--enable-source-maps', '--max-old-space-size=4096'], '--trace-warnings')).toBe(
      '--heap-growing-percent=40',
    );
  });

  it('leaves smaller runs, and a growth the user chose, to V8', () => {
    expect(heapGrowthFlag(1000, [], undefined)).toBeNull();
    expect(heapGrowthFlag(0, [], undefined)).toBeNull();
    expect(heapGrowthFlag(10_000, ['--heap-growing-percent=20'], undefined)).toBeNull();
    expect(heapGrowthFlag(10_000, [], '--max-old-space-size=512 --heap-growing-percent=300')).toBeNull();
  });
});
