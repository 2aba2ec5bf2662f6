/**
 * Runs `count` items in order through two stages, item i's `finish` while
 * item i + 1 is committed: `commit(i + 1)` starts once `commit(i)` has
 * ended, and `finish` of an item once `finish` of the item before it has
 * ended. A backfill's dates go through it (src/run/backfill.ts): the database
 * stores one date's rows while the process writes the files of the date
 * before (README "Performance").
 *
 * @param count the number of items (dates), run from 0 to count - 1.
 * @param stages.commit the first stage of item i; it must not need the `finish` of earlier items.
 * @param stages.finish the second stage of a committed item.
 * @param stages.done told of each finished item, in order, once the next item's commit has ended too (or right away for the last).
 * @param stages.isLast true for a committed item after which nothing more is committed (a halted date).
 * @returns when every item committed has been finished and reported.
 * @throws the first failure, in item order: the pipeline stops there. An item
 *   already committed when the item before it failed to finish is still
 *   finished (its rows are in the record, so its files are written too; its
 *   own failure, if any, is left to `finish` to record) but not reported.
 */
export async function pipelined<C, R>(
  count: number,
  stages: {
    commit: (i: number) => Promise<C>;
    finish: (committed: C) => Promise<R>;
    done: (result: R) => Promise<unknown>;
    isLast: (committed: C) => boolean;
  },
): Promise<void> {
  let finishing: Promise<R> | null = null;
  for (let i = 0; i < count; i++) {
    const [finished, committed] = await Promise.allSettled([finishing, stages.commit(i)]);
    if (finished.status === 'rejected') {
      if (committed.status === 'fulfilled') await stages.finish(committed.value).catch(() => undefined);
      throw finished.reason;
    }
    if (finished.value !== null) await stages.done(finished.value);
    if (committed.status === 'rejected') throw committed.reason;
    finishing = stages.finish(committed.value);
    if (stages.isLast(committed.value)) break;
  }
  if (finishing) await stages.done(await finishing);
}
