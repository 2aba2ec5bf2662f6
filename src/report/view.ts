import { basename } from 'node:path';
import type { ReportAlertRow, ReportData, ReportHistoryRow, ReportTestRow } from '../db/report.js';
import type { Op, Scalar } from '../domain/definition.js';
import { metricsSnapshotEntrySchema } from '../domain/metricsSnapshot.js';
import { displayTestCode } from '../domain/testCode.js';
import { NEXT_STEP } from '../evaluate/alerts.js';
import { joinMd, md, trusted, type Md } from './markdown.js';
import { count, formatTarget, formatValue, knownOp, localTime, plainDecimal, scalarOf, sparkline } from './values.js';
import { decidingMetric, series, windowSummary, type MetricValues } from './window.js';

/** A row of a decision table: its cells, in column order. */
export type Cells = Md[];

/** One category of the day's decisions: a heading, an optional sentence before its table, the table. */
export interface DecisionView {
  heading: Md;
  intro: Md | null;
  header: Md;
  rule: Md;
  rows: Cells[];
}

/** One metric row of a test's Metrics Snapshot table. */
export interface MetricView {
  key: Md;
  current: Md;
  baseline: Md;
  target: Md;
  met: Md;
  trend: Md;
}

/** The Mermaid chart of the deciding metric: only generated dates and numbers. */
export interface ChartView {
  sentence: Md;
  categories: Md;
  values: Md;
  threshold: Md;
}

/** The window summary of a closing test. */
export interface SummaryView {
  sentence: Md;
  rows: Cells[];
}

/** One test: its summary row and its section. */
export interface TestView {
  attention: Md;
  test_code: Md;
  test_name: Md;
  day: Md;
  status: Md;
  escalation_state: Md;
  ceo_action_required: Md;
  verdict: Md;
  pending: Md;
  metrics: MetricView[];
  chart: ChartView | null;
  summary: SummaryView | null;
  notes: Md[];
}

/** One alert of the Alerts table. */
export interface AlertView {
  severity: Md;
  alert_type: Md;
  test_code: Md;
  title: Md;
  message: Md;
  actions: Md;
}

/** Everything the templates read: inert Markdown only. */
export interface RunbookView {
  date: Md;
  zone: Md;
  /** The one sentence of a date without any ACTIVE test; null when there are tests. */
  noTests: Md | null;
  showDecisions: boolean;
  decisions: DecisionView[];
  /** The decision categories with nothing in them, as one sentence. */
  quiet: Md | null;
  summaryLine: Md;
  tests: TestView[];
  alerts: AlertView[];
}

const DASH = trusted('—');

/** Attention groups of the summary, most urgent first. */
const GROUPS = ['SYSTEM_ERROR', 'ESCALATED', 'VERDICT REACHED', 'METRICS PENDING'] as const;

interface Parsed {
  row: ReportTestRow;
  entries: { key: string; entry: ReturnType<typeof metricsSnapshotEntrySchema.parse> | null }[];
  history: ReportHistoryRow[];
  group: number;
}

function tableHead(columns: readonly string[]): { header: Md; rule: Md } {
  return {
    header: trusted(`| ${columns.join(' | ')} |`),
    rule: trusted(`|${columns.map((c) => '-'.repeat(c.length + 2)).join('|')}|`),
  };
}

/** A test code as the report shows it: hostile codes quoted and made visible (displayTestCode), then inert. */
const code = (testCode: string | null) => (testCode === null ? trusted('(run)') : md(displayTestCode(testCode)));

function entriesOf(row: ReportTestRow): Parsed['entries'] {
  return Object.keys(row.metrics_snapshot).map((key) => {
    const parsed = metricsSnapshotEntrySchema.safeParse(row.metrics_snapshot[key]);
    return { key, entry: parsed.success ? parsed.data : null };
  });
}

function groupOf(row: ReportTestRow, entries: Parsed['entries']): number {
  if (row.escalation_state === 'SYSTEM_ERROR') return 0;
  if (row.escalation_state === 'ESCALATED') return 1;
  if (row.verdict !== 'PENDING') return 2;
  if (entries.some((e) => e.entry?.status === 'PENDING')) return 3;
  return 4;
}

