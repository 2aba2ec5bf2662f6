/** The benchmark's result table (markdown, so it can go into the README as printed). */
import type { Variant } from '../options.js';

/** The medians of one benchmark configuration; null where a variant was not run. */
export interface ResultRow {
  tests: number;
  rows: number;
  days: number;
  seconds: Record<Variant, number | null>;
  peakRssMb: Record<Variant, number | null>;
}

/** Median of the numbers (null for none). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const n = (v: number) => v.toLocaleString('en');
const s = (v: number | null) => (v === null ? '—' : v.toFixed(2));
/** Peak RSS: "—" when the variant did not run, "n/a" when it ran but its probe could not report. */
const mb = (v: number | null, ran: number | null) => (ran === null ? '—' : v === null ? 'n/a' : v.toFixed(0));
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '—' : `${(a / b).toFixed(1)}×`);

/** The table: one header and one line per result row. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header =
    '| tests | rows | days | project s | per-test s | floor s | project/floor | per-test/project | RSS project MB | RSS per-test MB | RSS floor MB |';
  const rule = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${n(r.tests)} | ${n(r.rows)} | ${r.days} | ${s(r.seconds.project)} | ${s(r.seconds['per-test'])} | ${s(r.seconds.floor)} | ${ratio(r.seconds.project, r.seconds.floor)} | ${ratio(r.seconds['per-test'], r.seconds.project)} | ${mb(r.peakRssMb.project, r.seconds.project)} | ${mb(r.peakRssMb['per-test'], r.seconds['per-test'])} | ${mb(r.peakRssMb.floor, r.seconds.floor)} |`,
  );
  return [header, rule, ...lines].join('\n');
}
