import { describe, expect, it } from 'vitest';
import { displayTestCode, MAX_TEST_CODE_LENGTH, testCodeProblem } from '../../src/domain/testCode.js';

describe('testCodeProblem refuses dots only, not a code that ends or starts with dots', () => {
  it.each(['v1.', 'EC-022..', '..x'])('accepts %j', (code) => {
    expect(testCodeProblem(code)).toBe(null);
  });

  it.each(['.', '..', '....'])('refuses %j', (code) => {
    expect(testCodeProblem(code)).toBe('must not consist of dots only');
  });
});

describe('displayTestCode cuts only a code longer than the limit', () => {
  it(`shows a refused code of exactly ${MAX_TEST_CODE_LENGTH} code points whole, without "…"`, () => {
    const code = `${'x'.repeat(MAX_TEST_CODE_LENGTH - 1)}\t`;
    expect(displayTestCode(code)).toBe(`"${'x'.repeat(MAX_TEST_CODE_LENGTH - 1)}\\u{9}"`);
  });

  it(`cuts a refused code of ${MAX_TEST_CODE_LENGTH + 1} code points after ${MAX_TEST_CODE_LENGTH}`, () => {
    const code = `${'🧪'.repeat(MAX_TEST_CODE_LENGTH)}!`;
    expect(displayTestCode(code)).toBe(`"${'🧪'.repeat(MAX_TEST_CODE_LENGTH)}…"`);
  });
});
