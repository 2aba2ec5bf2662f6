import { describe, expect, it } from 'vitest';
import { checkRegistryRow, type CatalogColumn, type RegistryRow } from '../../src/domain/registry.js';

const col = (relation: string, column: string, type: string, category: string, readable = true): CatalogColumn => ({
  schema: 'fhq',
  relation,
  column,
  type,
  category,
  readable,
});

const catalog: CatalogColumn[] = [
  col('metrics', 'brier', 'double precision', 'N'),
  col('metrics', 'label', 'text', 'S'),
  col('metrics', 'ready', 'boolean', 'B'),
  col('metrics', 'measured_at', 'timestamp with time zone', 'D'),
  col('metrics', 'seq', 'integer', 'N'),
  col('v_status', 'rate', 'numeric', 'N'),
  col('v_status', 'ok', 'boolean', 'B'),
  col('secret', 'score', 'double precision', 'N', false),
  col('secret', 'at', 'timestamp with time zone', 'D', false),
  col('secret', 'visible', 'double precision', 'N'),
];

const row = (patch: Partial<RegistryRow>): RegistryRow => ({
  signal_key: 'brier_score',
  source_schema: 'fhq',
  source_table: 'metrics',
  source_column: 'brier',
  time_column: 'measured_at',
  aggregation: 'LATEST',
  description: null,
  ...patch,
});

describe('checkRegistryRow', () => {
  it('accepts a numeric LATEST signal with a timestamp column', () => {
    expect(checkRegistryRow(row({}), catalog)).toEqual({
      key: 'brier_score',
      schema: 'fhq',
      table: 'metrics',
      column: 'brier',
      timeColumn: 'measured_at',
      aggregation: 'LATEST',
      valueType: 'number',
    });
  });

  it('accepts a LATEST signal on a view without time column', () => {
    expect(checkRegistryRow(row({ signal_key: 'ok', source_table: 'v_status', source_column: 'ok', time_column: null }), catalog)).toEqual({
      key: 'ok',
      schema: 'fhq',
      table: 'v_status',
      column: 'ok',
      timeColumn: null,
      aggregation: 'LATEST',
      valueType: 'boolean',
    });
  });

  it('counts a boolean column over 7 days as a number', () => {
    expect(checkRegistryRow(row({ source_column: 'ready', aggregation: 'COUNT_7D' }), catalog)).toEqual({
      key: 'brier_score',
      schema: 'fhq',
      table: 'metrics',
      column: 'ready',
      timeColumn: 'measured_at',
      aggregation: 'COUNT_7D',
      valueType: 'number',
    });
  });

  it.each<[string, Partial<RegistryRow>, string]>([
    [
      'unknown aggregation MEDIAN',
      { aggregation: 'MEDIAN' },
      'aggregation "MEDIAN" is not one of LATEST, AVG_7D, AVG_30D, SUM_7D, MIN_7D, MAX_7D, COUNT_7D',
    ],
    [
      'an aggregation carrying SQL',
      { aggregation: 'LATEST; DROP TABLE x' },
      'aggregation "LATEST; DROP TABLE x" is not one of LATEST, AVG_7D, AVG_30D, SUM_7D, MIN_7D, MAX_7D, COUNT_7D',
    ],
    [
      'a lower-case aggregation',
      { aggregation: 'latest' },
      'aggregation "latest" is not one of LATEST, AVG_7D, AVG_30D, SUM_7D, MIN_7D, MAX_7D, COUNT_7D',
    ],
    [
      'an inherited property name as aggregation',
      { aggregation: 'toString' },
      'aggregation "toString" is not one of LATEST, AVG_7D, AVG_30D, SUM_7D, MIN_7D, MAX_7D, COUNT_7D',
    ],
    ['a missing relation', { source_table: 'nope' }, 'source "fhq.nope" is not an existing table or view'],
    ['a relation in another schema', { source_schema: 'public' }, 'source "public.metrics" is not an existing table or view'],
    ['a missing column', { source_column: 'brier_score' }, 'column "brier_score" does not exist in fhq.metrics'],
    ['a text column', { source_column: 'label' }, 'column fhq.metrics.label is text; a signal must be numeric or boolean'],
    ['a missing time column', { time_column: 'created_at' }, 'time_column "created_at" does not exist in fhq.metrics'],
    ['an integer time column', { time_column: 'seq' }, 'time_column fhq.metrics.seq is integer; it must be a date or timestamp'],
    [
      'AVG_7D without time column',
      { time_column: null, aggregation: 'AVG_7D' },
      'aggregation AVG_7D needs a time_column, and fhq.metrics has none in the registry',
    ],
    [
      'AVG_7D on a boolean column',
      { source_column: 'ready', aggregation: 'AVG_7D' },
      'aggregation AVG_7D cannot apply to boolean column fhq.metrics.ready',
    ],
    [
      'a source in pg_catalog',
      { source_schema: 'pg_catalog', source_table: 'pg_class', source_column: 'relpages', time_column: null },
      'source "pg_catalog.pg_class" is in a system schema; a signal must come from an ordinary table or view',
    ],
    [
      'a value and time column the role may not read',
      { source_table: 'secret', source_column: 'score', time_column: 'at' },
      "the evaluator's role may not read fhq.secret.score and fhq.secret.at (grant it with sql/roles/02_grant_registry_sources.sql)",
    ],
    [
      'a time column the role may not read',
      { source_table: 'secret', source_column: 'visible', time_column: 'at' },
      "the evaluator's role may not read fhq.secret.at (grant it with sql/roles/02_grant_registry_sources.sql)",
    ],
  ])('refuses %s', (_name, patch, problem) => {
    expect(checkRegistryRow(row(patch), catalog)).toEqual({ problem });
  });
});
