import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type HandlebarsModule from 'handlebars';
import type { CommonQueryMethods } from 'slonik';
import {
  loadReportHead,
  loadReportHistory,
  loadReportIndexRows,
  loadReportOrder,
  loadReportRows,
  reportZone,
  type ReportAlertRow,
  type ReportData,
  type ReportHead,
  type ReportHistoryCache,
} from '../db/report.js';
import { readOnlySnapshot } from '../db/session.js';
import type { PhaseHook } from '../domain/phases.js';
import { byAttention, indexTest, parseTest, type IndexedTest, type ParsedTest } from '../report/parsedTest.js';
import { testView, type TestView } from '../report/testView.js';
import { alertsView, escalatedToday, headView, type AlertsView, type RunbookHeadView } from '../report/view.js';
import { packageRoot } from '../paths.js';
import { writeFileAtomicInParts } from './atomicWrite.js';

interface Templates {
  head: HandlebarsModule.TemplateDelegate<RunbookHeadView>;
  section: HandlebarsModule.TemplateDelegate<TestView>;
  alerts: HandlebarsModule.TemplateDelegate<AlertsView>;
}

let compiled: Templates | undefined;

/**
 * The runbook's three templates, compiled once: its head (title, decisions,
 * summary table), a test's section and the alerts. No escaping by Handlebars
 * (`noEscape`: its escaping is HTML's, not Markdown's): the views hold inert
 * Markdown only. `strict`: a variable missing from a view is an error, never
 * an empty string.
 */
function templates(): Templates {
  if (compiled) return compiled;
  const dir = join(packageRoot(), 'templates');
  // Loaded on the first report, not at start-up: most commands (a dry run, check, status) never render one.
  const Handlebars = createRequire(import.meta.url)('handlebars') as typeof HandlebarsModule;
  const hbs = Handlebars.create();
  const compile = <T>(file: string) => hbs.compile<T>(readFileSync(join(dir, file), 'utf8'), { noEscape: true, strict: true });
  compiled = {
    head: compile<RunbookHeadView>('runbook.md.hbs'),
    section: compile<TestView>('test-section.md.hbs'),
    alerts: compile<AlertsView>('alerts.md.hbs'),
  };
  return compiled;
}

/** The runbook's head: title, decisions and summary table, for `tests` in the runbook's order. */
function renderHead(head: ReportHead, tests: readonly IndexedTest[]): string {
  return templates().head(headView(head, tests));
}

/** One test's section, after the blank line that separates it from what comes before. */
function renderSection(test: ParsedTest, escalated: ReadonlySet<string>, zone: string): string {
  return `\n${templates().section(testView(test, escalated, zone))}`;
}

function renderAlerts(alerts: readonly ReportAlertRow[]): string {
  return templates().alerts(alertsView(alerts));
}

/**
 * Renders `RUNBOOK_{YYYYMMDD}.md` from `templates/`: the title with the date
 * and zone; the day's decisions (verdicts reached with the next step, tests
 * newly escalated, tests in SYSTEM_ERROR, reviews due, other alerts that need
 * a person, acknowledgements); a summary table of every test, those needing
 * attention first; one section per test in the same order (fields, metrics
 * with target met ✓/✗ and a sparkline over the window, the verdict, a
 * Mermaid chart of the deciding metric on a day the test escalates or
 * resolves, the window summary at the close, notes and the evidence file);
 * then every alert of the date. A date without any ACTIVE test says so in
 * one sentence. Every text from a definition, the registry or a source is
 * inert Markdown (src/report/markdown.ts). Pure given the data, so a re-run
 * of the date renders the same bytes; {@link writeReportFile} writes the
 * same bytes without holding them.
 */
export function renderReport(data: ReportData): string {
  const tests = byAttention(
    data.tests.map((row) => {
      const indexed = indexTest(row);
      return { row, indexed, group: indexed.group };
    }),
  );
  const escalated = escalatedToday(data.alerts);
  const parts = [
    renderHead(
      data,
      tests.map((t) => t.indexed),
    ),
  ];
  for (const { row } of tests) parts.push(renderSection(parseTest(row, data.history), escalated, data.zone));
  parts.push(renderAlerts(data.alerts));
  return parts.join('');
}

/** Tests whose rows and history are read and rendered together when a runbook is written ({@link writeReportFile}). */
export const REPORT_CHUNK_TESTS = 500;

function chunksOf<T>(list: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
  return chunks;
}

/**
 * `load` of each item, in order, the next one already asked for while the
 * caller works on the current one: the database reads a chunk while the
 * previous one is rendered. A load the caller never reaches (it stopped on
 * an error) has its rejection caught here, so it is never unhandled.
 */
async function* readAhead<T, R>(items: readonly T[], load: (item: T) => Promise<R>): AsyncGenerator<R> {
  const start = (item: T) => {
    const loading = load(item);
    loading.catch(() => undefined);
    return loading;
  };
  let next = items.length > 0 ? start(items[0]!) : null;
  for (let i = 0; next !== null; i++) {
    const current = next;
    next = i + 1 < items.length ? start(items[i + 1]!) : null;
    yield await current;
  }
}

/**
 * Writes the runbook of `date` (`YYYY-MM-DD`) to `path`, atomically, the
 * same bytes {@link renderReport} renders from `loadReportData`, without
 * holding every test's rows, history or section at once (at 10,000 tests
 * that is hundreds of megabytes, and the history grows with each day of the
 * windows): in one read-only snapshot, the date's rows are read
 * `chunkTests` at a time, once to order the tests and build the head, then
 * again, with their history, to render each test's section into the file,
 * each chunk read while the one before it is rendered.
 * A file that already holds exactly these bytes is left alone.
 *
 * @param options.historyCache a backfill's report rows read by its earlier dates (src/db/report.ts); default none.
 * @returns true when the file was written, false when it already held the runbook.
 * @throws the database's or the file system's error; the temporary file is removed and `path` left as it was.
 */
export async function writeReportFile(
  db: CommonQueryMethods,
  date: string,
  path: string,
  options: { historyCache?: ReportHistoryCache; onPhase?: PhaseHook; chunkTests?: number } = {},
): Promise<boolean> {
  const size = options.chunkTests ?? REPORT_CHUNK_TESTS;
  return db.transaction(async (tx) => {
    await readOnlySnapshot(tx);
    const head = await loadReportHead(tx, date, await reportZone(tx));
    const indexed: IndexedTest[] = [];
    for await (const rows of readAhead(chunksOf(await loadReportOrder(tx, date), size), (codes) => loadReportIndexRows(tx, date, codes)))
      for (const row of rows) indexed.push(indexTest(row));
    const tests = byAttention(indexed);
    const escalated = escalatedToday(head.alerts);
    return writeFileAtomicInParts(
      path,
      async (write) => {
        write(renderHead(head, tests));
        const chunks = chunksOf(
          tests.map((t) => t.row.test_code),
          size,
        );
        const loadChunk = async (codes: string[]) => ({
          codes,
          rows: new Map((await loadReportRows(tx, date, codes)).map((row) => [row.test_code, row])),
          history: await loadReportHistory(tx, date, head.zone, { historyCache: options.historyCache, codes }),
        });
        for await (const { codes, rows, history } of readAhead(chunks, loadChunk))
          for (const code of codes) write(renderSection(parseTest(rows.get(code)!, history), escalated, head.zone));
        write(renderAlerts(head.alerts));
      },
      options.onPhase,
    );
  });
}
