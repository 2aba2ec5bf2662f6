import { describe, expect, it } from 'vitest';
import { groupHistory } from '../../src/db/report.js';
import { renderReport } from '../../src/execute/report.js';
import { alert, daily, data, entry, row } from '../fixtures/report.js';
import { GOLDEN } from '../fixtures/reportGolden.js';

/** The section of one test: from its heading up to the next test's heading or the alerts. */
function section(text: string, name: string): string {
  const start = text.indexOf(`## CANONICAL TEST: ${name}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = text.slice(start + 1);
  const end = rest.search(/\n## /);
  return text.slice(start, start + 1 + (end < 0 ? rest.length : end + 1));
}

describe('renderReport: the golden runbook', () => {
  it('renders a small runbook exactly', () => {
    expect(renderReport(GOLDEN)).toBe(
      [
        '# Canonical Test Runbook — 2026-03-31 (Europe/Oslo)',
        '',
        '## Decisions',
        '',
        '### Verdicts Reached',
        '',
        '| Test Code | Test Name | Verdict | Next Step |',
        '|-----------|-----------|---------|-----------|',
        '| T-001 | Forecast pipeline change | FAILURE | Roll back the change: the failure criteria held at the close of the window |',
        '',
        'Otherwise: no test newly escalated, no test in SYSTEM_ERROR and no review due.',
        '',
        '## Summary',
        '',
        '2 tests, 2 needing attention (listed first): 1 ESCALATED, 1 METRICS PENDING.',
        '',
        '| Attention | Test Code | Test Name | Day | Status | Escalation | CEO Action Required | Verdict | Pending Metrics |',
        '|-----------|-----------|-----------|-----|--------|------------|---------------------|---------|-----------------|',
        '| ESCALATED | T-001 | Forecast pipeline change | 30 of 30 | RESOLVED | ESCALATED | true | FAILURE | — |',
        '| METRICS PENDING | T-002 | Bridge readiness | 3 of 30 | ACTIVE | NONE | false | PENDING | ready |',
        '',
        '## CANONICAL TEST: Forecast pipeline change',
        '',
        '| Field | Value |',
        '|-------|-------|',
        '| Test Code | T-001 |',
        '| Day | 30 of 30 |',
        '| Status | RESOLVED |',
        '| Escalation | ESCALATED |',
        '| CEO Action Required | true |',
        '',
        '### Metrics Snapshot',
        '| Metric | Current | Baseline | Target | Met | Trend |',
        '|--------|---------|----------|--------|-----|-------|',
        '| brier | 0.1974 | 0.00004444 | <= 0.05 | ✗ | ▁▁·▆█▅ |',
        '',
        '### Verdict',
        'FAILURE',
        '',
        '### Deciding Metric',
        'brier > 0.19 (failure criteria met), charted over the window against its threshold.',
        '',
        '```mermaid',
        'xychart-beta',
        '    title "Deciding metric and its threshold"',
        '    x-axis ["03-26", "03-27", "03-29", "03-30", "03-31"]',
        '    y-axis "value"',
        '    line [0.18, 0.18, 0.2, 0.21, 0.1974]',
        '    line [0.19, 0.19, 0.19, 0.19, 0.19]',
        '```',
        '',
        '### Window Summary',
        'First breach of the failure criteria: 2026-03-29 (Day 29). Days escalated: 3 of 6 evaluated.',
        '',
        '| Metric | Worst | On | Target | Days Target Missed |',
        '|--------|-------|----|--------|--------------------|',
        '| brier | 0.21 | 2026-03-30 | <= 0.05 | 5 |',
        '',
        '### Notes',
        '- Escalated since 2026-03-29.',
        '- Window: 2026-03-01 00:00 to 2026-03-30 23:59.',
        '- Window closed 2026-03-30 23:59 Europe/Oslo: verdict FAILURE, evaluated as of the close. Roll back the change.',
        '- Evidence: ORCHESTRATOR_T-001_20260331.json (SHA-256 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa).',
        '',
        '## CANONICAL TEST: Bridge readiness',
        '',
        '| Field | Value |',
        '|-------|-------|',
        '| Test Code | T-002 |',
        '| Day | 3 of 30 |',
        '| Status | ACTIVE |',
        '| Escalation | NONE |',
        '| CEO Action Required | false |',
        '',
        '### Metrics Snapshot',
        '| Metric | Current | Baseline | Target | Met | Trend |',
        '|--------|---------|----------|--------|-----|-------|',
        '| ready | PENDING (no row at or before the as-of instant) | — | — | — | — |',
        '',
        '### Verdict',
        'PENDING',
        '',
        '### Notes',
        '- Window: 2026-03-29 00:00 to 2026-04-27 23:59.',
        '- Metrics pending: ready (no row at or before the as-of instant).',
        '- Evidence: ORCHESTRATOR_T-002_20260331.json (SHA-256 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb).',
        '',
        '## Alerts',
        '',
        '| Severity | Type | Test | Title | Message | Recommended Actions |',
        '|----------|------|------|-------|---------|---------------------|',
        '| CRITICAL | RESOLUTION | T-001 | T-001: window closed, verdict FAILURE | Evaluated as of the close (2026-03-30 23:59 Europe/Oslo): success criteria NOT_MET, failure criteria MET. | Roll back the change: the failure criteria held at the close of the window |',
        '| WARNING | METRICS_PENDING | T-002 | T-002: 1 metric(s) pending | ready: no row at or before the as-of instant | Check that the source tables named in test_signal_registry are being loaded |',
        '',
      ].join('\n'),
    );
  });

  it('renders the same bytes for the same rows, in whatever order the history arrives', () => {
    const text = renderReport(GOLDEN);
    expect(renderReport(structuredClone(GOLDEN))).toBe(text);
    expect(renderReport({ ...GOLDEN, history: groupHistory([...GOLDEN.history.values()].flat().reverse()) })).toBe(text);
  });
});

