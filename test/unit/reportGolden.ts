/**
 * The small runbook of test/unit/report.test.ts's golden string: the close of
 * T-001 on 2026-03-31 (FAILURE: brier 0.1974 > 0.19, escalated since
 * 2026-03-29) and T-002, three days in, waiting for `ready`.
 */
import type { ReportData } from '../../src/db/report.js';
import { alert, data, entry, row } from '../fixtures/report.js';

const day = (run_date: string, day_number: number, brier: number | null, escalated: boolean) => ({
  test_code: 'T-001',
  run_date,
  day_number,
  escalation_state: escalated ? 'ESCALATED' : 'NONE',
  metric_values: { brier },
});

export const GOLDEN: ReportData = data({
  date: '2026-03-31',
  tests: [
    row({
      test_code: 'T-002',
      test_name: 'Bridge readiness',
      day_number: 3,
      metrics_snapshot: { ready: entry(null) },
      notes: 'Metrics pending: ready (no row at or before the as-of instant).',
      evidence_path: '/srv/canonical/evidence/ORCHESTRATOR_T-002_20260331.json',
      evidence_sha256: 'b'.repeat(64),
      start_ts: '2026-03-28T23:00:00.000Z',
      end_ts: '2026-04-27T21:59:59.000Z',
    }),
    row({
      day_number: 30,
      status: 'RESOLVED',
      escalation_state: 'ESCALATED',
      ceo_action_required: true,
      verdict: 'FAILURE',
      metrics_snapshot: {
        brier: entry(0.19737777777777776, { baseline: 0.0000444444, target: { op: '<=', value: 0.05 }, target_met: false }),
      },
      escalated_since: '2026-03-29',
      notes: 'Window closed 2026-03-30 23:59 Europe/Oslo: verdict FAILURE, evaluated as of the close. Roll back the change.',
      evidence_path: '/srv/canonical/evidence/ORCHESTRATOR_T-001_20260331.json',
      evidence_sha256: 'a'.repeat(64),
      baseline_definition: { brier: 0.0000444444 },
      success_criteria: { all: [{ metric: 'brier', op: '<=', value: 0.05 }] },
      failure_criteria: { any: [{ metric: 'brier', op: '>', value: 0.19 }] },
    }),
  ],
  alerts: [
    alert({
      alert_type: 'RESOLUTION',
      severity: 'CRITICAL',
      title: 'T-001: window closed, verdict FAILURE',
      message: 'Evaluated as of the close (2026-03-30 23:59 Europe/Oslo): success criteria NOT_MET, failure criteria MET.',
      recommended_actions: ['Roll back the change: the failure criteria held at the close of the window'],
    }),
    alert({
      test_code: 'T-002',
      test_name: 'Bridge readiness',
      alert_type: 'METRICS_PENDING',
      title: 'T-002: 1 metric(s) pending',
      message: 'ready: no row at or before the as-of instant',
      recommended_actions: ['Check that the source tables named in test_signal_registry are being loaded'],
    }),
  ],
  history: [
    day('2026-03-26', 26, 0.18, false),
    day('2026-03-27', 27, 0.18, false),
    day('2026-03-28', 28, null, false),
    day('2026-03-29', 29, 0.2, true),
    day('2026-03-30', 30, 0.21, true),
    day('2026-03-31', 30, 0.19737777777777776, true),
    ...['2026-03-29', '2026-03-30', '2026-03-31'].map((run_date, i) => ({
      test_code: 'T-002',
      run_date,
      day_number: i + 1,
      escalation_state: 'NONE',
      metric_values: { ready: null },
    })),
  ],
});