function targetOf(entry: Parsed['entries'][number]['entry']): { op: Op; value: Scalar } | null {
  const op = knownOp(entry?.target?.op);
  const value = scalarOf(entry?.target?.value);
  return op !== null && value !== null ? { op, value } : null;
}

function metricView(p: Parsed, { key, entry }: Parsed['entries'][number]): MetricView {
  if (!entry) return { key: md(key), current: trusted('unreadable'), baseline: DASH, target: DASH, met: DASH, trend: DASH };
  const target = targetOf(entry);
  const value = scalarOf(entry.value);
  const current =
    entry.status === 'ERROR'
      ? joinMd([trusted('ERROR ('), md(entry.error ?? 'source failed'), trusted(')')], '')
      : value === null
        ? joinMd([trusted('PENDING ('), md(entry.pending_reason ?? 'no value'), trusted(')')], '')
        : trusted(formatValue(value, target));
  const baseline = scalarOf(entry.baseline);
  const trend = sparkline(p.history.map((h) => (Object.hasOwn(h.metric_values, key) ? scalarOf(h.metric_values[key]) : null)));
  return {
    key: md(key),
    current,
    baseline: baseline === null ? DASH : trusted(formatValue(baseline)),
    target: target ? trusted(formatTarget(target.op, target.value)) : DASH,
    met: entry.target_met === true ? trusted('✓') : entry.target_met === false ? trusted('✗') : DASH,
    trend: trend === null ? DASH : trusted(trend),
  };
}

/** A value on the chart: booleans as 1 and 0, numbers as in the tables. */
const chartNumber = (v: Scalar) => (typeof v === 'boolean' ? (v ? '1' : '0') : formatValue(v));

function chartView(p: Parsed, today: MetricValues): ChartView | null {
  const deciding = decidingMetric(p.row, today);
  if (!deciding) return null;
  const points = series(p.history, deciding.metric);
  if (points.length === 0) return null;
  const which = deciding.criteria === 'failure' ? 'failure criteria met' : 'first success condition';
  return {
    sentence: joinMd(
      [
        md(deciding.metric),
        trusted(` ${formatTarget(deciding.op, deciding.threshold)} (${which}), charted over the window against its threshold.`),
      ],
      '',
    ),
    categories: trusted(points.map((pt) => `"${pt.date.slice(5)}"`).join(', ')),
    values: trusted(points.map((pt) => chartNumber(pt.value)).join(', ')),
    threshold: trusted(
      points
        .map(() => (typeof deciding.threshold === 'number' ? plainDecimal(deciding.threshold) : chartNumber(deciding.threshold)))
        .join(', '),
    ),
  };
}

function summaryView(p: Parsed): SummaryView {
  const targets: Record<string, { op: Op; value: Scalar } | null> = {};
  for (const e of p.entries) Object.defineProperty(targets, e.key, { value: targetOf(e.entry), enumerable: true });
  const s = windowSummary(p.row, p.history, targets);
  const breach = s.firstBreach
    ? `${s.firstBreach.date}${s.firstBreach.dayNumber === null ? '' : ` (Day ${s.firstBreach.dayNumber})`}`
    : 'none';
  return {
    sentence: trusted(
      `First breach of the failure criteria: ${breach}. Days escalated: ${count(s.daysEscalated)} of ${count(s.evaluations)} evaluated.`,
    ),
    rows: s.worst.map((w) => {
      const target = targets[w.metric] ?? null;
      return [
        md(w.metric),
        w.worst ? trusted(formatValue(w.worst.value, target)) : DASH,
        w.worst ? trusted(w.worst.date) : DASH,
        target ? trusted(formatTarget(target.op, target.value)) : DASH,
        w.daysMissed === null ? DASH : trusted(count(w.daysMissed)),
      ];
    }),
  };
}

function notesOf(p: Parsed, zone: string): Md[] {
  const { row } = p;
  const start = localTime(row.start_ts, zone);
  const end = localTime(row.end_ts, zone);
  const evidence = row.evidence_path === null ? null : basename(row.evidence_path);
  return [
    ...(row.escalated_since ? [joinMd([trusted('Escalated since '), md(row.escalated_since), trusted('.')], '')] : []),
    ...(start && end ? [trusted(`Window: ${start} to ${end}.`)] : []),
    ...(row.notes && row.notes.trim() ? [md(row.notes)] : []),
    evidence === null
      ? trusted('Evidence: none.')
      : joinMd([trusted('Evidence: '), md(evidence), trusted(' (SHA-256 '), md(row.evidence_sha256 ?? '—'), trusted(').')], ''),
  ];
}

