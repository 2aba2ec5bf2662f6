import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/** A runbook row of the report's date, with its test's code and name. */
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
});
/** An alert of the report's date. */
export const alertRowSchema = z.object({
  test_code: z.string().nullable(),
  severity: z.string(),
  alert_type: z.string(),
  title: z.string(),
  recommended_actions: z.unknown(),
});
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
