import type { ReportAlertRow, ReportHead } from '../db/report.js';
import { decisionsOf, actionsOf, type DecisionView } from './decisions.js';
import { joinMd, md, trusted, type Md } from './markdown.js';
import { code, GROUPS, type IndexedTest } from './parsedTest.js';
import { summaryRowView, type SummaryRowView } from './testView.js';
import { count } from './values.js';

/** One alert of the Alerts table. */
export interface AlertView {
  severity: Md;
  alert_type: Md;
  test_code: Md;
  title: Md;
  message: Md;
  actions: Md;
}

/** What the runbook's head template reads (title, decisions, summary table): inert Markdown only. */
export interface RunbookHeadView {
  date: Md;
  zone: Md;
  /** The one sentence of a date without any ACTIVE test; null when there are tests. */
  noTests: Md | null;
  showDecisions: boolean;
  decisions: DecisionView[];
  /** The decision categories with nothing in them, as one sentence. */
  quiet: Md | null;
  summaryLine: Md;
  tests: SummaryRowView[];
}

/** What the runbook's alerts template reads. */
export interface AlertsView {
  alerts: AlertView[];
}

function summaryLineOf(tests: readonly IndexedTest[]): Md {
  const byGroup = GROUPS.map((_, i) => tests.filter((p) => p.group === i).length);
  const attention = byGroup.reduce((a, b) => a + b, 0);
  const total = `${count(tests.length)} test${tests.length === 1 ? '' : 's'}`;
  if (attention === 0) return trusted(`${total}, none needing attention.`);
  const parts = GROUPS.map((g, i) => (byGroup[i] ? `${count(byGroup[i])} ${g}` : null)).filter((x) => x !== null);
  return trusted(`${total}, ${count(attention)} needing attention (listed first): ${parts.join(', ')}.`);
}

/**
 * The runbook head's view: the title, the day's decisions and the summary
 * table, every value inert Markdown.
 *
 * @param tests every test of the date in the runbook's order (src/report/parsedTest.ts `byAttention`).
 */
export function headView(head: ReportHead, tests: readonly IndexedTest[]): RunbookHeadView {
  const { decisions, quiet } = decisionsOf(tests, head);
  return {
    date: md(head.date),
    zone: md(head.zone),
    noTests: tests.length === 0 ? joinMd([trusted('No ACTIVE test on '), md(head.date), trusted(': nothing was evaluated.')], '') : null,
    showDecisions: tests.length > 0 || decisions.length > 0,
    decisions,
    quiet: tests.length === 0 ? null : quiet,
    summaryLine: summaryLineOf(tests),
    tests: tests.map(summaryRowView),
  };
}

/** The codes of the tests newly escalated on the date (their sections chart the deciding metric). */
export function escalatedToday(alerts: readonly ReportAlertRow[]): Set<string> {
  return new Set(alerts.filter((a) => a.alert_type === 'ESCALATION' && a.test_code !== null).map((a) => a.test_code!));
}

/** The alerts table's view: every alert of the date, most severe first, as inert Markdown. */
export function alertsView(alerts: readonly ReportAlertRow[]): AlertsView {
  return {
    alerts: alerts.map((a) => ({
      severity: md(a.severity),
      alert_type: md(a.alert_type),
      test_code: code(a.test_code),
      title: md(a.title),
      message: md(a.message),
      actions: actionsOf(a),
    })),
  };
}
