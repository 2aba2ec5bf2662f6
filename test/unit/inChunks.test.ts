import { describe, expect, it } from 'vitest';
import { BULK_CHUNK_ROWS, inChunks } from '../../src/db/json.js';

describe('inChunks', () => {
  it('writes consecutive slices of at most the given size, in order, one after the other', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => i);
    const calls: [number, number, number][] = [];
    let running = 0;
    await inChunks(
      rows,
      async (chunk) => {
        running += 1;
        expect(running).toBe(1);
        await Promise.resolve();
        calls.push([chunk.length, chunk[0]!, chunk.at(-1)!]);
        running -= 1;
      },
      1000,
    );
    expect(calls).toEqual([
      [1000, 0, 999],
      [1000, 1000, 1999],
      [500, 2000, 2499],
    ]);
  });

  it('writes nothing for no rows, and one slice up to the default size', async () => {
    const sizes: number[] = [];
    await inChunks([], (chunk) => Promise.resolve(sizes.push(chunk.length)));
    expect(sizes).toEqual([]);
    await inChunks(
      Array.from({ length: BULK_CHUNK_ROWS }, () => 0),
      (chunk) => Promise.resolve(sizes.push(chunk.length)),
    );
    expect(sizes).toEqual([1000]);
  });

  it('stops at the first slice that fails and rejects with its error', async () => {
    const seen: number[] = [];
    await expect(
      inChunks(
        [1, 2, 3, 4, 5],
        (chunk) => {
          seen.push(chunk[0]!);
          return chunk[0] === 3 ? Promise.reject(new Error('slice 2 failed')) : Promise.resolve();
        },
        2,
      ),
    ).rejects.toThrow('slice 2 failed');
    expect(seen).toEqual([1, 3]);
  });
});
