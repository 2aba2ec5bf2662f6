import { describe, expect, it } from 'vitest';
import { changedFields } from '../../src/domain/revisions.js';

describe('changedFields', () => {
  const base = {
    run_id: 'a',
    previous_bundle_sha256: null,
    verdict: 'PENDING',
    metrics: [
      { key: 'brier', value: 0.2, rows_used: 1 },
      { key: 'lift', value: 0, rows_used: 1 },
    ],
    escalation: { state: 'NONE' },
  };

  it('ignores the run id and the chain link', () => {
    expect(changedFields(base, { ...base, run_id: 'b', previous_bundle_sha256: 'f'.repeat(64) })).toEqual([]);
  });

  it('names top-level keys and the metric keys whose value changed, sorted', () => {
    const next = {
      ...base,
      verdict: 'FAILURE',
      escalation: { state: 'ESCALATED' },
      metrics: [
        { key: 'brier', value: 0.35, rows_used: 1 },
        { key: 'lift', value: 0, rows_used: 1 },
      ],
      close: {},
    };
    expect(changedFields(base, next)).toEqual(['close', 'escalation', 'metrics.brier', 'verdict']);
  });

  it('a metric that appears is named; other metric details are plain metrics', () => {
    expect(changedFields(base, { ...base, metrics: [...base.metrics, { key: 'ready', value: true }] })).toEqual(['metrics.ready']);
    expect(changedFields(base, { ...base, metrics: base.metrics.map((m) => ({ ...m, rows_used: 2 })) })).toEqual(['metrics']);
  });
});

describe('changedFields on odd metrics', () => {
  it('names a metric that disappears, and sorts metric keys', () => {
    const three = {
      metrics: [
        { key: 'z', value: 1 },
        { key: 'a', value: 1 },
        { key: 'm', value: 1 },
      ],
    };
    expect(
      changedFields(three, {
        metrics: [
          { key: 'm', value: 2 },
          { key: 'a', value: 2 },
        ],
      }),
    ).toEqual(['metrics.a', 'metrics.m', 'metrics.z']);
  });

  it('ignores entries without a text key, and reads a metrics field that is not a list as no metrics', () => {
    const next = { metrics: [null, 'x', { key: 3, value: 1 }, { value: 1 }, { key: 'a', value: 1 }] };
    expect(changedFields({ metrics: [{ key: 'a', value: 1 }] }, next)).toEqual(['metrics']);
    expect(changedFields({ metrics: { a: 1 } }, { metrics: [{ key: 'a', value: 1 }] })).toEqual(['metrics.a']);
    expect(changedFields({ metrics: [{ key: 'a', value: null }] }, { metrics: [] })).toEqual(['metrics.a']);
    expect(changedFields({ metrics: [{ key: 'a' }] }, { metrics: [{ key: 'a', value: null }] })).toEqual(['metrics']);
  });

  it('names a key present on one side only', () => {
    expect(changedFields({ verdict: 'PENDING' }, { close: null, verdict: 'PENDING' })).toEqual([]);
    expect(changedFields({ verdict: 'PENDING', b: 1 }, { verdict: 'PENDING' })).toEqual(['b']);
  });
});
