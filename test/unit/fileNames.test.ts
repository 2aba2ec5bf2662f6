import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  evidenceFilePath,
  haltFilePath,
  historyFilePath,
  jsonFile,
  pathInFolder,
  pathInside,
  reportFilePath,
  sanitizeTestCode,
} from '../../src/domain/fileNames.js';

const hash8 = (code: string) => createHash('sha256').update(code).digest('hex').slice(0, 8);

describe('sanitizeTestCode', () => {
  it.each(['EC-022', 'a.b_c-9', 'X'])('keeps the safe code %j unchanged', (code) => {
    expect(sanitizeTestCode(code)).toBe(code);
  });

  it.each([
    ['../../etc/passwd', '_.._etc_passwd'],
    ['a/b', 'a_b'],
    ['a\\b', 'a_b'],
    ['ä', '_'],
    ['x\u0000y', 'x_y'],
    ['', 'test'],
    ['...', 'test'],
    ['.hidden', 'hidden'],
  ])('makes %j safe with a hash suffix', (code, stem) => {
    const name = sanitizeTestCode(code);
    expect(name).toBe(`${stem}-${hash8(code)}`);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    // eslint-disable-next-line no-control-regex -- a NUL in the name is exactly what this assertion rules out
    expect(name).not.toMatch(/[/\\\u0000]/);
    expect(name.startsWith('.')).toBe(false);
  });

  it('caps the length at 80 characters plus the suffix', () => {
    const code = 'A'.repeat(100);
    expect(sanitizeTestCode(code)).toBe(`${'A'.repeat(80)}-${hash8(code)}`);
  });

  it('keeps two codes that clean to the same text apart', () => {
    expect(sanitizeTestCode('a/b')).not.toBe(sanitizeTestCode('a:b'));
  });
});

describe('pathInside', () => {
  it('joins a plain name', () => {
    expect(pathInside('/data/evidence', 'x.json')).toBe('/data/evidence/x.json');
  });

  it.each(['../x.json', '../../etc/passwd', '..', '', '.', 'sub/../../x'])('refuses %j', (name) => {
    expect(() => pathInside('/data/evidence', name)).toThrow(`file name ${JSON.stringify(name)} escapes /data/evidence`);
  });
});

describe('file paths', () => {
  it('names evidence, halt and report files as the README documents', () => {
    expect(evidenceFilePath('/e', 'EC-022', '20260329')).toBe('/e/ORCHESTRATOR_EC-022_20260329.json');
    expect(evidenceFilePath('/e', 'a/b', '20260329')).toBe(`/e/ORCHESTRATOR_a_b-${hash8('a/b')}_20260329.json`);
    expect(evidenceFilePath('/e', '../../x', '20260329')).toBe(`/e/ORCHESTRATOR__.._x-${hash8('../../x')}_20260329.json`);
    expect(haltFilePath('/e', '20260329')).toBe('/e/ORCHESTRATOR_HALT_20260329.json');
    expect(reportFilePath('/r', '20260329')).toBe('/r/RUNBOOK_20260329.md');
  });
});

describe('jsonFile', () => {
  it('serialises with 2-space indent, a trailing newline and its SHA-256', () => {
    const file = jsonFile('/e/x.json', { b: [1, true], a: null });
    expect(file.path).toBe('/e/x.json');
    expect(file.content).toBe('{\n  "b": [\n    1,\n    true\n  ],\n  "a": null\n}\n');
    expect(file.content.endsWith('\n')).toBe(true);
    expect(file.sha256).toBe(createHash('sha256').update(file.content).digest('hex'));
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('historyFilePath and pathInFolder', () => {
  it('puts a replaced revision under history/ with its number', () => {
    expect(historyFilePath('/e', 'EC-022', '20260329', 2)).toBe('/e/history/ORCHESTRATOR_EC-022_20260329.r2.json');
    expect(historyFilePath('/e', 'EC/022', '20260329', 1)).toMatch(/^\/e\/history\/ORCHESTRATOR_EC_022-[0-9a-f]{8}_20260329\.r1\.json$/);
  });

  it('records a path relative to the folder with / between its parts', () => {
    expect(pathInFolder('/e', '/e/history/x.r1.json')).toBe('history/x.r1.json');
    expect(pathInFolder('/e', '/e/x.json')).toBe('x.json');
  });
});
