import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { packageRoot } from '../paths.js';
import { displayTestCode } from '../domain/testCode.js';

const reportRowSchema = z.object({
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
});
const alertRowSchema = z.object({
  test_code: z.string().nullable(),
  severity: z.string(),
  alert_type: z.string(),
  title: z.string(),
  recommended_actions: z.unknown(),
});
const snapshotEntrySchema = z
  .object({
    value: z.union([z.number(), z.boolean()]).nullable(),
    status: z.string(),
    pending_reason: z.string().nullable().optional(),
    baseline: z.union([z.number(), z.boolean()]).nullable().optional(),
    target: z.object({ op: z.string(), value: z.union([z.number(), z.boolean()]) }).nullable().optional(),
  })
  .passthrough();

/** The rows a runbook is rendered from: every runbook row and alert of one run date. */
export interface ReportData {
  date: string;
  tests: z.infer<typeof reportRowSchema>[];
  alerts: z.infer<typeof alertRowSchema>[];
}

/** Reads the runbook rows (ordered like discovery: by window start) and alerts of `date` (`YYYY-MM-DD`). */
export async function loadReportData(db: CommonQueryMethods, date: string): Promise<ReportData> {
  const tests = await db.any(sql.type(reportRowSchema)`
    SELECT e.test_code, e.test_name, r.day_number, r.required_days, r.status, r.escalation_state, r.ceo_action_required,
           r.metrics_snapshot, r.verdict, r.notes, r.evidence_path, r.evidence_sha256
    FROM fhq_calendar.test_runbook_entries AS r
    JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
    WHERE r.run_date = ${date}::date
    ORDER BY e.start_ts NULLS LAST, e.test_code`);
  const alerts = await db.any(sql.type(alertRowSchema)`
    SELECT e.test_code, a.severity, a.alert_type, a.title, a.recommended_actions
    FROM fhq_calendar.ceo_calendar_alerts AS a
    LEFT JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
    WHERE a.run_date = ${date}::date
    ORDER BY CASE a.severity WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END, e.test_code NULLS FIRST, a.alert_type`);
  return { date, tests: [...tests], alerts: [...alerts] };
}

let compiled: Handlebars.TemplateDelegate | undefined;

function template(): Handlebars.TemplateDelegate {
  if (compiled) return compiled;
  const dir = join(packageRoot(), 'templates');
  const hbs = Handlebars.create();
  // Markdown, not HTML: no entity escaping; table cells only need pipes and newlines neutralised.
  hbs.registerHelper('cell', (value: unknown) => String(value ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));
  hbs.registerPartial('testSection', readFileSync(join(dir, 'test-section.md.hbs'), 'utf8'));
  compiled = hbs.compile(readFileSync(join(dir, 'runbook.md.hbs'), 'utf8'), { noEscape: true, strict: true });
  return compiled;
}

const show = (value: unknown) => (value === null || value === undefined ? '—' : String(value));

/**
 * Renders `RUNBOOK_{YYYYMMDD}.md` (SPEC §5) from `templates/`: a summary table
 * of every test of the date, the per-test section of SPEC §5, then the alerts.
 * Pure given the data, so a re-run of the date renders the same bytes.
 */
export function renderReport(data: ReportData): string {
  const tests = data.tests.map((t) => {
    const metrics = Object.entries(t.metrics_snapshot).map(([key, raw]) => {
      const entry = snapshotEntrySchema.parse(raw);
      return {
        key,
        current: entry.value === null ? `PENDING (${entry.pending_reason ?? 'no value'})` : String(entry.value),
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
  const halted = data.tests.some((t) => t.escalation_state === 'SYSTEM_ERROR');
  const haltEvidence = data.tests.find((t) => t.escalation_state === 'SYSTEM_ERROR')?.evidence_path;
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
