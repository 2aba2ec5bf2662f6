import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sanitizeTestCode } from '../../src/domain/fileNames.js';

const hash8 = (code: string) => createHash('sha256').update(code).digest('hex').slice(0, 8);

describe('sanitizeTestCode', () => {
  it.each([
    ['a//b', 'a_b'],
    ['EC 022 / beta', 'EC_022_beta'],
    ['试验试验', '_'],
  ])('turns a run of unsafe characters in %j into one "_"', (code, stem) => {
    expect(sanitizeTestCode(code)).toBe(`${stem}-${hash8(code)}`);
  });
});
