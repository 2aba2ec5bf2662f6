import { describe, expect, it } from 'vitest';
import {
  conditionsOf,
  MAX_CONDITIONS,
  memoisedParseDefinition,
  metricKeysOf,
  parseDefinition,
  type Definition,
  type RawDefinition,
} from '../../src/domain/definition.js';

const valid = (): RawDefinition => ({
  start_ts: '2026-03-01T05:00:00.000Z',
  end_ts: '2026-03-31T04:00:00.000Z',
  required_days: 30,
  baseline_definition: { brier_score: 0.25, ready: false },
  target_metrics: { brier_score: { op: '<=', value: 0.24 }, ready: { op: '==', value: true } },
  success_criteria: {
    all: [
      { metric: 'brier_score', op: '<=', baseline_delta: -0.005 },
      { metric: 'ready', op: '==', value: true },
    ],
  },
  failure_criteria: { any: [{ metric: 'lvi', op: '>', value: 40 }] },
  escalation_path: { owner: 'CEO', notify: ['ceo@example.com'], channel: 'email' },
});

/** The problems of `valid()` with `patch` applied. */
function problemsOf(patch: Partial<RawDefinition>): unknown {
  const result = parseDefinition({ ...valid(), ...patch });
  return 'problems' in result ? result.problems : 'parsed';
}

const condition = { metric: 'brier_score', op: '<=', value: 0.2 };

