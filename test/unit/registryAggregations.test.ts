import { describe, expect, it } from 'vitest';
import { AGGREGATIONS, checkRegistryRow, type Aggregation } from '../../src/domain/registry.js';
import { catalog, reg } from '../helpers/rows.js';

const aggregations = Object.keys(AGGREGATIONS) as Aggregation[];

describe('checkRegistryRow and aggregations', () => {
  it.each(aggregations)('accepts %s on a numeric column with a time column', (aggregation) => {
    expect(checkRegistryRow({ ...reg('brier_score', 'brier'), aggregation }, catalog)).toEqual({
      key: 'brier_score',
      schema: 'fhq',
      table: 'metrics',
      column: 'brier',
      timeColumn: 'measured_at',
      aggregation,
      valueType: 'number',
    });
  });

  it.each(aggregations.filter((a) => a !== 'LATEST' && a !== 'COUNT_7D'))('refuses %s on a boolean column', (aggregation) => {
    expect(checkRegistryRow({ ...reg('ready', 'ready'), aggregation }, catalog)).toEqual({
      problem: `aggregation ${aggregation} cannot apply to boolean column fhq.metrics.ready`,
    });
  });
});
