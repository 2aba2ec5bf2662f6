import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/**
 * A runbook row of the report's date, with its test's code, name, window and
 * the definition columns the report charts against (criteria and baseline as
 * stored: the report reads them leniently and never fails on them).
 */
export const reportRowSchema = z.object({
  test_code: z.string(),
  test_name: z.string(),
  day_number: z.number().int().nullable(),
  required_days: z.number().int().nullable(),
  status: z.string(),
  escalation_state: z.string(),
  ceo_action_required: z.boolean(),
  metrics_snapshot: z.record(z.unknown()),
  verdict: z.string(),
  notes: z.string().nullable(),
  evidence_path: z.string().nullable(),
  evidence_sha256: z.string().nullable(),
  /** `YYYY-MM-DD`: the date the current escalation started; null when not escalated. */
  escalated_since: z.string().nullable(),
  /** The window as UTC ISO instants (read as text, whatever the pool's type parsers); null when the definition has none. */
  start_ts: z.string().nullable(),
  end_ts: z.string().nullable(),
  baseline_definition: z.unknown(),
  success_criteria: z.unknown(),
  failure_criteria: z.unknown(),
});
/** An alert of the report's date; `test_code` and `test_name` are null for a run-level alert. */
export const alertRowSchema = z.object({
  test_code: z.string().nullable(),
  test_name: z.string().nullable(),
  severity: z.string(),
  alert_type: z.string(),
  title: z.string(),
  message: z.string(),
  recommended_actions: z.unknown(),
});
/**
 * One earlier (or this date's) runbook row of a test of the report's date,
 * within its window: the metric values (`metrics_snapshot` key → `value`)
 * and escalation state, for trends, charts and the window summary.
 */
export const historyRowSchema = z.object({
  test_code: z.string(),
  run_date: z.string(),
  day_number: z.number().int().nullable(),
  escalation_state: z.string(),
  metric_values: z.record(z.unknown()),
});
/** An acknowledgement recorded on the report's date or the day before (`acknowledged_at` a UTC ISO instant). */
export const acknowledgementSchema = z.object({
  test_code: z.string(),
  acknowledged_by: z.string(),
  acknowledged_at: z.string(),
  note: z.string().nullable(),
});

/** A runbook row of the report's date ({@link reportRowSchema}). */
export type ReportTestRow = z.infer<typeof reportRowSchema>;
/** An alert of the report's date ({@link alertRowSchema}). */
export type ReportAlertRow = z.infer<typeof alertRowSchema>;
/** A runbook row of a test's window up to the report's date ({@link historyRowSchema}). */
export type ReportHistoryRow = z.infer<typeof historyRowSchema>;
/** An acknowledgement of the report's date ({@link acknowledgementSchema}). */
export type ReportAcknowledgement = z.infer<typeof acknowledgementSchema>;
/** History rows by test code: each test's rows in date order, Day 0 left out; a test without any has no entry. */
export type ReportHistory = ReadonlyMap<string, readonly ReportHistoryRow[]>;

/** Whether history rows are in date order (as both loaders read them), so they need no sort. */
function inDateOrder(rows: readonly ReportHistoryRow[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1]!.run_date > rows[i]!.run_date) return false;
  return true;
}

/**
 * Groups history rows, in any order, into a {@link ReportHistory}: by test
 * code, each in date order, Day 0 rows left out. Rows grouped by test and in
 * date order (as the database returns them) take one pass.
 */
export function groupHistory(history: Iterable<ReportHistoryRow>): ReportHistory {
  const byTest = new Map<string, ReportHistoryRow[]>();
  let code: string | null = null;
  let list: ReportHistoryRow[] = [];
  for (const h of history) {
    if (h.day_number === 0) continue;
    if (h.test_code !== code) {
      code = h.test_code;
      list = byTest.get(code) ?? [];
      byTest.set(code, list);
    }
    list.push(h);
  }
  for (const rows of byTest.values()) {
    if (!inDateOrder(rows)) rows.sort((a, b) => (a.run_date < b.run_date ? -1 : a.run_date > b.run_date ? 1 : 0));
  }
  return byTest;
}

