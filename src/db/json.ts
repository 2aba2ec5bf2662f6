import { sql } from 'slonik';

/**
 * Plain row objects as one `jsonb` parameter, for `jsonb_to_recordset` bulk
 * statements. Serialised with the built-in `JSON.stringify`: key order means
 * nothing to `jsonb`, and slonik's `sql.jsonb` sorts every key of every row,
 * which cost a year's backfill over a second for the bundles alone.
 */
export const jsonRows = (rows: readonly unknown[]) => sql.fragment`${JSON.stringify(rows)}::jsonb`;

/**
 * Rows per bulk statement. Larger plans are written in several statements of
 * this size, in order, in the caller's transaction, so neither the process nor
 * the server builds one parameter of hundreds of megabytes (README "Performance").
 */
export const BULK_CHUNK_ROWS = 1000;

/** Consecutive slices of `items` of `size` items each, in order (the last one shorter; none for no item). */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * Calls `write` on consecutive slices of `rows` of at most `size` rows, one after the other, in order.
 *
 * @returns when the last slice is written; rejects with the first error of `write`.
 */
export async function inChunks<T>(
  rows: readonly T[],
  write: (chunk: readonly T[]) => Promise<unknown>,
  size: number = BULK_CHUNK_ROWS,
): Promise<void> {
  for (const chunk of chunksOf(rows, size)) await write(chunk);
}
