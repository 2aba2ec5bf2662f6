import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../paths.js';
import { displayTestCode } from '../domain/testCode.js';
import type { ReportData } from '../db/report.js';
import { metricsSnapshotEntrySchema } from '../domain/metricsSnapshot.js';

let compiled: Handlebars.TemplateDelegate | undefined;

/** A value the report prints in a field or a table cell. */
type Printable = string | number | boolean | null | undefined;

function template(): Handlebars.TemplateDelegate {
  if (compiled) return compiled;
  const dir = join(packageRoot(), 'templates');
  const hbs = Handlebars.create();
  // Markdown, not HTML: no entity escaping; table cells only need pipes and newlines neutralised.
  hbs.registerHelper('cell', (value: Printable) =>
    String(value ?? '')
      .replace(/\|/g, '\\|')
      .replace(/\r?\n/g, ' '),
  );
  hbs.registerPartial('testSection', readFileSync(join(dir, 'test-section.md.hbs'), 'utf8'));
  compiled = hbs.compile(readFileSync(join(dir, 'runbook.md.hbs'), 'utf8'), { noEscape: true, strict: true });
  return compiled;
}

const show = (value: Printable) => (value === null || value === undefined ? '—' : String(value));

/**
 * Renders `RUNBOOK_{YYYYMMDD}.md` from `templates/`: a summary table
 * of every test of the date, the per-test section, then the alerts.
 * Pure given the data, so a re-run of the date renders the same bytes.
 */
export function renderReport(data: ReportData): string {
  const tests = data.tests.map((t) => {
    const metrics = Object.entries(t.metrics_snapshot).map(([key, raw]) => {
      const entry = metricsSnapshotEntrySchema.parse(raw);
      return {
        key,
        current:
          entry.status === 'ERROR'
            ? `ERROR (${entry.error ?? 'source failed'})`
            : entry.value === null
              ? `PENDING (${entry.pending_reason ?? 'no value'})`
              : String(entry.value),
        baseline: show(entry.baseline),
        target: entry.target ? `${entry.target.op} ${entry.target.value}` : '—',
      };
    });
    const pending = metrics.filter((m) => m.current.startsWith('PENDING')).map((m) => m.key);
    return {
      ...t,
      test_code: displayTestCode(t.test_code),
      day: `${show(t.day_number)} of ${show(t.required_days)}`,
      metrics,
      pending: pending.length ? pending.join(', ') : '—',
      notes: t.notes ?? '',
      evidence_path: show(t.evidence_path),
      evidence_sha256: show(t.evidence_sha256),
    };
  });
  // A gate halt's rows point at the halt file; a failing source's SYSTEM_ERROR rows have their own evidence.
  const haltEvidence = data.tests.find(
    (t) => t.escalation_state === 'SYSTEM_ERROR' && t.evidence_path !== null && basename(t.evidence_path).startsWith('ORCHESTRATOR_HALT_'),
  )?.evidence_path;
  const halted = haltEvidence !== undefined;
  return template()({
    date: data.date,
    halted,
    haltFile: haltEvidence ? basename(haltEvidence) : '',
    tests,
    alerts: data.alerts.map((a) => ({
      ...a,
      test_code: a.test_code === null ? '(run)' : displayTestCode(a.test_code),
      actions: Array.isArray(a.recommended_actions) ? a.recommended_actions.join('; ') : '',
    })),
  });
}
