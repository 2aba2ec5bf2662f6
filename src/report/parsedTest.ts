import type { ReportData, ReportHistoryRow, ReportTestRow } from '../db/report.js';
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

/**
 * One test as the view reads it: its row, its snapshot entries, its history
 * (day 0 left out, by date) and its attention group (an index into
 * {@link GROUPS}; `GROUPS.length` for none).
 */
export interface ParsedTest {
  row: ReportTestRow;
  entries: { key: string; entry: SnapshotEntry }[];
  history: readonly ReportHistoryRow[];
  group: number;
}

/** A test code as the report shows it: hostile codes quoted and made visible (displayTestCode), then inert; null is the run. */
export const code = (testCode: string | null) => (testCode === null ? trusted('(run)') : md(displayTestCode(testCode)));

function entriesOf(row: ReportTestRow): ParsedTest['entries'] {
  return Object.keys(row.metrics_snapshot).map((key) => {
    const parsed = metricsSnapshotEntrySchema.safeParse(row.metrics_snapshot[key]);
    return { key, entry: parsed.success ? parsed.data : null };
  });
}

function groupOf(row: ReportTestRow, entries: ParsedTest['entries']): number {
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

/**
 * The tests of the report, ordered by attention group, each group in the
 * order of the rows, with their history.
 */
export function parseTests(data: ReportData): ParsedTest[] {
  return data.tests
    .map((row) => {
      const entries = entriesOf(row);
      return { row, entries, history: data.history.get(row.test_code) ?? [], group: groupOf(row, entries) };
    })
    .map((p, index) => ({ p, index }))
    .sort((a, b) => a.p.group - b.p.group || a.index - b.index)
    .map(({ p }) => p);
}
