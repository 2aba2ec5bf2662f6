import { describe, expect, it } from 'vitest';
import { parseDefinition, type RawDefinition } from '../../src/domain/definition.js';
import { testRow } from '../helpers/rows.js';

/** The problems of the default test row with `patch` applied, or 'parsed'. */
function problemsOf(patch: Partial<RawDefinition>): unknown {
  const parsed = parseDefinition({ ...testRow(), ...patch });
  return 'problems' in parsed ? parsed.problems : 'parsed';
}

describe('parseDefinition on boolean targets', () => {
  it.each(['==', '!='])('accepts %s on a boolean target', (op) => {
    const parsed = parseDefinition({ ...testRow(), target_metrics: { ready: { op, value: false } } });
    expect('definition' in parsed && parsed.definition.targets).toEqual({ ready: { op, value: false } });
  });

  it.each(['<', '<=', '>', '>='])('refuses %s on a boolean target', (op) => {
    expect(problemsOf({ target_metrics: { ready: { op, value: true } } })).toEqual([
      { field: 'target_metrics.ready.op', problem: `${op} cannot compare booleans (use == or !=)` },
    ]);
  });
});

describe('parseDefinition reports at most five problems per column', () => {
  it('names the first five bad conditions of a list of seven, and the problems of other columns as well', () => {
    const bad = Array.from({ length: 7 }, (_, i) => ({ metric: `m${i}`, op: '~', value: 1 }));
    expect(problemsOf({ success_criteria: { all: bad }, escalation_path: { notify: [] } })).toEqual([
      ...[0, 1, 2, 3, 4].map((i) => ({ field: `success_criteria.all[${i}].op`, problem: 'must be one of < <= > >= == !=' })),
      { field: 'escalation_path.notify', problem: 'is empty: no escalation path' },
    ]);
  });
});
