import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Phase } from '../../src/domain/phases.js';
import { isTemporaryFileName } from '../../src/execute/atomicWrite.js';
import { StagedFiles } from '../../src/execute/stagedFiles.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'staged-files-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, content: string) => ({ path: join(dir, name), content, sha256: 'not checked here' });
const listing = () => readdirSync(dir).sort();

describe('StagedFiles', () => {
  it('stages under temporary names only, then renames in the order staged and tells each phase', () => {
    const phases: Phase[] = [];
    const staged = new StagedFiles((p) => phases.push(p));
    staged.stage([file('b.json', 'B\n'), file('a.json', 'A ✓\n')]);
    expect(listing().every(isTemporaryFileName)).toBe(true);
    expect(listing().length).toBe(2);
    expect(phases).toEqual(['file-staged', 'file-staged']);
    expect(staged.commit()).toEqual([join(dir, 'b.json'), join(dir, 'a.json')]);
    expect(listing()).toEqual(['a.json', 'b.json']);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('A ✓\n');
    expect(phases).toEqual(['file-staged', 'file-staged', 'file-renamed', 'file-renamed']);
    expect(staged.commit()).toEqual([]);
  });

  it('does not stage a file whose target already holds its content', () => {
    writeFileSync(join(dir, 'same.json'), 'same\n');
    const staged = new StagedFiles();
    staged.stage([file('same.json', 'same\n'), file('new.json', 'new\n')]);
    expect(listing().filter(isTemporaryFileName).length).toBe(1);
    expect(staged.commit()).toEqual([join(dir, 'new.json')]);
    expect(listing()).toEqual(['new.json', 'same.json']);
  });

  it('discard removes what is staged and leaves the targets as they were', () => {
    writeFileSync(join(dir, 'a.json'), 'old\n');
    const staged = new StagedFiles();
    staged.stage([file('a.json', 'new\n'), file('b.json', 'B\n')]);
    staged.discard();
    expect(listing()).toEqual(['a.json']);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('old\n');
    expect(staged.commit()).toEqual([]);
  });

  it('a rename that fails keeps the files not yet renamed staged until discarded', () => {
    const staged = new StagedFiles();
    staged.stage([file('a.json', 'A\n'), file('blocked', 'B\n'), file('c.json', 'C\n')]);
    mkdirSync(join(dir, 'blocked', 'inside'), { recursive: true }); // a non-empty folder cannot be renamed over
    expect(() => staged.commit()).toThrow();
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('A\n');
    expect(listing().filter(isTemporaryFileName).length).toBe(1); // c.json's; blocked's own was removed
    staged.discard();
    expect(listing()).toEqual(['a.json', 'blocked']);
  });
});
