import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/domain/gate.js';
import { describeDefect } from '../../src/domain/defect.js';
import { catalog, ID_A, ID_B, reg, registry, testRow } from '../helpers/rows.js';

const brierSource = {
  key: 'brier_score',
  schema: 'fhq',
  table: 'metrics',
  column: 'brier',
  timeColumn: 'measured_at',
  aggregation: 'LATEST',
  valueType: 'number',
};
const readySource = {
  key: 'ready',
  schema: 'fhq',
  table: 'metrics',
  column: 'ready',
  timeColumn: 'measured_at',
  aggregation: 'LATEST',
  valueType: 'boolean',
};

describe('runGate', () => {
  it('passes a fine test and lists both defects of the other', () => {
    const fine = testRow();
    const broken = testRow({ test_id: ID_B, test_code: 'EC-023', start_ts: null, failure_criteria: null });
    const result = runGate([fine, broken], registry);
    expect(result.passed).toEqual([
      {
        row: fine,
        definition: {
          startTs: '2026-03-01T05:00:00.000Z',
          endTs: '2026-03-31T04:00:00.000Z',
          requiredDays: 30,
          baseline: { brier_score: 0.25 },
          targets: { brier_score: { op: '<=', value: 0.24 } },
          success: { all: [{ metric: 'brier_score', op: '<=', baseline_delta: -0.005 }] },
          failure: { any: [{ metric: 'ready', op: '==', value: false }] },
          escalationPath: { owner: 'CEO', notify: ['ceo@example.com'] },
        },
        sources: { brier_score: brierSource, ready: readySource },
      },
    ]);
    expect(result.defects).toEqual([
      { testId: ID_B, testCode: 'EC-023', field: 'start_ts', problem: 'is missing: the window has no start' },
      { testId: ID_B, testCode: 'EC-023', field: 'failure_criteria', problem: 'is missing' },
    ]);
  });

  it('refuses a metric key with no registry row', () => {
    const row = testRow({ failure_criteria: { any: [{ metric: 'lvi', op: '>', value: 40 }] } });
    expect(runGate([row], registry)).toEqual({
      passed: [],
      defects: [
        {
          testId: ID_A,
          testCode: 'EC-022',
          field: 'test_signal_registry.lvi',
          problem: 'signal "lvi" has no row in fhq_calendar.test_signal_registry',
        },
      ],
    });
  });

  it('refuses a key whose registry row is unusable, with the row problem', () => {
    const rows = [reg('brier_score', 'brier'), { ...reg('ready', 'ready'), aggregation: 'MEDIAN' }];
    expect(runGate([testRow()], { rows, catalog }).defects).toEqual([
      {
        testId: ID_A,
        testCode: 'EC-022',
        field: 'test_signal_registry.ready',
        problem: 'aggregation "MEDIAN" is not one of LATEST, AVG_7D, AVG_30D, SUM_7D, MIN_7D, MAX_7D, COUNT_7D',
      },
    ]);
  });

  it('refuses a boolean value for a numeric signal, naming the JSON path', () => {
    const row = testRow({ success_criteria: { all: [{ metric: 'brier_score', op: '==', value: true }] } });
    expect(runGate([row], registry)).toEqual({
      passed: [],
      defects: [
        {
          testId: ID_A,
          testCode: 'EC-022',
          field: 'success_criteria.all[0].value',
          problem: 'true is a boolean, but signal brier_score is number',
        },
      ],
    });
  });

  it('refuses mismatched baseline and target values and a ratio on a boolean signal', () => {
    const row = testRow({
      baseline_definition: { brier_score: 0.25, ready: 1 },
      target_metrics: { ready: { op: '==', value: 1 } },
      failure_criteria: { any: [{ metric: 'ready', op: '>', baseline_ratio: 2 }] },
    });
    expect(runGate([row], registry).defects).toEqual([
      { testId: ID_A, testCode: 'EC-022', field: 'baseline_definition.ready', problem: '1 is a number, but signal ready is boolean' },
      { testId: ID_A, testCode: 'EC-022', field: 'target_metrics.ready.value', problem: '1 is a number, but signal ready is boolean' },
      {
        testId: ID_A,
        testCode: 'EC-022',
        field: 'failure_criteria.any[0]',
        problem: 'signal ready is boolean; baseline_delta/baseline_ratio need a number',
      },
    ]);
  });

  it('passes nothing and finds nothing for no tests', () => {
    expect(runGate([], registry)).toEqual({ passed: [], defects: [] });
  });
});

describe('describeDefect', () => {
  it('is "code: field: problem"', () => {
    expect(
      describeDefect({ testId: ID_A, testCode: 'EC-022', field: 'success_criteria.all[0].op', problem: 'must be one of < <= > >= == !=' }),
    ).toBe('EC-022: success_criteria.all[0].op: must be one of < <= > >= == !=');
  });
});