/** The rows a runbook is rendered from: every runbook row and alert of one run date, the tests' history up to it, the zone. */
export interface ReportData {
  /** The run date, `YYYY-MM-DD`. */
  date: string;
  /** The configured IANA zone: every time in the report is shown in it. */
  zone: string;
  tests: ReportTestRow[];
  alerts: ReportAlertRow[];
  /** Runbook rows of the date's tests from their window's first day up to the date, by test code ({@link groupHistory}). */
  history: ReportHistory;
  /** Acknowledgements of the date; absent or empty until acknowledgements are recorded. */
  acknowledgements?: ReportAcknowledgement[];
}

/** What a runbook's head reads besides its tests: the date, the zone, the alerts and acknowledgements of the date. */
export type ReportHead = Omit<ReportData, 'tests' | 'history'>;

/** Options of {@link loadReportData}. */
export interface LoadReportOptions {
  /** The configured zone; default the session's `TimeZone`, which a run sets to the configured zone. */
  zone?: string;
  /** A backfill's rows read by its earlier dates ({@link newReportHistoryCache}); default: read the whole history now. */
  historyCache?: ReportHistoryCache;
}

/** `metrics_snapshot` key → `value` of a runbook row `h`, as SQL. */
const METRIC_VALUES = sql.fragment`CASE WHEN jsonb_typeof(h.metrics_snapshot) = 'object'
  THEN coalesce((SELECT jsonb_object_agg(m.key, m.value -> 'value') FROM jsonb_each(h.metrics_snapshot) AS m), '{}'::jsonb)
  ELSE '{}'::jsonb END`;

/**
 * The FROM items of the runbook rows `d` of `date` joined to their tests `e`:
 * every row of the date, or those of the tests in `codes`, found by one
 * index lookup per code (LATERAL, kept apart by OFFSET 0: a plain join let
 * the planner scan every row of the date for each chunk of a large report).
 */
function rowsOfDate(date: string, codes: readonly string[] | undefined) {
  return codes === undefined
    ? sql.fragment`(SELECT * FROM fhq_calendar.test_runbook_entries WHERE run_date = ${date}::date) AS d
        JOIN fhq_calendar.canonical_test_events AS e ON e.test_id = d.test_id`
    : sql.fragment`unnest(${sql.array([...codes], 'text')}::text[]) AS c(test_code)
        JOIN fhq_calendar.canonical_test_events AS e ON e.test_code = c.test_code
        CROSS JOIN LATERAL (SELECT * FROM fhq_calendar.test_runbook_entries AS x
                            WHERE x.test_id = e.test_id AND x.run_date = ${date}::date OFFSET 0) AS d`;
}

/** For every test of `date` (or those of `codes`), its runbook rows from its window's first day (in `zone`) up to the date, by test code. */
async function fullHistory(db: CommonQueryMethods, date: string, zone: string, codes?: readonly string[]): Promise<ReportHistory> {
  const rows = await db.any(sql.type(historyRowSchema)`
    SELECT e.test_code, h.run_date::text AS run_date, h.day_number, h.escalation_state, ${METRIC_VALUES} AS metric_values
    FROM ${rowsOfDate(date, codes)}
    JOIN fhq_calendar.test_runbook_entries AS h
      ON h.test_id = d.test_id AND h.run_date <= d.run_date
     AND (e.start_ts IS NULL OR h.run_date >= (e.start_ts AT TIME ZONE ${zone})::date)
     AND h.day_number IS DISTINCT FROM 0
    ORDER BY e.test_code, h.run_date`);
  return groupHistory(rows);
}

/**
 * The runbook rows a backfill's reports have read so far, by test id: every
 * row of the test dated up to `through` but those of Day 0, in date order,
 * each carrying `testCode` (the test's code when last read). A backfill runs its
 * dates in order under the run lock and a date only writes rows of its own
 * date, so rows before the date being reported no longer change.
 */
export type ReportHistoryCache = Map<string, { through: string; testCode: string; rows: ReportHistoryRow[] }>;

/** An empty {@link ReportHistoryCache}, for one backfill. */
export function newReportHistoryCache(): ReportHistoryCache {
  return new Map();
}

