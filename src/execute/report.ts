import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type HandlebarsModule from 'handlebars';
import type { ReportAlertRow, ReportData, ReportHead } from '../db/report.js';
import { byAttention, indexTest, parseTest, type IndexedTest, type ParsedTest } from '../report/parsedTest.js';
import { testView, type TestView } from '../report/testView.js';
import { alertsView, escalatedToday, headView, type AlertsView, type RunbookHeadView } from '../report/view.js';
import { packageRoot } from '../paths.js';

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
export function renderHead(head: ReportHead, tests: readonly IndexedTest[]): string {
  return templates().head(headView(head, tests));
}

/** One test's section, after the blank line that separates it from what comes before. */
export function renderSection(test: ParsedTest, escalated: ReadonlySet<string>, zone: string): string {
  return `\n${templates().section(testView(test, escalated, zone))}`;
}

/** The runbook's last part: the alerts of the date. */
export function renderAlerts(alerts: readonly ReportAlertRow[]): string {
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
 * of the date renders the same bytes; `writeReportFile`
 * (src/execute/reportFile.ts) writes the same bytes without holding them.
 */
export function renderReport(data: ReportData): string {
  const tests = byAttention(data.tests.map((row) => parseTest(row, data.history)));
  const escalated = escalatedToday(data.alerts);
  const parts = [renderHead(data, tests.map(indexTest))];
  for (const test of tests) parts.push(renderSection(test, escalated, data.zone));
  parts.push(renderAlerts(data.alerts));
  return parts.join('');
}
