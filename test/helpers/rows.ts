import type { TestRow } from '../../src/domain/testRow.js';
import type { CatalogColumn, RegistryRow } from '../../src/domain/registry.js';

/** Test ids used by the pure-module tests. */
export const ID_A = '00000000-0000-4000-8000-00000000000a';
export const ID_B = '00000000-0000-4000-8000-00000000000b';

/**
 * A hand-made `canonical_test_events` row (never evaluated): window
 * 2026-03-01 → 2026-03-31 UTC, baseline brier_score 0.25; success:
 * brier_score <= baseline - 0.005; failure: ready == false.
 */
export function testRow(patch: Partial<TestRow> = {}): TestRow {
  return {
    test_id: ID_A,
    test_code: 'EC-022',
    test_name: 'Context lift',
    status: 'ACTIVE',
    start_ts: '2026-03-01T05:00:00.000Z',
    end_ts: '2026-03-31T04:00:00.000Z',
    required_days: 30,
    mid_test_checkpoint: null,
    baseline_definition: { brier_score: 0.25 },
    target_metrics: { brier_score: { op: '<=', value: 0.24 } },
    success_criteria: { all: [{ metric: 'brier_score', op: '<=', baseline_delta: -0.005 }] },
    failure_criteria: { any: [{ metric: 'ready', op: '==', value: false }] },
    escalation_path: { owner: 'CEO', notify: ['ceo@example.com'] },
    days_elapsed: null,
    days_remaining: null,
    is_overdue: null,
    escalation_state: 'NONE',
    ceo_action_required: false,
    verdict: 'PENDING',
    resolved_at: null,
    last_evaluated_date: null,
    ...patch,
  };
}

/** A LATEST registry row on `fhq.metrics` (time column `measured_at`). */
export const reg = (signal_key: string, source_column: string): RegistryRow => ({
  signal_key,
  source_schema: 'fhq',
  source_table: 'metrics',
  source_column,
  time_column: 'measured_at',
  aggregation: 'LATEST',
  description: null,
});

/** The catalog of `fhq.metrics`: numeric `brier`, boolean `ready`, timestamptz `measured_at`. */
export const catalog: CatalogColumn[] = [
  { schema: 'fhq', relation: 'metrics', column: 'brier', type: 'double precision', category: 'N', readable: true },
  { schema: 'fhq', relation: 'metrics', column: 'ready', type: 'boolean', category: 'B', readable: true },
  { schema: 'fhq', relation: 'metrics', column: 'measured_at', type: 'timestamp with time zone', category: 'D', readable: true },
];

/** Registry rows `brier_score` → brier and `ready` → ready, with their catalog. */
export const registry = { rows: [reg('brier_score', 'brier'), reg('ready', 'ready')], catalog };