function testView(p: Parsed, escalatedToday: ReadonlySet<string>, zone: string): TestView {
  const { row } = p;
  const today: MetricValues = {};
  for (const e of p.entries) Object.defineProperty(today, e.key, { value: scalarOf(e.entry?.value), enumerable: true });
  const resolved = row.verdict !== 'PENDING';
  const pending = p.entries.filter((e) => e.entry?.status === 'PENDING').map((e) => md(e.key));
  return {
    attention: p.group < GROUPS.length ? trusted(GROUPS[p.group]!) : DASH,
    test_code: code(row.test_code),
    test_name: md(row.test_name),
    day: trusted(`${row.day_number ?? '—'} of ${row.required_days ?? '—'}`),
    status: md(row.status),
    escalation_state: md(row.escalation_state),
    ceo_action_required: trusted(String(row.ceo_action_required)),
    verdict: md(row.verdict),
    pending: pending.length ? joinMd(pending, ', ') : DASH,
    metrics: p.entries.map((e) => metricView(p, e)),
    chart: escalatedToday.has(row.test_code) || resolved ? chartView(p, today) : null,
    summary: resolved ? summaryView(p) : null,
    notes: notesOf(p, zone),
  };
}

/** An alert's test: its code, and its name when the alert names a test. */
const alertTest = (a: ReportAlertRow): Cells => [code(a.test_code), a.test_name === null ? DASH : md(a.test_name)];

function actionsOf(a: ReportAlertRow): Md {
  const list = Array.isArray(a.recommended_actions)
    ? a.recommended_actions.map((x) => md(typeof x === 'string' ? x : JSON.stringify(x)))
    : [];
  return list.length ? joinMd(list, '; ') : DASH;
}

function decisionsOf(parsed: Parsed[], data: ReportData): { decisions: DecisionView[]; quiet: Md | null } {
  const decisions: DecisionView[] = [];
  const none: string[] = [];
  const add = (heading: string, columns: string[], rows: Cells[], empty: string | null, intro: Md | null = null) => {
    if (rows.length) decisions.push({ heading: trusted(heading), intro, ...tableHead(columns), rows });
    else if (empty) none.push(empty);
  };
  const alertsOf = (type: string) => data.alerts.filter((a) => a.alert_type === type);

  add(
    'Verdicts Reached',
    ['Test Code', 'Test Name', 'Verdict', 'Next Step'],
    parsed
      .filter((p) => p.row.verdict !== 'PENDING')
      .map((p) => [
        code(p.row.test_code),
        md(p.row.test_name),
        md(p.row.verdict),
        Object.hasOwn(NEXT_STEP, p.row.verdict) ? trusted(NEXT_STEP[p.row.verdict as keyof typeof NEXT_STEP]) : DASH,
      ]),
    'no verdict reached',
  );
  add(
    'Newly Escalated',
    ['Test Code', 'Test Name', 'Severity', 'Reasons'],
    alertsOf('ESCALATION').map((a) => [...alertTest(a), md(a.severity), md(a.message)]),
    'no test newly escalated',
  );
  const failing = parsed.filter((p) => p.row.escalation_state === 'SYSTEM_ERROR');
  const isHalt = (p: Parsed) => p.row.evidence_path !== null && basename(p.row.evidence_path).startsWith('ORCHESTRATOR_HALT_');
  const halt = failing.find(isHalt);
  add(
    'In SYSTEM_ERROR',
    ['Test Code', 'Test Name', 'Cause', 'Detail'],
    failing.map((p) => [
      code(p.row.test_code),
      md(p.row.test_name),
      trusted(isHalt(p) ? 'definition refused by the fail-closed gate' : 'signal source failed'),
      md(p.row.notes ?? ''),
    ]),
    'no test in SYSTEM_ERROR',
    halt
      ? joinMd(
          [
            trusted('The run halted at the fail-closed gate: no other test was evaluated on this date. Every defect is in '),
            md(basename(halt.row.evidence_path!)),
            trusted('.'),
          ],
          '',
        )
      : null,
  );
  add(
    'Reviews Due',
    ['Test Code', 'Test Name', 'Checkpoint'],
    alertsOf('CHECKPOINT').map((a) => [...alertTest(a), md(a.message)]),
    'no review due',
  );
  const handled = new Set([
    'ESCALATION',
    'ESCALATION_CLEARED',
    'CHECKPOINT',
    'RESOLUTION',
    'METRICS_PENDING',
    'SYSTEM_ERROR',
    'SIGNAL_ERROR',
  ]);
  add(
    'Other Alerts',
    ['Severity', 'Type', 'Test Code', 'Message', 'Recommended Actions'],
    data.alerts
      .filter((a) => !handled.has(a.alert_type) && a.severity !== 'INFO')
      .map((a) => [md(a.severity), md(a.alert_type), code(a.test_code), md(a.message), actionsOf(a)]),
    null,
  );
  add(
    'Acknowledged',
    ['Test Code', 'Acknowledged By', 'Acknowledged At', 'Note'],
    (data.acknowledgements ?? []).map((k) => [
      code(k.test_code),
      md(k.acknowledged_by),
      md(localTime(k.acknowledged_at, data.zone) ?? k.acknowledged_at),
      k.note === null || k.note.trim() === '' ? DASH : md(k.note),
    ]),
    null,
  );
  if (none.length === 0) return { decisions, quiet: null };
  const list = none.length === 1 ? none[0]! : `${none.slice(0, -1).join(', ')} and ${none.at(-1)!}`;
  return { decisions, quiet: trusted(`${decisions.length ? 'Otherwise' : 'Nothing to decide'}: ${list}.`) };
}