describe('renderReport: the decisions come first', () => {
  it('says there is nothing to decide on a quiet day, before any table', () => {
    const text = renderReport(data({ tests: [row()], history: daily('T-001', { brier: [0.21], ready: [true] }, () => false, 10) }));
    expect(
      text.startsWith(
        [
          '# Canonical Test Runbook — 2026-03-10 (Europe/Oslo)',
          '',
          '## Decisions',
          '',
          'Nothing to decide: no verdict reached, no test newly escalated, no test in SYSTEM_ERROR and no review due.',
          '',
          '## Summary',
          '',
          '1 test, none needing attention.',
          '',
        ].join('\n'),
      ),
    ).toBe(true);
  });

  it('lists tests newly escalated, with the reasons of the ESCALATION alert', () => {
    const text = renderReport(
      data({
        tests: [row({ escalation_state: 'ESCALATED', ceo_action_required: true, escalated_since: '2026-03-10' })],
        alerts: [
          alert({
            alert_type: 'ESCALATION',
            severity: 'CRITICAL',
            title: 'T-001: escalated to the CEO',
            message: 'failure criteria met: brier > 0.3 (current 0.35) (escalated since 2026-03-10)',
          }),
        ],
      }),
    );
    expect(text).toContain(
      [
        '## Decisions',
        '',
        '### Newly Escalated',
        '',
        '| Test Code | Test Name | Severity | Reasons |',
        '|-----------|-----------|----------|---------|',
        '| T-001 | Forecast pipeline change | CRITICAL | failure criteria met: brier > 0.3 (current 0.35) (escalated since 2026-03-10) |',
        '',
        'Otherwise: no verdict reached, no test in SYSTEM_ERROR and no review due.',
        '',
        '## Summary',
      ].join('\n'),
    );
  });

  it('lists a halt and a failing source under SYSTEM_ERROR, naming the halt file', () => {
    const text = renderReport(
      data({
        tests: [
          row({
            test_code: 'T-B',
            day_number: null,
            escalation_state: 'SYSTEM_ERROR',
            ceo_action_required: true,
            metrics_snapshot: {},
            notes: 'Run halted by the fail-closed gate: T-B: failure_criteria: is missing',
            evidence_path: '/srv/e/ORCHESTRATOR_HALT_20260310.json',
          }),
          row({
            test_code: 'T-S',
            escalation_state: 'SYSTEM_ERROR',
            ceo_action_required: true,
            metrics_snapshot: { brier: { ...entry(null), status: 'ERROR', pending_reason: null, error: 'division by zero' } },
            notes: 'Not evaluated: signal brier (fixture.broken) failed: division by zero.',
          }),
        ],
      }),
    );
    expect(text).toContain(
      [
        '### In SYSTEM_ERROR',
        '',
        'The run halted at the fail-closed gate: no other test was evaluated on this date. Every defect is in ORCHESTRATOR_HALT_20260310.json.',
        '',
        '| Test Code | Test Name | Cause | Detail |',
        '|-----------|-----------|-------|--------|',
        '| T-B | Forecast pipeline change | definition refused by the fail-closed gate | Run halted by the fail-closed gate: T-B: failure_criteria: is missing |',
        '| T-S | Forecast pipeline change | signal source failed | Not evaluated: signal brier (fixture.broken) failed: division by zero. |',
        '',
        'Otherwise: no verdict reached, no test newly escalated and no review due.',
      ].join('\n'),
    );
    expect(section(text, 'Forecast pipeline change')).toContain('| Day | — of 30 |\n');
    expect(text).toContain('### Metrics Snapshot\nNo metric recorded.\n\n### Verdict\nPENDING\n');
    expect(text).toContain('| brier | ERROR (division by zero) | — | — | — | — |\n');
  });

  it('lists reviews due from the CHECKPOINT alerts, and run-level alerts such as MISSED_RUN', () => {
    const text = renderReport(
      data({
        tests: [row()],
        alerts: [
          alert({
            test_code: null,
            test_name: null,
            alert_type: 'MISSED_RUN',
            title: '2 day(s) without a completed run',
            message: 'No completed run for: 2026-03-08, 2026-03-09.',
            recommended_actions: ['canonical-tests run --catch-up'],
          }),
          alert({
            alert_type: 'CHECKPOINT',
            title: 'T-001: mid-test checkpoint reached',
            message:
              'Checkpoint 2026-03-10 06:00 Europe/Oslo reached: Day 10 of 30, 20 day(s) remaining. brier 0.21 (target <= 0.24: met).',
          }),
        ],
      }),
    );
    expect(text).toContain(
      [
        '### Reviews Due',
        '',
        '| Test Code | Test Name | Checkpoint |',
        '|-----------|-----------|------------|',
        '| T-001 | Forecast pipeline change | Checkpoint 2026-03-10 06:00 Europe/Oslo reached: Day 10 of 30, 20 day(s) remaining. brier 0.21 (target <= 0.24: met). |',
        '',
        '### Other Alerts',
        '',
        '| Severity | Type | Test Code | Message | Recommended Actions |',
        '|----------|------|-----------|---------|---------------------|',
        '| WARNING | MISSED_RUN | (run) | No completed run for: 2026-03-08, 2026-03-09. | canonical-tests run --catch-up |',
        '',
        'Otherwise: no verdict reached, no test newly escalated and no test in SYSTEM_ERROR.',
      ].join('\n'),
    );
    expect(text).toContain(
      '| WARNING | MISSED_RUN | (run) | 2 day(s) without a completed run | No completed run for: 2026-03-08, 2026-03-09. | canonical-tests run --catch-up |\n',
    );
  });

  it('renders acknowledgements of the date with their time in the zone, and says nothing of them when there are none', () => {
    const acknowledged = data({
      tests: [row()],
      acknowledgements: [
        {
          test_code: 'T-001',
          acknowledged_by: 'Kari Nordmann',
          acknowledged_at: '2026-03-10T08:15:00.000Z',
          note: 'Reviewed with the owner.',
        },
        { test_code: 'T-001', acknowledged_by: 'ceo-office', acknowledged_at: '2026-03-10T22:30:00.000Z', note: null },
      ],
    });
    expect(renderReport(acknowledged)).toContain(
      [
        '### Acknowledged',
        '',
        '| Test Code | Acknowledged By | Acknowledged At | Note |',
        '|-----------|-----------------|-----------------|------|',
        '| T-001 | Kari Nordmann | 2026-03-10 09:15 | Reviewed with the owner. |',
        '| T-001 | ceo-office | 2026-03-10 23:30 | — |',
        '',
      ].join('\n'),
    );
    for (const none of [data({ tests: [row()] }), data({ tests: [row()], acknowledgements: [] })]) {
      expect(renderReport(none)).not.toMatch(/acknowledg/i);
    }
  });

  it('says in one sentence that a date has no ACTIVE test', () => {
    expect(renderReport(data())).toBe(
      [
        '# Canonical Test Runbook — 2026-03-10 (Europe/Oslo)',
        '',
        'No ACTIVE test on 2026-03-10: nothing was evaluated.',
        '',
        '## Alerts',
        '',
        'No alerts for this date.',
        '',
      ].join('\n'),
    );
  });
});

