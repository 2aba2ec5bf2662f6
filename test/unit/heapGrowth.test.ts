import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../src/cli/heapGrowth.js';

describe('heapGrowthFlag', () => {
  it('asks V8 to grow the heap by half of what is live, unless the user chose a growth', () => {
    expect(HEAP_GROWING_PERCENT).toBe(50);
    expect(heapGrowthFlag([], undefined)).toBe('--heap-growing-percent=50');
    expect(heapGrowthFlag(['--enable-source-maps', '--max-old-space-size=4096'], '--trace-warnings')).toBe('--heap-growing-percent=50');
    expect(heapGrowthFlag(['--heap-growing-percent=20'], undefined)).toBeNull();
    expect(heapGrowthFlag([], '--max-old-space-size=512 --heap-growing-percent=300')).toBeNull();
  });
});