const dayTestSchema = z.object({ test_id: z.string(), test_code: z.string(), start_date: z.string().nullable() });
const cachedRowSchema = historyRowSchema.extend({ test_id: z.string() });

/**
 * What {@link fullHistory} returns, reading only the rows the cache does not
 * hold yet (those after each test's `through`, up to `date`): for each test
 * of the date, its cached rows from its window's first day, without copying
 * them (a year's backfill would copy millions of rows otherwise): the lists
 * are the cache's own, read-only, and grow when the next date is read.
 */
async function cachedHistory(
  db: CommonQueryMethods,
  date: string,
  zone: string,
  cache: ReportHistoryCache,
  codes?: readonly string[],
): Promise<ReportHistory> {
  const tests = await db.any(sql.type(dayTestSchema)`
    SELECT d.test_id, e.test_code, (e.start_ts AT TIME ZONE ${zone})::date::text AS start_date
    FROM ${rowsOfDate(date, codes)} ORDER BY e.test_code`);
  const since = tests.map((t) => cache.get(t.test_id)?.through ?? '-infinity');
  // One index range scan per test (LATERAL, kept apart from the join by OFFSET 0). With a plain join the
  // planner, blind to how recent each since is, scanned the whole table for every date, so a backfill's
  // cost grew with the square of its length.
  const fresh = await db.any(sql.type(cachedRowSchema)`
    SELECT t.test_id, '' AS test_code, h.run_date::text AS run_date, h.day_number, h.escalation_state, ${METRIC_VALUES} AS metric_values
    FROM unnest(${sql.array(
      tests.map((t) => t.test_id),
      'uuid',
    )}::uuid[], ${sql.array(since, 'text')}::text[]) AS t(test_id, since)
    CROSS JOIN LATERAL (
      SELECT * FROM fhq_calendar.test_runbook_entries AS r
      WHERE r.test_id = t.test_id AND r.run_date > t.since::date AND r.run_date <= ${date}::date AND r.day_number IS DISTINCT FROM 0
      OFFSET 0) AS h
    ORDER BY t.test_id, h.run_date`);
  for (const t of tests) {
    const entry = cache.get(t.test_id);
    if (!entry) cache.set(t.test_id, { through: date, testCode: t.test_code, rows: [] });
    else if (entry.testCode !== t.test_code) {
      // The test was renamed since its rows were cached: they carry its code, so they take the new one.
      entry.testCode = t.test_code;
      entry.rows = entry.rows.map((r) => ({ ...r, test_code: t.test_code }));
    }
  }
  for (const { test_id, ...row } of fresh) {
    const entry = cache.get(test_id)!;
    entry.rows.push({ ...row, test_code: entry.testCode });
  }
  const history = new Map<string, readonly ReportHistoryRow[]>();
  for (const t of tests) {
    const entry = cache.get(t.test_id)!;
    entry.through = date;
    const rows = windowRows(entry.rows, t.start_date);
    if (rows.length > 0) history.set(t.test_code, rows);
  }
  return history;
}

/**
 * The cached rows (in date order, all up to the date being reported) of one
 * test from `startDate` on (none: all), found by binary search: a backfill's
 * report reads them for every date, so this must not cost a pass over them.
 */
function windowRows(rows: ReportHistoryRow[], startDate: string | null): ReportHistoryRow[] {
  let low = 0;
  let high = startDate === null ? 0 : rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle]!.run_date < startDate!) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? rows : rows.slice(low);
}

/** The zone a report shows its times in: `zone`, or the session's `TimeZone` (which a run sets to the configured zone). */
export async function reportZone(db: CommonQueryMethods, zone?: string): Promise<string> {
  return zone ?? (await db.oneFirst(sql.type(z.object({ zone: z.string() }))`SELECT current_setting('TimeZone') AS zone`));
}

/**
 * The test codes of the runbook rows of `date` (`YYYY-MM-DD`), in the
 * runbook's row order: by window start (none last), then by code.
 */
