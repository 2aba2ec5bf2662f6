import type { ReportHistory, ReportHistoryRow, ReportTestRow } from '../db/report.js';
import type { Op, Scalar } from '../domain/definition.js';
import { metricsSnapshotEntrySchema } from '../domain/metricsSnapshot.js';
import { displayTestCode } from '../domain/testCode.js';
import { md, trusted } from './markdown.js';
import { knownOp, scalarOf } from './values.js';

/** The cell of a value that is absent. */
export const DASH = trusted('—');

/** Attention groups of the summary, most urgent first. */
export const GROUPS = ['SYSTEM_ERROR', 'ESCALATED', 'VERDICT REACHED', 'METRICS PENDING'] as const;

/** A Metrics Snapshot entry, or null when it does not read as one. */
export type SnapshotEntry = ReturnType<typeof metricsSnapshotEntrySchema.parse> | null;

/** The columns of a runbook row that the runbook's head (decisions and summary table) reads. */
export type ReportTestHead = Pick<
  ReportTestRow,
  | 'test_code'
  | 'test_name'
  | 'day_number'
  | 'required_days'
  | 'status'
  | 'escalation_state'
  | 'ceo_action_required'
  | 'verdict'
  | 'notes'
  | 'evidence_path'
>;

/**
 * One test as the runbook's head reads it: its head columns, the keys of its
 * PENDING metrics and its attention group (an index into {@link GROUPS};
 * `GROUPS.length` for none). A few hundred bytes, whatever its metrics.
 */
export interface IndexedTest {
  row: ReportTestHead;
  pending: string[];
  group: number;
}

/**
 * One test as its section reads it: its row, its snapshot entries, its
 * history (day 0 left out, by date) and its attention group.
 */
export interface ParsedTest {
  row: ReportTestRow;
  entries: { key: string; entry: SnapshotEntry }[];
  history: readonly ReportHistoryRow[];
  group: number;
}

/** A test code as the report shows it: hostile codes quoted and made visible (displayTestCode), then inert; null is the run. */
export const code = (testCode: string | null) => (testCode === null ? trusted('(run)') : md(displayTestCode(testCode)));

function entriesOf(row: Pick<ReportTestRow, 'metrics_snapshot'>): ParsedTest['entries'] {
  return Object.keys(row.metrics_snapshot).map((key) => {
    const parsed = metricsSnapshotEntrySchema.safeParse(row.metrics_snapshot[key]);
    return { key, entry: parsed.success ? parsed.data : null };
  });
}

function groupOf(row: Pick<ReportTestRow, 'escalation_state' | 'verdict'>, entries: ParsedTest['entries']): number {
  if (row.escalation_state === 'SYSTEM_ERROR') return 0;
  if (row.escalation_state === 'ESCALATED') return 1;
  if (row.verdict !== 'PENDING') return 2;
  if (entries.some((e) => e.entry?.status === 'PENDING')) return 3;
  return 4;
}

/** The target of an entry, when its operator and value read as one. */
export function targetOf(entry: ParsedTest['entries'][number]['entry']): { op: Op; value: Scalar } | null {
  const op = knownOp(entry?.target?.op);
  const value = scalarOf(entry?.target?.value);
  return op !== null && value !== null ? { op, value } : null;
}

/** A runbook row with its history, for its section. */
export function parseTest(row: ReportTestRow, history: ReportHistory): ParsedTest {
  const entries = entriesOf(row);
  return { row, entries, history: history.get(row.test_code) ?? [], group: groupOf(row, entries) };
}

/** A parsed test reduced to what the runbook's head reads ({@link IndexedTest}): its row, entries and history are not kept. */
export function indexTest(test: ParsedTest): IndexedTest {
  const { test_code, test_name, day_number, required_days, status, escalation_state, ceo_action_required, verdict, notes, evidence_path } =
    test.row;
  return {
    row: { test_code, test_name, day_number, required_days, status, escalation_state, ceo_action_required, verdict, notes, evidence_path },
    pending: test.entries.filter((e) => e.entry?.status === 'PENDING').map((e) => e.key),
    group: test.group,
  };
}

/** Tests in the runbook's order: by attention group, each group in the order given (a stable sort; a new array). */
export function byAttention<T extends { group: number }>(tests: readonly T[]): T[] {
  return tests
    .map((t, index) => ({ t, index }))
    .sort((a, b) => a.t.group - b.t.group || a.index - b.index)
    .map(({ t }) => t);
}
