import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/domain/gate.js';
import { describeDefect } from '../../src/domain/defect.js';
import { MAX_JSON_DEPTH, MAX_RECIPIENTS, parseDefinition } from '../../src/domain/definition.js';
import { displayTestCode, MAX_TEST_CODE_LENGTH, testCodeProblem } from '../../src/domain/testCode.js';
import { ID_A, registry, testRow } from '../helpers/rows.js';

describe('testCodeProblem', () => {
  it.each(['EC-022', 'ÉC-022', '試験-1', 'ЕС-022', 'EC 022', "EC'022", 'a.b', '.hidden', 'x..y', 'C'.repeat(MAX_TEST_CODE_LENGTH), '🧪-1'])(
    'accepts %j',
    (code) => {
      expect(testCodeProblem(code)).toBe(null);
    },
  );

  it.each([
    ['', 'must not be empty'],
    [' \t ', 'must not be blank'],
    ['C'.repeat(MAX_TEST_CODE_LENGTH + 1), 'must be at most 64 characters (is 65)'],
    ['🧪'.repeat(MAX_TEST_CODE_LENGTH + 1), 'must be at most 64 characters (is 65)'],
    ['A\u0000B', 'must not contain control or format characters (has U+0000)'],
    ['A\u007FB\u0085', 'must not contain control or format characters (has U+007F, U+0085)'],
    ['A\u202EB\u202E', 'must not contain control or format characters (has U+202E)'],
    ['A\u2066B', 'must not contain control or format characters (has U+2066)'],
    ['A\u00ADB', 'must not contain control or format characters (has U+00AD)'],
    ['A\u2029B', 'must not contain control or format characters (has U+2029)'],
    ['EC-022 ', 'must not start or end with whitespace'],
    ['\u3000EC-022', 'must not start or end with whitespace'],
    ['a/b', 'must not contain a path separator (/ or \\)'],
    ['\\\\server\\share', 'must not contain a path separator (/ or \\)'],
    ['...', 'must not consist of dots only'],
  ])('refuses %j: %s', (code, problem) => {
    expect(testCodeProblem(code)).toBe(problem);
  });
});

describe('displayTestCode', () => {
  it('shows an acceptable code as it is', () => {
    expect(displayTestCode('試験-1')).toBe('試験-1');
  });

  it.each([
    ['EC-\u202E220', '"EC-\\u{202E}220"'],
    ['a\nb"c\\', '"a\\u{A}b\\"c\\\\"'],
    ['', '""'],
    ['x'.repeat(100), `"${'x'.repeat(64)}…"`],
  ])('quotes and escapes the refused code %j as %s', (code, shown) => {
    expect(displayTestCode(code)).toBe(shown);
  });
});

describe('the gate and hostile test codes', () => {
  it('refuses a test whose only defect is its code, and names it escaped', () => {
    const row = testRow({ test_code: 'EC-022\u202E' });
    const result = runGate([row], registry);
    expect(result).toEqual({
      passed: [],
      defects: [
        {
          testId: ID_A,
          testCode: 'EC-022\u202E',
          field: 'test_code',
          problem: 'must not contain control or format characters (has U+202E)',
        },
      ],
    });
    expect(describeDefect(result.defects[0]!)).toBe(
      '"EC-022\\u{202E}": test_code: must not contain control or format characters (has U+202E)',
    );
  });
});

describe('parseDefinition limits', () => {
  const valid = testRow();
  const problemsOf = (patch: Partial<typeof valid>) => {
    const parsed = parseDefinition({ ...valid, ...patch });
    return 'problems' in parsed ? parsed.problems : 'parsed';
  };
  const nested = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i += 1) value = [value];
    return value;
  };

  it(`accepts ${MAX_RECIPIENTS} recipients and refuses ${MAX_RECIPIENTS + 1}`, () => {
    const notify = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);
    expect(problemsOf({ escalation_path: { notify: notify(MAX_RECIPIENTS) } })).toBe('parsed');
    expect(problemsOf({ escalation_path: { notify: notify(MAX_RECIPIENTS + 1) } })).toEqual([
      { field: 'escalation_path.notify', problem: 'must have at most 100 recipients' },
    ]);
  });

  it(`accepts JSON nested ${MAX_JSON_DEPTH} levels deep and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    // The object itself is one level: an extra key holding 31 nested arrays is 32 levels.
    expect(problemsOf({ escalation_path: { notify: ['x'], extra: nested(MAX_JSON_DEPTH - 1) } })).toBe('parsed');
    expect(problemsOf({ escalation_path: { notify: ['x'], extra: nested(MAX_JSON_DEPTH) } })).toEqual([
      { field: 'escalation_path', problem: 'is nested more than 32 levels deep' },
    ]);
  });

  it('refuses Infinity where a number or boolean belongs with the same message as a string', () => {
    expect(problemsOf({ target_metrics: { brier_score: { op: '<', value: Infinity } } })).toEqual([
      { field: 'target_metrics.brier_score.value', problem: 'must be a finite number or a boolean' },
    ]);
    expect(problemsOf({ target_metrics: { brier_score: { op: '<', value: 'x' } } })).toEqual([
      { field: 'target_metrics.brier_score.value', problem: 'must be a finite number or a boolean' },
    ]);
  });

  it('refuses "__proto__" as a signal key instead of losing it', () => {
    const baseline: unknown = JSON.parse('{"brier_score": 0.25, "__proto__": 1}');
    expect(problemsOf({ baseline_definition: baseline })).toEqual([
      { field: 'baseline_definition.__proto__', problem: 'must not be "__proto__"' },
      { field: 'success_criteria.all[0]', problem: 'compares brier_score with its baseline, but baseline_definition has no brier_score' },
    ]);
  });

  it('refuses a window bound that is not an instant (found by the property test)', () => {
    expect(problemsOf({ end_ts: 'not a date' })).toEqual([{ field: 'end_ts', problem: 'is not a valid instant ("not a date")' }]);
    expect(problemsOf({ start_ts: 'infinity' })).toEqual([{ field: 'start_ts', problem: 'is not a valid instant ("infinity")' }]);
  });

  it('does not take an inherited property for a baseline', () => {
    expect(
      problemsOf({ baseline_definition: {}, success_criteria: { all: [{ metric: 'constructor', op: '<', baseline_delta: 1 }] } }),
    ).toEqual([
      { field: 'success_criteria.all[0]', problem: 'compares constructor with its baseline, but baseline_definition has no constructor' },
    ]);
  });
});
