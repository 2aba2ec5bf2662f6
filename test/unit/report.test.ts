import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../src/db/report.js';
import { renderReport } from '../../src/execute/report.js';

const data: ReportData = {
  date: '2026-03-29',
  tests: [
    {
      test_code: 'EC-022',
      test_name: 'Context lift | v2',
      day_number: 29,
      required_days: 30,
      status: 'ACTIVE',
      escalation_state: 'NONE',
      ceo_action_required: false,
      metrics_snapshot: {
        brier_score: { value: 0.241, status: 'AVAILABLE', pending_reason: null, baseline: 0.25, target: { op: '<=', value: 0.245 } },
        lvi: { value: null, status: 'PENDING', pending_reason: 'no row at or before the as-of instant', baseline: null, target: null },
      },
      verdict: 'PENDING',
      notes: 'Metrics pending: lvi (no row at or before the as-of instant).',
      evidence_path: '/e/ORCHESTRATOR_EC-022_20260329.json',
      evidence_sha256: 'abc123',
    },
    {
      test_code: 'EC-023',
      test_name: 'Bridge readiness',
      day_number: 31,
      required_days: 30,
      status: 'RESOLVED',
      escalation_state: 'ESCALATED',
      ceo_action_required: true,
      metrics_snapshot: {
        ready: { value: true, status: 'AVAILABLE', pending_reason: null, baseline: false, target: { op: '==', value: true } },
      },
      verdict: 'FAILURE',
      notes: null,
      evidence_path: null,
      evidence_sha256: null,
    },
  ],
  alerts: [
    {
      test_code: 'EC-023',
      severity: 'CRITICAL',
      alert_type: 'ESCALATION',
      title: 'EC-023: escalated | now',
      recommended_actions: ['Roll back', 'Call owner'],
    },
  ],
};

describe('renderReport', () => {
  const text = renderReport(data);

  it('renders the section of a test with a pending metric', () => {
    expect(text).toContain(
      [
        '## CANONICAL TEST: Context lift | v2',
        '',
        '| Field | Value |',
        '|-------|-------|',
        '| Test Code | EC-022 |',
        '| Day | 29 of 30 |',
        '| Status | ACTIVE |',
        '| Escalation | NONE |',
        '| CEO Action Required | false |',
        '',
        '### Metrics Snapshot',
        '- brier_score: 0.241 (baseline: 0.25, target: <= 0.245)',
        '- lvi: PENDING (no row at or before the as-of instant) (baseline: —, target: —)',
        '',
        '### Verdict',
        'PENDING',
        '',
      ].join('\n'),
    );
  });

  it('renders the resolved test with its verdict and empty notes and evidence', () => {
    expect(text).toContain(
      [
        '## CANONICAL TEST: Bridge readiness',
        '',
        '| Field | Value |',
        '|-------|-------|',
        '| Test Code | EC-023 |',
        '| Day | 31 of 30 |',
        '| Status | RESOLVED |',
        '| Escalation | ESCALATED |',
        '| CEO Action Required | true |',
        '',
        '### Metrics Snapshot',
        '- ready: true (baseline: false, target: == true)',
        '',
        '### Verdict',
        'FAILURE',
        '',
        '### Notes',
        '',
        '',
        'Evidence: `—` (SHA-256 `—`)',
      ].join('\n'),
    );
  });

  it('has one summary row per test, escaping | in cells', () => {
    expect(text).toContain(
      [
        '| Test Code | Test Name | Day | Status | Escalation | CEO Action Required | Verdict | Pending Metrics |',
        '|-----------|-----------|-----|--------|------------|---------------------|---------|-----------------|',
        '| EC-022 | Context lift \\| v2 | 29 of 30 | ACTIVE | NONE | false | PENDING | lvi |',
        '| EC-023 | Bridge readiness | 31 of 30 | RESOLVED | ESCALATED | true | FAILURE | — |',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('| Context lift | v2 |');
  });

  it('lists the alerts with escaped title and joined actions', () => {
    expect(text).toContain('| CRITICAL | ESCALATION | EC-023 | EC-023: escalated \\| now | Roll back; Call owner |\n');
  });

  it('starts with the title and counts, and is not halted', () => {
    expect(text.startsWith('# Canonical Test Runbook — 2026-03-29\n\nRun date 2026-03-29: 2 test(s) evaluated, 1 alert(s).')).toBe(true);
    expect(text).not.toContain('RUN HALTED');
  });

  it('renders the same bytes twice', () => {
    expect(renderReport(structuredClone(data))).toBe(text);
  });

  it('says so when there are no alerts, and flags a halt by its evidence file', () => {
    const halted = renderReport({
      date: '2026-03-29',
      tests: [
        { ...data.tests[1]!, escalation_state: 'SYSTEM_ERROR', metrics_snapshot: {}, evidence_path: '/e/ORCHESTRATOR_HALT_20260329.json' },
      ],
      alerts: [],
    });
    expect(halted).toContain('No alerts for this date.');
    expect(halted).toContain('- none recorded\n');
    expect(halted).toContain('> **RUN HALTED by the fail-closed gate.**');
    expect(halted).toContain('in `ORCHESTRATOR_HALT_20260329.json`.');
  });
});

describe('renderReport with a test code the gate refused', () => {
  it('shows the code quoted and escaped, so it cannot start a forged line', () => {
    const hostile = 'EC-9\n## CANONICAL TEST: forged';
    const text = renderReport({
      date: '2026-03-29',
      tests: [{ ...data.tests[0]!, test_code: hostile, escalation_state: 'SYSTEM_ERROR' }],
      alerts: [{ test_code: hostile, severity: 'CRITICAL', alert_type: 'SYSTEM_ERROR', title: 'halted', recommended_actions: [] }],
    });
    expect(text).toContain('| Test Code | "EC-9\\u{A}## CANONICAL TEST: forged" |');
    expect(text.split('\n').filter((line) => line.startsWith('## CANONICAL TEST: forged'))).toEqual([]);
  });
});