export async function loadReportOrder(db: CommonQueryMethods, date: string): Promise<string[]> {
  const codes = await db.anyFirst(sql.type(z.object({ test_code: z.string() }))`
    SELECT e.test_code FROM ${rowsOfDate(date, undefined)}
    ORDER BY e.start_ts NULLS LAST, e.test_code`);
  return [...codes];
}

/**
 * The runbook rows of `date` with their tests' names, windows and criteria
 * ({@link reportRowSchema}), in the order of {@link loadReportOrder}: every
 * row, or those of the tests in `codes`.
 */
export async function loadReportRows(db: CommonQueryMethods, date: string, codes?: readonly string[]): Promise<ReportTestRow[]> {
  const rows = await db.any(sql.type(reportRowSchema)`
    SELECT e.test_code, e.test_name, d.day_number, d.required_days, d.status, d.escalation_state, d.ceo_action_required,
           d.metrics_snapshot, d.verdict, d.notes, d.evidence_path, d.evidence_sha256, d.escalated_since::text AS escalated_since,
           to_char(e.start_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS start_ts,
           to_char(e.end_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS end_ts,
           e.baseline_definition, e.success_criteria, e.failure_criteria
    FROM ${rowsOfDate(date, codes)}
    ORDER BY e.start_ts NULLS LAST, e.test_code`);
  return [...rows];
}

/**
 * For every test of `date` (or those of `codes`), its runbook rows from its
 * window's first day (in `zone`) up to the date, reduced to the metric
 * values, by test code: from a backfill's cache when given (it reads only
 * the rows the cache lacks, and keeps them), else all read now.
 */
export async function loadReportHistory(
  db: CommonQueryMethods,
  date: string,
  zone: string,
  options: { historyCache?: ReportHistoryCache; codes?: readonly string[] } = {},
): Promise<ReportHistory> {
  return options.historyCache
    ? cachedHistory(db, date, zone, options.historyCache, options.codes)
    : fullHistory(db, date, zone, options.codes);
}

/**
 * What a runbook's head reads besides its tests ({@link ReportHead}): the
 * alerts of `date`, most severe first, and the acknowledgements recorded on
 * the date or the day before, in `zone`.
 */
export async function loadReportHead(db: CommonQueryMethods, date: string, zone: string): Promise<ReportHead> {
  const alerts = await db.any(sql.type(alertRowSchema)`
    SELECT e.test_code, e.test_name, a.severity, a.alert_type, a.title, a.message, a.recommended_actions
    FROM fhq_calendar.ceo_calendar_alerts AS a
    LEFT JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
    WHERE a.run_date = ${date}::date
    ORDER BY CASE a.severity WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END, e.test_code NULLS FIRST, a.alert_type`);
  // Acknowledgements since the day before: the runbook after a person acknowledged shows who, when and why.
  const acknowledgements = await db.any(sql.type(acknowledgementSchema)`
    SELECT e.test_code, k.acknowledged_by,
           to_char(k.acknowledged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS acknowledged_at, k.note
    FROM fhq_calendar.acknowledgements AS k
    JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
    WHERE (k.acknowledged_at AT TIME ZONE ${zone})::date BETWEEN ${date}::date - 1 AND ${date}::date
    ORDER BY k.acknowledged_at, e.test_code`);
  return { date, zone, alerts: [...alerts], acknowledgements: [...acknowledgements] };
}

/**
 * Reads everything the runbook of `date` (`YYYY-MM-DD`) is rendered from at
 * once: the date's runbook rows ({@link loadReportRows}), its alerts and
 * acknowledgements ({@link loadReportHead}) and, for every test of the date,
 * its history ({@link loadReportHistory}). A run streams its runbook instead
 * (src/execute/reportFile.ts), reading the same rows a few hundred tests at a time.
 */
export async function loadReportData(db: CommonQueryMethods, date: string, options: LoadReportOptions = {}): Promise<ReportData> {
  const zone = await reportZone(db, options.zone);
  const tests = await loadReportRows(db, date);
  const { alerts, acknowledgements } = await loadReportHead(db, date, zone);
  const history = await loadReportHistory(db, date, zone, { historyCache: options.historyCache });
  return { date, zone, tests, alerts, history, acknowledgements };
}
