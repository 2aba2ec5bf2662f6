import { describe, expect, it } from 'vitest';
import { pipelined } from '../../src/run/pipeline.js';

/** A turn of the event loop: long enough for every stage started before it to reach its first await. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Stages that log when each starts and ends (`commit 1 start`, `finish 0 end`, `done 0`), each taking
 * `turns` turns of the event loop; `fail` names the stage calls that reject instead of ending.
 */
function loggingStages(options: { turns?: number; fail?: string[]; lastItem?: number; noReady?: boolean } = {}) {
  const log: string[] = [];
  const stage = async (name: string, item: number, ready?: () => void) => {
    log.push(`${name} ${item} start`);
    for (let t = 0; t < (options.turns ?? 2); t++) {
      await turn();
      if (t === 0 && ready) {
        log.push(`${name} ${item} ready`);
        ready();
      }
    }
    if (options.fail?.includes(`${name} ${item}`)) {
      log.push(`${name} ${item} failed`);
      throw new Error(`${name} ${item} failed`);
    }
    log.push(`${name} ${item} end`);
    return item;
  };
  return {
    log,
    stages: {
      commit: (i: number, ready: () => void) => stage('commit', i, options.noReady ? undefined : ready),
      finish: (item: number) => stage('finish', item),
      done: (item: number) => Promise.resolve(void log.push(`done ${item}`)),
      isLast: (item: number) => item === options.lastItem,
    },
  };
}

/** The position of `event` in `log`; fails the test when it is missing. */
function at(log: string[], event: string): number {
  const i = log.indexOf(event);
  expect(i, `${event} in ${JSON.stringify(log)}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('pipelined', () => {
  it('finishes each item once the next commit is ready, commits and finishes one at a time, and reports in order', async () => {
    const { log, stages } = loggingStages();
    await pipelined(3, stages);
    expect(log).toEqual([
      'commit 0 start',
      'commit 0 ready',
      'commit 0 end',
      'commit 1 start',
      'commit 1 ready',
      'finish 0 start',
      'commit 1 end',
      'finish 0 end',
      'done 0',
      'commit 2 start',
      'commit 2 ready',
      'finish 1 start',
      'commit 2 end',
      'finish 1 end',
      'done 1',
      'finish 2 start',
      'finish 2 end',
      'done 2',
    ]);
  });

  it('never starts a commit before the one before it ended, nor a finish before the one before it ended', async () => {
    for (const turns of [0, 1, 3]) {
      const { log, stages } = loggingStages({ turns });
      await pipelined(5, stages);
      for (let i = 1; i < 5; i++) {
        expect(at(log, `commit ${i} start`)).toBeGreaterThan(at(log, `commit ${i - 1} end`));
        expect(at(log, `finish ${i} start`)).toBeGreaterThan(at(log, `finish ${i - 1} end`));
        expect(at(log, `finish ${i} start`)).toBeGreaterThan(at(log, `commit ${i} end`));
        // With no turn to take, a commit never calls ready: its previous item is finished once it ends.
        expect(at(log, `finish ${i - 1} start`)).toBeGreaterThan(at(log, turns > 0 ? `commit ${i} ready` : `commit ${i} end`));
        expect(at(log, `done ${i}`)).toBeGreaterThan(at(log, `done ${i - 1}`));
      }
      expect(log.filter((e) => e.startsWith('done'))).toEqual(['done 0', 'done 1', 'done 2', 'done 3', 'done 4']);
    }
  });

  it('starts a finish once the next commit has ended when that commit never calls ready', async () => {
    const { log, stages } = loggingStages({ noReady: true });
    await pipelined(3, stages);
    for (let i = 1; i < 3; i++) expect(at(log, `finish ${i - 1} start`)).toBeGreaterThan(at(log, `commit ${i} end`));
    expect(log.filter((e) => e.startsWith('done'))).toEqual(['done 0', 'done 1', 'done 2']);
  });

  it('still finishes the item before a commit that fails before calling ready, then throws the commit error', async () => {
    const { log, stages } = loggingStages({ noReady: true, fail: ['commit 1'] });
    await expect(pipelined(3, stages)).rejects.toThrow('commit 1 failed');
    expect(log).toEqual([
      'commit 0 start',
      'commit 0 end',
      'commit 1 start',
      'commit 1 failed',
      'finish 0 start',
      'finish 0 end',
      'done 0',
    ]);
  });

  it('commits nothing after the last item (a halted date), and still finishes and reports it', async () => {
    const { log, stages } = loggingStages({ lastItem: 1 });
    await pipelined(4, stages);
    expect(log.filter((e) => e.startsWith('commit') && e.endsWith('start'))).toEqual(['commit 0 start', 'commit 1 start']);
    expect(log.slice(-3)).toEqual(['finish 1 start', 'finish 1 end', 'done 1']);
  });

  it("on a failed finish: finishes the item already committed, reports neither, commits no more, and throws the finish's error", async () => {
    const { log, stages } = loggingStages({ fail: ['finish 1'] });
    await expect(pipelined(4, stages)).rejects.toThrow('finish 1 failed');
    expect(log.filter((e) => e.startsWith('done'))).toEqual(['done 0']);
    expect(log).toContain('commit 2 end');
    expect(log.slice(-2)).toEqual(['finish 2 start', 'finish 2 end']);
    expect(log).not.toContain('commit 3 start');
  });

  it('on a failed commit: reports the item before it once finished, finishes nothing more, and throws the commit error', async () => {
    const { log, stages } = loggingStages({ fail: ['commit 2'] });
    await expect(pipelined(4, stages)).rejects.toThrow('commit 2 failed');
    expect(log.filter((e) => e.startsWith('done'))).toEqual(['done 0', 'done 1']);
    expect(log).not.toContain('finish 2 start');
    expect(log).not.toContain('commit 3 start');
  });

  it('when a finish and the next commit both fail, throws the earlier item’s error', async () => {
    const { log, stages } = loggingStages({ fail: ['finish 0', 'commit 1'] });
    await expect(pipelined(3, stages)).rejects.toThrow('finish 0 failed');
    expect(log.filter((e) => e.startsWith('done') || e.startsWith('finish 1'))).toEqual([]);
  });

  it('does nothing for no items', async () => {
    const { log, stages } = loggingStages();
    await pipelined(0, stages);
    expect(log).toEqual([]);
  });
});
