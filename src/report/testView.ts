import { basename } from 'node:path';
import type { Op, Scalar } from '../domain/definition.js';
import { joinMd, md, trusted, type Md } from './markdown.js';
import { code, DASH, GROUPS, targetOf, type IndexedTest, type ParsedTest, type ReportTestHead } from './parsedTest.js';
import { count, formatTarget, formatValue, localTime, plainDecimal, scalarOf, sparkline, SPARKLINE_MAX } from './values.js';
import { decidingMetric, series, windowSummary, type MetricValues } from './window.js';

/** A row of a table: its cells, in column order. */
export type Cells = Md[];

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

/** The cells of a test's summary row and section that come from its head columns. */
export interface TestHeadView {
  test_code: Md;
  test_name: Md;
  day: Md;
  status: Md;
  escalation_state: Md;
  ceo_action_required: Md;
  verdict: Md;
}

/** One test's row of the summary table. */
export interface SummaryRowView extends TestHeadView {
  attention: Md;
  pending: Md;
}

/** One test's section. */
export interface TestView extends TestHeadView {
  metrics: MetricView[];
  chart: ChartView | null;
  summary: SummaryView | null;
  notes: Md[];
}

function metricView(p: ParsedTest, { key, entry }: ParsedTest['entries'][number]): MetricView {
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
  // Only the rows the sparkline can show, plus one so it still marks the older ones with `…`.
  const recent = p.history.slice(-(SPARKLINE_MAX + 1));
  const trend = sparkline(recent.map((h) => (Object.hasOwn(h.metric_values, key) ? scalarOf(h.metric_values[key]) : null)));
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

function chartView(p: ParsedTest, today: MetricValues): ChartView | null {
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

function summaryView(p: ParsedTest): SummaryView {
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

function notesOf(p: ParsedTest, zone: string): Md[] {
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

function headCells(row: ReportTestHead): TestHeadView {
  return {
    test_code: code(row.test_code),
    test_name: md(row.test_name),
    day: trusted(`${row.day_number ?? '—'} of ${row.required_days ?? '—'}`),
    status: md(row.status),
    escalation_state: md(row.escalation_state),
    ceo_action_required: trusted(String(row.ceo_action_required)),
    verdict: md(row.verdict),
  };
}

/** One test's row of the summary table: its attention group and its pending metrics. */
export function summaryRowView(t: IndexedTest): SummaryRowView {
  return {
    attention: t.group < GROUPS.length ? trusted(GROUPS[t.group]!) : DASH,
    ...headCells(t.row),
    pending: t.pending.length ? joinMd(t.pending.map(md), ', ') : DASH,
  };
}

/** The section of one test; its chart only when it escalated today or reached a verdict. */
export function testView(p: ParsedTest, escalatedToday: ReadonlySet<string>, zone: string): TestView {
  const { row } = p;
  const today: MetricValues = {};
  for (const e of p.entries) Object.defineProperty(today, e.key, { value: scalarOf(e.entry?.value), enumerable: true });
  const resolved = row.verdict !== 'PENDING';
  return {
    ...headCells(row),
    metrics: p.entries.map((e) => metricView(p, e)),
    chart: escalatedToday.has(row.test_code) || resolved ? chartView(p, today) : null,
    summary: resolved ? summaryView(p) : null,
    notes: notesOf(p, zone),
  };
}
