/**
 * Runs `count` items in order through two stages, item i's `finish` while
 * item i + 1 is committed: `commit(i + 1)` starts once `commit(i)` has
 * ended, and `finish(i)` once `commit(i + 1)` calls its `ready` (or ends),
 * so no two commits and no two finishes ever run at once. A backfill's dates
 * go through it (src/run/backfill.ts): a date's files are written while the
 * next date is evaluated and its transaction runs (README "Performance").
 *
 * @param count the number of items (dates), run from 0 to count - 1.
 * @param stages.commit the first stage of item i; it must not need the `finish` of earlier items. It calls `ready`
 *   when the previous item's `finish` should start (a date: once its own reads are done).
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
    commit: (i: number, ready: () => void) => Promise<C>;
    finish: (committed: C) => Promise<R>;
    done: (result: R) => Promise<unknown>;
    isLast: (committed: C) => boolean;
  },
): Promise<void> {
  // Boxed: an item may itself be null.
  let unfinished = null as { item: C } | null;
  for (let i = 0; i < count; i++) {
    let ready!: () => void;
    const readied = new Promise<void>((resolve) => (ready = resolve));
    const committing: Promise<C> = stages.commit(i, ready);
    const previous: { item: C } | null = unfinished;
    const finishing: Promise<R> | null =
      previous === null ? null : Promise.race([readied, committing.then(nothing, nothing)]).then(() => stages.finish(previous.item));
    const [finished, committed]: [PromiseSettledResult<R | null>, PromiseSettledResult<C>] = await Promise.allSettled([
      finishing,
      committing,
    ]);
    if (finished.status === 'rejected') {
      if (committed.status === 'fulfilled') await stages.finish(committed.value).catch(nothing);
      throw finished.reason;
    }
    if (previous !== null) await stages.done(finished.value as R);
    if (committed.status === 'rejected') throw committed.reason;
    unfinished = { item: committed.value };
    if (stages.isLast(committed.value)) break;
  }
  if (unfinished !== null) await stages.done(await stages.finish(unfinished.item));
}

const nothing = () => undefined;