describe('parseDefinition', () => {
  it('parses a valid definition', () => {
    expect(parseDefinition(valid())).toEqual({
      definition: {
        startTs: '2026-03-01T05:00:00.000Z',
        endTs: '2026-03-31T04:00:00.000Z',
        requiredDays: 30,
        baseline: { brier_score: 0.25, ready: false },
        targets: { brier_score: { op: '<=', value: 0.24 }, ready: { op: '==', value: true } },
        success: {
          all: [
            { metric: 'brier_score', op: '<=', baseline_delta: -0.005 },
            { metric: 'ready', op: '==', value: true },
          ],
        },
        failure: { any: [{ metric: 'lvi', op: '>', value: 40 }] },
        escalationPath: { owner: 'CEO', notify: ['ceo@example.com'], channel: 'email' },
      },
    });
  });

  it('accepts required_days null and missing baseline and targets', () => {
    const result = parseDefinition({
      ...valid(),
      required_days: null,
      baseline_definition: null,
      target_metrics: undefined,
      success_criteria: { all: [condition] },
    });
    expect('definition' in result && result.definition.requiredDays).toBe(null);
    expect('definition' in result && result.definition.baseline).toEqual({});
    expect('definition' in result && result.definition.targets).toEqual({});
  });

  it.each<[string, Partial<RawDefinition>, { field: string; problem: string }[]]>([
    ['missing start_ts', { start_ts: null }, [{ field: 'start_ts', problem: 'is missing: the window has no start' }]],
    ['missing end_ts', { end_ts: null }, [{ field: 'end_ts', problem: 'is missing: the window has no end' }]],
    [
      'start after end',
      { start_ts: '2026-04-01T00:00:00.000Z', end_ts: '2026-03-01T00:00:00.000Z' },
      [{ field: 'end_ts', problem: 'is not after start_ts (2026-04-01T00:00:00.000Z → 2026-03-01T00:00:00.000Z)' }],
    ],
    [
      'start equal to end',
      { start_ts: '2026-04-01T00:00:00.000Z', end_ts: '2026-04-01T00:00:00.000Z' },
      [{ field: 'end_ts', problem: 'is not after start_ts (2026-04-01T00:00:00.000Z → 2026-04-01T00:00:00.000Z)' }],
    ],
    ['required_days 0', { required_days: 0 }, [{ field: 'required_days', problem: 'must be a positive number of days (is 0)' }]],
    ['required_days -3', { required_days: -3 }, [{ field: 'required_days', problem: 'must be a positive number of days (is -3)' }]],
    ['success_criteria null', { success_criteria: null }, [{ field: 'success_criteria', problem: 'is missing' }]],
    ['failure_criteria null', { failure_criteria: null }, [{ field: 'failure_criteria', problem: 'is missing' }]],
    ['escalation_path null', { escalation_path: null }, [{ field: 'escalation_path', problem: 'is missing: no escalation path' }]],
    [
      'escalation_path without notify',
      { escalation_path: { owner: 'CEO' } },
      [{ field: 'escalation_path.notify', problem: 'is missing: no escalation path' }],
    ],
    [
      'notify []',
      { escalation_path: { owner: 'CEO', notify: [] } },
      [{ field: 'escalation_path.notify', problem: 'is empty: no escalation path' }],
    ],
    [
      'unknown op ~=',
      { success_criteria: { all: [{ metric: 'brier_score', op: '~=', value: 0.2 }] } },
      [{ field: 'success_criteria.all[0].op', problem: 'must be one of < <= > >= == !=' }],
    ],
    ['empty list', { success_criteria: { all: [] } }, [{ field: 'success_criteria.all', problem: 'must not be an empty list' }]],
    [
      'both all and any',
      { failure_criteria: { all: [condition], any: [condition] } },
      [{ field: 'failure_criteria', problem: 'must have exactly one of "all" or "any"' }],
    ],
    ['neither all nor any', { failure_criteria: {} }, [{ field: 'failure_criteria', problem: 'must have exactly one of "all" or "any"' }]],
    [
      'value and baseline_delta together',
      { success_criteria: { all: [{ metric: 'brier_score', op: '<=', value: 0.2, baseline_delta: -0.01 }] } },
      [
        {
          field: 'success_criteria.all[0]',
          problem: 'needs exactly one of value, baseline_delta, baseline_ratio (has value, baseline_delta)',
        },
      ],
    ],
    [
      'no threshold at all',
      { success_criteria: { all: [{ metric: 'brier_score', op: '<=' }] } },
      [{ field: 'success_criteria.all[0]', problem: 'needs exactly one of value, baseline_delta, baseline_ratio (has none)' }],
    ],
    [
      'baseline_delta on a metric without baseline',
      { failure_criteria: { any: [{ metric: 'lvi', op: '>', baseline_delta: 5 }] } },
      [{ field: 'failure_criteria.any[0]', problem: 'compares lvi with its baseline, but baseline_definition has no lvi' }],
    ],
    [
      'baseline_ratio on a boolean baseline',
      { failure_criteria: { any: [{ metric: 'ready', op: '<', baseline_ratio: 0.5 }] } },
      [{ field: 'failure_criteria.any[0]', problem: 'baseline of ready is a boolean; baseline_delta/baseline_ratio need a number' }],
    ],
    [
      '< on a boolean value',
      { success_criteria: { all: [{ metric: 'ready', op: '<', value: true }] } },
      [{ field: 'success_criteria.all[0].op', problem: '< cannot compare booleans (use == or !=)' }],
    ],
    [
      'string threshold "5"',
      { success_criteria: { all: [{ metric: 'lvi', op: '<', value: '5' }] } },
      [{ field: 'success_criteria.all[0].value', problem: 'must be a finite number or a boolean' }],
    ],
    [
      `${MAX_CONDITIONS + 1} conditions`,
      { success_criteria: { all: Array.from({ length: MAX_CONDITIONS + 1 }, () => condition) } },
      [{ field: 'success_criteria.all', problem: 'must have at most 200 conditions' }],
    ],
    [
      'unknown key in a condition',
      { success_criteria: { all: [{ ...condition, weight: 2 }] } },
      [{ field: 'success_criteria.all[0]', problem: "Unrecognized key(s) in object: 'weight'" }],
    ],
  ])('%s', (_name, patch, expected) => {
    expect(problemsOf(patch)).toEqual(expected);
  });

  it('accepts exactly MAX_CONDITIONS conditions', () => {
    expect(MAX_CONDITIONS).toBe(200);
    expect(problemsOf({ success_criteria: { all: Array.from({ length: 200 }, () => condition) } })).toBe('parsed');
  });

  it('reports every defect of a definition at once, in order', () => {
    expect(problemsOf({ start_ts: null, end_ts: null, success_criteria: null, failure_criteria: null, escalation_path: null })).toEqual([
      { field: 'start_ts', problem: 'is missing: the window has no start' },
      { field: 'end_ts', problem: 'is missing: the window has no end' },
      { field: 'success_criteria', problem: 'is missing' },
      { field: 'failure_criteria', problem: 'is missing' },
      { field: 'escalation_path', problem: 'is missing: no escalation path' },
    ]);
  });

  // A definition may have a boolean target, and the gate refuses `<` on a boolean in a CRITERIA;
  // compare() documents that booleans compare "only by == / !=" because "the gate refuses such definitions".
  it('refuses an ordering op on a boolean target, as it does in a condition', () => {
    expect(problemsOf({ target_metrics: { ready: { op: '>', value: false } } })).toEqual([
      { field: 'target_metrics.ready.op', problem: '> cannot compare booleans (use == or !=)' },
    ]);
  });
});

