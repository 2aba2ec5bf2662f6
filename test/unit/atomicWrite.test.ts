import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTemporaryFileName, removeAbandonedTemporaries, writeFileAtomic } from '../../src/execute/atomicWrite.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atomic-write-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const past = new Date('2020-01-01T00:00:00.000Z');

describe('writeFileAtomic', () => {
  it('writes a new file, creating its folder, and leaves no temporary file', () => {
    const path = join(dir, 'sub', 'a.json');
    expect(writeFileAtomic(path, 'hello ✓\n')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('hello ✓\n');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('returns false and leaves an identical file untouched', () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, 'same');
    utimesSync(path, past, past);
    const before = statSync(path);
    expect(writeFileAtomic(path, 'same')).toBe(false);
    const after = statSync(path);
    expect(after.mtimeMs).toBe(past.getTime());
    expect(after.ino).toBe(before.ino);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('replaces different content through a rename and leaves no temporary file', () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, 'old content that is longer');
    utimesSync(path, past, past);
    expect(writeFileAtomic(path, 'new')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mtimeMs).not.toBe(past.getTime());
    expect(readdirSync(dir)).toEqual(['a.json']);
    expect(readdirSync(dir).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('replaces a file of the same size whose bytes differ', () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, 'abc✓');
    expect(writeFileAtomic(path, 'abd✓')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('abd✓');
    expect(writeFileAtomic(path, 'abd✓')).toBe(false);
  });

  it('names each temporary file uniquely, so two writes of one path never share one', () => {
    const path = join(dir, 'a.json');
    const seen: string[] = [];
    const hook = () => seen.push(...readdirSync(dir).filter((name) => name.endsWith('.tmp')));
    writeFileAtomic(path, 'one', (phase) => phase === 'file-temporary' && hook());
    writeFileAtomic(path, 'two', (phase) => phase === 'file-temporary' && hook());
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(2);
    expect(seen.every((name) => name.startsWith(`.a.json.${process.pid}.`) && isTemporaryFileName(name))).toBe(true);
  });

  it('writes an empty file', () => {
    const path = join(dir, 'empty.md');
    expect(writeFileAtomic(path, '')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('');
    expect(writeFileAtomic(path, '')).toBe(false);
  });

  it('throws and leaves no temporary file when the target is a folder', () => {
    const path = join(dir, 'taken');
    writeFileAtomic(join(path, 'inner.txt'), 'x');
    expect(() => writeFileAtomic(path, 'content')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});

describe('removeAbandonedTemporaries', () => {
  it("removes the temporary files of dead writers only, never a finished file or a live writer's file", () => {
    const dead = 2 ** 22 + 12_345; // above Linux's default pid_max of 2^22: no such process
    const names = {
      deadTemporary: `.RUNBOOK_20260310.md.${dead}.0a1b2c3d.tmp`,
      liveTemporary: `.ORCHESTRATOR_T-001_20260310.json.${process.pid}.deadbeef.tmp`,
      finished: 'RUNBOOK_20260310.md',
      lookalike: `RUNBOOK.${dead}.0a1b2c3d.tmp`,
    };
    for (const name of Object.values(names)) writeFileSync(join(dir, name), 'x');
    expect(removeAbandonedTemporaries(dir)).toEqual([names.deadTemporary]);
    expect(readdirSync(dir).sort()).toEqual([names.liveTemporary, names.lookalike, names.finished].sort());
  });

  it('returns nothing for a folder that does not exist', () => {
    expect(removeAbandonedTemporaries(join(dir, 'missing'))).toEqual([]);
  });
});
