import { basename } from 'node:path';
import type { ReportAlertRow, ReportHead } from '../db/report.js';
import { NEXT_STEP } from '../domain/nextStep.js';
import { joinMd, md, trusted, type Md } from './markdown.js';
import { code, DASH, type IndexedTest } from './parsedTest.js';
import type { Cells } from './testView.js';
import { localTime } from './values.js';

/** One category of the day's decisions: a heading, an optional sentence before its table, the table. */
export interface DecisionView {
  heading: Md;
  intro: Md | null;
  header: Md;
  rule: Md;
  rows: Cells[];
}

function tableHead(columns: readonly string[]): { header: Md; rule: Md } {
  return {
    header: trusted(`| ${columns.join(' | ')} |`),
    rule: trusted(`|${columns.map((c) => '-'.repeat(c.length + 2)).join('|')}|`),
  };
}

/** An alert's test: its code, and its name when the alert names a test. */
const alertTest = (a: ReportAlertRow): Cells => [code(a.test_code), a.test_name === null ? DASH : md(a.test_name)];

/** An alert's recommended actions, joined by `; `. */
export function actionsOf(a: ReportAlertRow): Md {
  const list = Array.isArray(a.recommended_actions)
    ? a.recommended_actions.map((x) => md(typeof x === 'string' ? x : JSON.stringify(x)))
    : [];
  return list.length ? joinMd(list, '; ') : DASH;
}

/** A category before it is a view: its table, and the words for "nothing" when it is empty (null: say nothing). */
interface Category {
  heading: string;
  columns: string[];
  rows: Cells[];
  empty: string | null;
  intro?: Md | null;
}

const HANDLED_ALERTS = new Set([
  'ESCALATION',
  'ESCALATION_CLEARED',
  'CHECKPOINT',
  'RESOLUTION',
  'METRICS_PENDING',
  'SYSTEM_ERROR',
  'SIGNAL_ERROR',
]);

/**
 * The decision tables of the day, in order: verdicts reached, newly
 * escalated, in SYSTEM_ERROR, reviews due, other alerts, acknowledged. An
 * empty category has no table; `quiet` names the empty ones that say so in
 * one sentence (null when none is empty).
 */
export function decisionsOf(parsed: readonly IndexedTest[], data: ReportHead): { decisions: DecisionView[]; quiet: Md | null } {
  const alertsOf = (type: string) => data.alerts.filter((a) => a.alert_type === type);
  const categories: Category[] = [
    verdictsReached(parsed),
    {
      heading: 'Newly Escalated',
      columns: ['Test Code', 'Test Name', 'Severity', 'Reasons'],
      rows: alertsOf('ESCALATION').map((a) => [...alertTest(a), md(a.severity), md(a.message)]),
      empty: 'no test newly escalated',
    },
    inSystemError(parsed),
    {
      heading: 'Reviews Due',
      columns: ['Test Code', 'Test Name', 'Checkpoint'],
      rows: alertsOf('CHECKPOINT').map((a) => [...alertTest(a), md(a.message)]),
      empty: 'no review due',
    },
    otherAlerts(data),
    acknowledged(data),
  ];
  const decisions: DecisionView[] = categories
    .filter((c) => c.rows.length > 0)
    .map((c) => ({ heading: trusted(c.heading), intro: c.intro ?? null, ...tableHead(c.columns), rows: c.rows }));
  const none = categories.filter((c) => c.rows.length === 0 && c.empty).map((c) => c.empty!);
  if (none.length === 0) return { decisions, quiet: null };
  const list = none.length === 1 ? none[0]! : `${none.slice(0, -1).join(', ')} and ${none.at(-1)!}`;
  return { decisions, quiet: trusted(`${decisions.length ? 'Otherwise' : 'Nothing to decide'}: ${list}.`) };
}

function verdictsReached(parsed: readonly IndexedTest[]): Category {
  return {
    heading: 'Verdicts Reached',
    columns: ['Test Code', 'Test Name', 'Verdict', 'Next Step'],
    rows: parsed
      .filter((p) => p.row.verdict !== 'PENDING')
      .map((p) => [
        code(p.row.test_code),
        md(p.row.test_name),
        md(p.row.verdict),
        Object.hasOwn(NEXT_STEP, p.row.verdict) ? trusted(NEXT_STEP[p.row.verdict as keyof typeof NEXT_STEP]) : DASH,
      ]),
    empty: 'no verdict reached',
  };
}

const isHalt = (p: IndexedTest) => p.row.evidence_path !== null && basename(p.row.evidence_path).startsWith('ORCHESTRATOR_HALT_');

function inSystemError(parsed: readonly IndexedTest[]): Category {
  const failing = parsed.filter((p) => p.row.escalation_state === 'SYSTEM_ERROR');
  const halt = failing.find(isHalt);
  return {
    heading: 'In SYSTEM_ERROR',
    columns: ['Test Code', 'Test Name', 'Cause', 'Detail'],
    rows: failing.map((p) => [
      code(p.row.test_code),
      md(p.row.test_name),
      trusted(isHalt(p) ? 'definition refused by the fail-closed gate' : 'signal source failed'),
      md(p.row.notes ?? ''),
    ]),
    empty: 'no test in SYSTEM_ERROR',
    intro: halt
      ? joinMd(
          [
            trusted('The run halted at the fail-closed gate: no other test was evaluated on this date. Every defect is in '),
            md(basename(halt.row.evidence_path!)),
            trusted('.'),
          ],
          '',
        )
      : null,
  };
}

function otherAlerts(data: ReportHead): Category {
  return {
    heading: 'Other Alerts',
    columns: ['Severity', 'Type', 'Test Code', 'Message', 'Recommended Actions'],
    rows: data.alerts
      .filter((a) => !HANDLED_ALERTS.has(a.alert_type) && a.severity !== 'INFO')
      .map((a) => [md(a.severity), md(a.alert_type), code(a.test_code), md(a.message), actionsOf(a)]),
    empty: null,
  };
}

function acknowledged(data: ReportHead): Category {
  return {
    heading: 'Acknowledged',
    columns: ['Test Code', 'Acknowledged By', 'Acknowledged At', 'Note'],
    rows: (data.acknowledgements ?? []).map((k) => [
      code(k.test_code),
      md(k.acknowledged_by),
      md(localTime(k.acknowledged_at, data.zone) ?? k.acknowledged_at),
      k.note === null || k.note.trim() === '' ? DASH : md(k.note),
    ]),
    empty: null,
  };
}
