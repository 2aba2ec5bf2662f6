import type { ReportData } from '../db/report.js';
import { decisionsOf, actionsOf, type DecisionView } from './decisions.js';
import { joinMd, md, trusted, type Md } from './markdown.js';
import { code, GROUPS, parseTests, type ParsedTest } from './parsedTest.js';
import { testView, type TestView } from './testView.js';
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

function summaryLineOf(parsed: ParsedTest[]): Md {
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
  const parsed = parseTests(data);
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