describe('renderReport: the summary', () => {
  const tests = [
    row({ test_code: 'REST-1' }),
    row({ test_code: 'PEND-1', metrics_snapshot: { brier: entry(null) } }),
    row({ test_code: 'DONE-1', status: 'RESOLVED', verdict: 'SUCCESS' }),
    row({ test_code: 'ESC-1', escalation_state: 'ESCALATED' }),
    row({ test_code: 'ERR-1', escalation_state: 'SYSTEM_ERROR', metrics_snapshot: {} }),
    row({ test_code: 'REST-2' }),
    row({ test_code: 'ESC-2', escalation_state: 'ESCALATED', status: 'RESOLVED', verdict: 'FAILURE' }),
  ];

  it('lists tests needing attention first: SYSTEM_ERROR, ESCALATED, verdict reached, metrics pending, then the rest', () => {
    const text = renderReport(data({ tests }));
    const rows = text.split('\n').filter((line) => /^\| (SYSTEM_ERROR|ESCALATED|VERDICT REACHED|METRICS PENDING|—) \|/.test(line));
    expect(rows.map((line) => line.split(' | ').slice(0, 2).join(' | '))).toEqual([
      '| SYSTEM_ERROR | ERR-1',
      '| ESCALATED | ESC-1',
      '| ESCALATED | ESC-2',
      '| VERDICT REACHED | DONE-1',
      '| METRICS PENDING | PEND-1',
      '| — | REST-1',
      '| — | REST-2',
    ]);
    expect(text).toContain(
      '7 tests, 5 needing attention (listed first): 1 SYSTEM_ERROR, 2 ESCALATED, 1 VERDICT REACHED, 1 METRICS PENDING.\n',
    );
    expect(text).toContain(
      '| METRICS PENDING | PEND-1 | Forecast pipeline change | 10 of 30 | ACTIVE | NONE | false | PENDING | brier |\n',
    );
    // The sections follow the same order.
    const codes = [...text.matchAll(/^\| Test Code \| ([^|]+) \|$/gm)].map((m) => m[1]);
    expect(codes).toEqual(['ERR-1', 'ESC-1', 'ESC-2', 'DONE-1', 'PEND-1', 'REST-1', 'REST-2']);
  });

  it('counts thousands of tests with separators', () => {
    const many = Array.from({ length: 2500 }, (_, i) => row({ test_code: `T-${String(i).padStart(4, '0')}` }));
    const text = renderReport(data({ tests: many }));
    expect(text).toContain('\n2,500 tests, none needing attention.\n');
    expect(text.split('\n').filter((line) => line.startsWith('## CANONICAL TEST: '))).toHaveLength(2500);
  });
});