function summaryLineOf(parsed: Parsed[]): Md {
  const byGroup = GROUPS.map((_, i) => parsed.filter((p) => p.group === i).length);
  const attention = byGroup.reduce((a, b) => a + b, 0);
  const tests = `${count(parsed.length)} test${parsed.length === 1 ? '' : 's'}`;
  if (attention === 0) return trusted(`${tests}, none needing attention.`);
  const parts = GROUPS.map((g, i) => (byGroup[i] ? `${count(byGroup[i])} ${g}` : null)).filter((x) => x !== null);
  return trusted(`${tests}, ${count(attention)} needing attention (listed first): ${parts.join(', ')}.`);
}

/**
 * The runbook's view: every value the templates print, as inert Markdown.
 * Tests are ordered by attention (SYSTEM_ERROR, ESCALATED, verdict reached,
 * metrics pending, then the rest), each group in the order of the rows.
 * Pure: the same data gives the same view.
 */
export function runbookView(data: ReportData): RunbookView {
  const historyByTest = new Map<string, ReportHistoryRow[]>();
  for (const h of data.history) {
    if (h.day_number === 0) continue;
    const list = historyByTest.get(h.test_code);
    if (list) list.push(h);
    else historyByTest.set(h.test_code, [h]);
  }
  const parsed = data.tests
    .map((row) => {
      const entries = entriesOf(row);
      const history = [...(historyByTest.get(row.test_code) ?? [])].sort((a, b) =>
        a.run_date < b.run_date ? -1 : a.run_date > b.run_date ? 1 : 0,
      );
      return { row, entries, history, group: groupOf(row, entries) };
    })
    .map((p, index) => ({ p, index }))
    .sort((a, b) => a.p.group - b.p.group || a.index - b.index)
    .map(({ p }) => p);
  const escalatedToday = new Set(data.alerts.filter((a) => a.alert_type === 'ESCALATION' && a.test_code !== null).map((a) => a.test_code!));
  const { decisions, quiet } = decisionsOf(parsed, data);
  return {
    date: md(data.date),
    zone: md(data.zone),
    noTests: parsed.length === 0 ? joinMd([trusted('No ACTIVE test on '), md(data.date), trusted(': nothing was evaluated.')], '') : null,
    showDecisions: parsed.length > 0 || decisions.length > 0,
    decisions,
    quiet: parsed.length === 0 ? null : quiet,
    summaryLine: summaryLineOf(parsed),
    tests: parsed.map((p) => testView(p, escalatedToday, data.zone)),
    alerts: data.alerts.map((a) => ({
      severity: md(a.severity),
      alert_type: md(a.alert_type),
      test_code: code(a.test_code),
      title: md(a.title),
      message: md(a.message),
      actions: actionsOf(a),
    })),
  };
}