describe('conditionsOf and metricKeysOf', () => {
  const parsed = parseDefinition(valid()) as { definition: Definition };

  it('lists the conditions of all and any in order', () => {
    expect(conditionsOf(parsed.definition.success)).toEqual([
      { metric: 'brier_score', op: '<=', baseline_delta: -0.005 },
      { metric: 'ready', op: '==', value: true },
    ]);
    expect(conditionsOf(parsed.definition.failure)).toEqual([{ metric: 'lvi', op: '>', value: 40 }]);
  });

  it('is the sorted union of baseline, target and criteria keys', () => {
    const definition: Definition = {
      ...parsed.definition,
      baseline: { zeta: 1, alpha: 2 },
      targets: { mid: { op: '<', value: 1 }, alpha: { op: '>', value: 0 } },
      success: {
        any: [
          { metric: 'beta', op: '<', value: 1 },
          { metric: 'zeta', op: '<', value: 1 },
        ],
      },
      failure: { all: [{ metric: 'gamma', op: '>', value: 1 }] },
    };
    expect(metricKeysOf(definition)).toEqual(['alpha', 'beta', 'gamma', 'mid', 'zeta']);
    expect(metricKeysOf(parsed.definition)).toEqual(['brier_score', 'lvi', 'ready']);
  });
});

describe('memoisedParseDefinition', () => {
  it('returns the one parse of each content, and parses a changed definition afresh', () => {
    const parse = memoisedParseDefinition();
    const first = parse(valid());
    expect(first).toEqual(parseDefinition(valid()));
    expect(parse(valid())).toBe(first); // another row, same content: the same result
    const changed = parse({ ...valid(), failure_criteria: { any: [{ metric: 'lvi', op: '~=', value: 40 }] } });
    expect(changed).toEqual({ problems: [{ field: 'failure_criteria.any[0].op', problem: 'must be one of < <= > >= == !=' }] });
    expect(parse({ ...valid(), end_ts: '2026-04-30T04:00:00.000Z' })).toMatchObject({ definition: { endTs: '2026-04-30T04:00:00.000Z' } });
    expect(parse(valid())).toBe(first);
  });

  it('refuses a definition too deep to serialise as a key, as parseDefinition does, without throwing', () => {
    let deep: unknown = { metric: 'lvi', op: '>', value: 40 };
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const raw = { ...valid(), success_criteria: deep };
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(memoisedParseDefinition()(raw)).toEqual({
      problems: [{ field: 'success_criteria', problem: 'is nested more than 32 levels deep' }],
    });
  });
});
