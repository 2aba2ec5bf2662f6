import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type HandlebarsModule from 'handlebars';
import type { ReportData } from '../db/report.js';
import { packageRoot } from '../paths.js';
import { runbookView, type RunbookView } from '../report/view.js';

let compiled: HandlebarsModule.TemplateDelegate<RunbookView> | undefined;

/**
 * The runbook template and its test-section partial, compiled once. No
 * escaping by Handlebars (`noEscape`: its escaping is HTML's, not Markdown's):
 * the view holds inert Markdown only. `strict`: a variable missing from the
 * view is an error, never an empty string.
 */
function template(): HandlebarsModule.TemplateDelegate<RunbookView> {
  if (compiled) return compiled;
  const dir = join(packageRoot(), 'templates');
  // Loaded on the first report, not at start-up: most commands (a dry run, check, status) never render one.
  const Handlebars = createRequire(import.meta.url)('handlebars') as typeof HandlebarsModule;
  const hbs = Handlebars.create();
  hbs.registerPartial('testSection', readFileSync(join(dir, 'test-section.md.hbs'), 'utf8'));
  compiled = hbs.compile<RunbookView>(readFileSync(join(dir, 'runbook.md.hbs'), 'utf8'), { noEscape: true, strict: true });
  return compiled;
}

/**
 * Renders `RUNBOOK_{YYYYMMDD}.md` from `templates/`: the title with the date
 * and zone; the day's decisions (verdicts reached with the next step, tests
 * newly escalated, tests in SYSTEM_ERROR, reviews due, other alerts that need
 * a person, acknowledgements); a summary table of every test, those needing
 * attention first; one section per test (fields, metrics with target met ✓/✗
 * and a sparkline over the window, the verdict, a Mermaid chart of the
 * deciding metric on a day the test escalates or resolves, the window summary
 * at the close, notes and the evidence file); then every alert of the date.
 * A date without any ACTIVE test says so in one sentence. Every text from a
 * definition, the registry or a source is inert Markdown (src/report/markdown.ts).
 * Pure given the data, so a re-run of the date renders the same bytes.
 */
export function renderReport(data: ReportData): string {
  return template()(runbookView(data));
}