describe('renderReport: a test section', () => {
  it('rounds values to 4 significant digits, flags the target with ✓ or ✗, and draws the trend', () => {
    const text = renderReport(
      data({
        tests: [
          row({
            metrics_snapshot: {
              brier_score: entry(0.19737777777777776, { baseline: 0.0000444444, target: { op: '<=', value: 0.05 }, target_met: false }),
              lift: entry(123456.789, { baseline: 100000, target: { op: '>=', value: 100000 }, target_met: true }),
              tiny: entry(1.23456e-7),
              ready: entry(true, { baseline: false, target: { op: '==', value: true }, target_met: true }),
            },
          }),
        ],
        history: daily('T-001', {
          brier_score: [...Array<number>(22).fill(0.0001), 0.19737777777777776],
          lift: [...Array<number>(22).fill(123456.789), 123456.789],
          ready: [...Array<boolean>(21).fill(false), null, true],
        }),
      }),
    );
    expect(text).toContain(
      [
        '### Metrics Snapshot',
        '| Metric | Current | Baseline | Target | Met | Trend |',
        '|--------|---------|----------|--------|-----|-------|',
        '| brier_score | 0.1974 | 0.00004444 | <= 0.05 | ✗ | ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁█ |',
        '| lift | 123500 | 100000 | >= 100000 | ✓ | ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄ |',
        '| tiny | 0.0000001235 | — | — | — | — |',
        '| ready | true | false | == true | ✓ | ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁·█ |',
        '',
      ].join('\n'),
    );
  });

  it('shows more digits when 4 would hide which side of the target a value is on', () => {
    const text = renderReport(
      data({ tests: [row({ metrics_snapshot: { brier: entry(0.0500001, { target: { op: '<=', value: 0.05 }, target_met: false }) } })] }),
    );
    expect(text).toContain('| brier | 0.0500001 | — | <= 0.05 | ✗ | — |\n');
  });

  it('keeps the notes, the escalation since, the window in the zone and the evidence file relative to the evidence folder', () => {
    const text = renderReport(
      data({
        zone: 'America/New_York',
        tests: [
          row({
            escalation_state: 'ESCALATED',
            escalated_since: '2026-03-08',
            notes:
              'All metrics available. Escalated since 2026-03-08 (still holds; already alerted): failure criteria met: brier > 0.3 (current 0.35).',
          }),
        ],
      }),
    );
    expect(text.startsWith('# Canonical Test Runbook — 2026-03-10 (America/New_York)\n')).toBe(true);
    expect(text).toContain(
      [
        '### Notes',
        '- Escalated since 2026-03-08.',
        '- Window: 2026-02-28 18:00 to 2026-03-30 17:59.',
        '- All metrics available. Escalated since 2026-03-08 (still holds; already alerted): failure criteria met: brier > 0.3 (current 0.35).',
        `- Evidence: ORCHESTRATOR_T-001_20260310.json (SHA-256 ${'0'.repeat(64)}).`,
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('/srv/canonical');
    expect(renderReport(data({ tests: [row({ evidence_path: null, evidence_sha256: null, notes: null })] }))).toContain(
      '### Notes\n- Window: 2026-03-01 00:00 to 2026-03-30 23:59.\n- Evidence: none.\n',
    );
  });

  it('charts the deciding metric only on a day the test escalates or resolves', () => {
    const history = daily('T-001', { brier: [0.2, 0.2, 0.35], ready: [true, true, true] }, (d) => d === 3);
    const escalated = row({ day_number: 3, escalation_state: 'ESCALATED', metrics_snapshot: { brier: entry(0.35), ready: entry(true) } });
    const onTheDay = renderReport(
      data({ date: '2026-03-03', tests: [escalated], history, alerts: [alert({ alert_type: 'ESCALATION', severity: 'CRITICAL' })] }),
    );
    expect(onTheDay).toContain(
      [
        '### Verdict',
        'PENDING',
        '',
        '### Deciding Metric',
        'brier > 0.3 (failure criteria met), charted over the window against its threshold.',
        '',
        '```mermaid',
        'xychart-beta',
        '    title "Deciding metric and its threshold"',
        '    x-axis ["03-01", "03-02", "03-03"]',
        '    y-axis "value"',
        '    line [0.2, 0.2, 0.35]',
        '    line [0.3, 0.3, 0.3]',
        '```',
        '',
        '### Notes',
      ].join('\n'),
    );
    // The day after: still escalated, no new ESCALATION alert, no chart.
    const dayAfter = renderReport(data({ date: '2026-03-04', tests: [escalated], history }));
    expect(dayAfter).not.toContain('```mermaid');
    expect(dayAfter).not.toContain('### Window Summary');
  });

  it('at a SUCCESS close charts the first success condition (its baseline-relative threshold) and summarises the window', () => {
    const text = renderReport(
      data({
        date: '2026-03-31',
        tests: [row({ day_number: 30, status: 'RESOLVED', verdict: 'SUCCESS', ceo_action_required: true })],
        history: [
          ...daily('T-001', { brier: [0.26, 0.22, 0.21], ready: [false, true, true] }, () => false, 28),
          ...daily('T-001', { brier: [0.21], ready: [true] }, () => false, 31),
        ],
      }),
    );
    expect(text).toContain(
      [
        '### Deciding Metric',
        'brier <= 0.24 (first success condition), charted over the window against its threshold.',
        '',
        '```mermaid',
        'xychart-beta',
        '    title "Deciding metric and its threshold"',
        '    x-axis ["03-28", "03-29", "03-30", "03-31"]',
        '    y-axis "value"',
        '    line [0.26, 0.22, 0.21, 0.21]',
        '    line [0.24, 0.24, 0.24, 0.24]',
        '```',
        '',
        '### Window Summary',
        'First breach of the failure criteria: none. Days escalated: 0 of 4 evaluated.',
        '',
        '| Metric | Worst | On | Target | Days Target Missed |',
        '|--------|-------|----|--------|--------------------|',
        '| brier | 0.26 | 2026-03-28 | <= 0.24 | 1 |',
        '| ready | false | 2026-03-28 | — | — |',
        '',
        '### Notes',
      ].join('\n'),
    );
  });

  it('draws no chart and no criteria-based summary for a definition it cannot read', () => {
    const text = renderReport(
      data({
        tests: [row({ status: 'RESOLVED', verdict: 'INCONCLUSIVE', success_criteria: null, failure_criteria: { any: 'x' } })],
        history: daily('T-001', { brier: [0.21] }, () => false, 10),
      }),
    );
    expect(text).not.toContain('```mermaid');
    expect(text).toContain('First breach of the failure criteria: none. Days escalated: 0 of 1 evaluated.\n');
    expect(text).toContain('| ready | — | — | — | — |\n');
  });
});

describe('renderReport with a test code the gate refused', () => {
  it('shows the code quoted, its control characters visible and escaped, so it cannot start a forged line', () => {
    const hostile = 'EC-9\n## CANONICAL TEST: forged';
    const text = renderReport(
      data({
        tests: [row({ test_code: hostile, escalation_state: 'SYSTEM_ERROR' })],
        alerts: [alert({ test_code: hostile, severity: 'CRITICAL', alert_type: 'SYSTEM_ERROR', title: 'halted' })],
      }),
    );
    expect(text).toContain('| Test Code | "EC-9\\\\u\\{A\\}\\#\\# CANONICAL TEST: forged" |\n');
    expect(text.split('\n').filter((line) => line.startsWith('## CANONICAL TEST: forged'))).toEqual([]);
  });
});
