/** The ACTIVE tests as the references read them (definition columns only). */
import pg from 'pg';

/** One CONDITION of a CRITERIA. */
export interface Condition {
  metric: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  value?: number | boolean;
  baseline_delta?: number;
  baseline_ratio?: number;
}

/** `{ all: [...] }` or `{ any: [...] }`. */
export type Criteria = { all: Condition[] } | { any: Condition[] };

/** The columns of `fhq_calendar.canonical_test_events` a reference evaluation uses. */
export interface TestDefinition {
  test_id: string;
  test_code: string;
  test_name: string;
  /** Instants: a Date from a column, an ISO string from JSON. */
  start_ts: Date | string;
  end_ts: Date | string;
  required_days: number;
  mid_test_checkpoint: Date | string | null;
  baseline_definition: Record<string, number | boolean>;
  target_metrics: Record<string, { op: Condition['op']; value: number | boolean }>;
  success_criteria: Criteria;
  failure_criteria: Criteria;
  escalation_path: { owner?: string; notify: string[] };
}

/** The columns selected by {@link loadTests}, as SQL. */
export const TEST_COLUMNS = `test_id, test_code, test_name, start_ts, end_ts, required_days, mid_test_checkpoint,
  baseline_definition, target_metrics, success_criteria, failure_criteria, escalation_path`;

/** Every ACTIVE test, ordered by window start then code (as the evaluator orders them). */
export async function loadTests(client: pg.Client): Promise<TestDefinition[]> {
  const { rows } = await client.query<TestDefinition>(
    `SELECT ${TEST_COLUMNS} FROM fhq_calendar.canonical_test_events WHERE status = 'ACTIVE' ORDER BY start_ts, test_code`,
  );
  return rows;
}

/** The signal keys a test uses: its baseline, targets and both criteria, sorted. */
export function metricKeys(test: TestDefinition): string[] {
  const conditions = [test.success_criteria, test.failure_criteria].flatMap((c) => ('all' in c ? c.all : c.any));
  return [
    ...new Set([...Object.keys(test.baseline_definition), ...Object.keys(test.target_metrics), ...conditions.map((c) => c.metric)]),
  ].sort();
}
