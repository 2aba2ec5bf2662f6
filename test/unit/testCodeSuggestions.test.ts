import { describe, expect, it } from 'vitest';
import { MAX_LISTED_CODES, nearestCode, testCodeProblemMessage } from '../../src/domain/testCodeSuggestions.js';

const tests = [
  { test_code: 'EC-022', status: 'ACTIVE' },
  { test_code: 'T-001', status: 'ACTIVE' },
  { test_code: 'EC-001', status: 'RESOLVED' },
  { test_code: 'EC-000', status: 'CANCELLED' },
];
const ACTIVE_LIST = 'ACTIVE tests: EC-022, T-001';

describe('nearestCode', () => {
  it('prefers the same code in another case over a nearer-looking one', () => {
    expect(nearestCode('ec-022', ['EC-021', 'EC-022'])).toBe('EC-022');
  });

  it('lets the first listed candidate win a tie', () => {
    expect(nearestCode('EC-021', ['EC-022', 'EC-023'])).toBe('EC-022');
    expect(nearestCode('EC-021', ['EC-023', 'EC-022'])).toBe('EC-023');
  });

  it('takes the nearest candidate, not the first within reach', () => {
    expect(nearestCode('ABCDEFGHI', ['ABCDEFGXX', 'ABCDEFGHX'])).toBe('ABCDEFGHX');
  });

  it('counts an insertion, a deletion and a substitution as one edit each, ignoring case', () => {
    expect(nearestCode('EC022', ['EC-022'])).toBe('EC-022');
    expect(nearestCode('EC-0222', ['EC-022'])).toBe('EC-022');
    expect(nearestCode('ec-023', ['EC-022'])).toBe('EC-022');
    expect(nearestCode('xc-022', ['EC-022'])).toBe('EC-022');
    expect(nearestCode('EC-02x', ['EC-022'])).toBe('EC-022');
  });

  it('allows at most a third of the code length in edits', () => {
    // 5 code points: one edit at most.
    expect(nearestCode('EC-02', ['EC-022'])).toBe('EC-022');
    expect(nearestCode('EC-02', ['EC-0222'])).toBeNull();
    // 2 code points: no edit at all.
    expect(nearestCode('AB', ['AC'])).toBeNull();
    // 3 code points: one edit.
    expect(nearestCode('ABC', ['ABD'])).toBe('ABD');
    expect(nearestCode('ABC', ['AXY'])).toBeNull();
  });

  it('allows at most two edits however long the code', () => {
    expect(nearestCode('ABCDEFGHI', ['ABCDEFGXX'])).toBe('ABCDEFGXX');
    expect(nearestCode('ABCDEFGHIJKL', ['ABCDEFGHIXXX'])).toBeNull();
    expect(nearestCode('ABCDEFGHIJKL', ['ABCDEFGHIJXX'])).toBe('ABCDEFGHIJXX');
  });

  it('measures length and distance in code points', () => {
    // Three code points (six UTF-16 units): one edit allowed.
    expect(nearestCode('😀😀😀', ['😀😀X'])).toBe('😀😀X');
    expect(nearestCode('😀😀😀', ['😀XY'])).toBeNull();
  });

  it('is null without candidates', () => {
    expect(nearestCode('EC-022', [])).toBeNull();
  });
});

describe('testCodeProblemMessage', () => {
  it('is null when every code names an ACTIVE or RESOLVED test', () => {
    expect(testCodeProblemMessage([], tests)).toBeNull();
    expect(testCodeProblemMessage(['EC-022', 'EC-001'], tests)).toBeNull();
  });

  it('names several unknown codes, each with its guess', () => {
    expect(testCodeProblemMessage(['EC-02', 'T-01'], tests)).toBe(
      `no test has the code "EC-02", "T-01"; did you mean EC-022 for "EC-02", T-001 for "T-01"? ${ACTIVE_LIST}`,
    );
  });

  it('names which unknown code a single guess is for when several are unknown', () => {
    expect(testCodeProblemMessage(['EC-02', 'NOPE'], tests)).toBe(
      `no test has the code "EC-02", "NOPE"; did you mean EC-022 for "EC-02"? ${ACTIVE_LIST}`,
    );
  });

  it('suggests an ACTIVE code before an equally near inactive one listed first', () => {
    const codes = [
      { test_code: 'EC-001', status: 'RESOLVED' },
      { test_code: 'EC-002', status: 'ACTIVE' },
    ];
    expect(testCodeProblemMessage(['EC-00'], codes)).toBe('no test has the code "EC-00"; did you mean EC-002? ACTIVE tests: EC-002');
  });

  it('suggests an inactive code when it is the only near one', () => {
    expect(testCodeProblemMessage(['ec-000'], tests)).toBe(`no test has the code "ec-000"; did you mean EC-000? ${ACTIVE_LIST}`);
  });

  it('joins unknown and inactive codes: a space after a question, a semicolon otherwise', () => {
    expect(testCodeProblemMessage(['NOPE', 'EC-000'], tests)).toBe(
      `no test has the code "NOPE"; "EC-000" is CANCELLED: only ACTIVE and RESOLVED tests can be evaluated; ${ACTIVE_LIST}`,
    );
    expect(testCodeProblemMessage(['EC-02', 'EC-000'], tests)).toBe(
      `no test has the code "EC-02"; did you mean EC-022? "EC-000" is CANCELLED: only ACTIVE and RESOLVED tests can be evaluated; ${ACTIVE_LIST}`,
    );
  });

  it('names every inactive code', () => {
    const codes = [...tests, { test_code: 'EC-003', status: 'DRAFT' }];
    expect(testCodeProblemMessage(['EC-000', 'EC-003'], codes)).toBe(
      '"EC-000" is CANCELLED: only ACTIVE and RESOLVED tests can be evaluated, "EC-003" is DRAFT: only ACTIVE and RESOLVED tests can be evaluated; ' +
        ACTIVE_LIST,
    );
  });

  it('lists exactly 20 ACTIVE codes without the "first 20 of" note', () => {
    const many = Array.from({ length: MAX_LISTED_CODES }, (_, i) => ({
      test_code: `T-${String(i + 1).padStart(3, '0')}`,
      status: 'ACTIVE',
    }));
    expect(testCodeProblemMessage(['NOPE'], many)).toBe(
      `no test has the code "NOPE"; ACTIVE tests: ${many.map((t) => t.test_code).join(', ')}`,
    );
  });

  it('lists only ACTIVE codes, and says so when there is none', () => {
    expect(testCodeProblemMessage(['NOPE'], [{ test_code: 'EC-001', status: 'RESOLVED' }])).toBe(
      'no test has the code "NOPE"; there is no ACTIVE test',
    );
  });

  it('shows hostile codes escaped in the guess and the list, and the requested code as JSON', () => {
    const hostile = [{ test_code: 'EC\u0007022', status: 'ACTIVE' }];
    expect(testCodeProblemMessage(['ec\u0007022'], hostile)).toBe(
      'no test has the code "ec\\u0007022"; did you mean "EC\\u{7}022"? ACTIVE tests: "EC\\u{7}022"',
    );
  });
});
