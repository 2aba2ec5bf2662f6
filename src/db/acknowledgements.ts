import { sql, type CommonQueryMethods, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';

/** The test an acknowledgement is for, as found (and row-locked) before acknowledging it. */
export const ackTestSchema = z.object({
  test_id: z.string(),
  test_code: z.string(),
  ceo_action_required: z.boolean(),
});
export type AckTest = z.infer<typeof ackTestSchema>;

/** One alert an acknowledgement stamped. */
export const ackedAlertSchema = z.object({
  alert_id: z.string(),
  alert_type: z.string(),
  run_date: z.string(),
  severity: z.string(),
});
export type AckedAlert = z.infer<typeof ackedAlertSchema>;

/** What one acknowledgement wrote: its row of `fhq_calendar.acknowledgements` and the alerts it stamped, oldest first. */
export interface AcknowledgementWrite {
  ackId: string;
  /** The transaction's `now()`, the same instant on the row and on every alert (UTC ISO). */
  acknowledgedAt: string;
  acknowledgedBy: string;
  note: string | null;
  alerts: AckedAlert[];
}

/**
 * Whether the database has what acknowledging needs: the
 * `fhq_calendar.acknowledgements` table and `ceo_calendar_alerts.acknowledged_by`
 * (migration 000007).
 */
export async function acknowledgementsMigrated(db: CommonQueryMethods): Promise<boolean> {
  return db.oneFirst(sql.type(z.object({ migrated: z.boolean() }))`
    SELECT to_regclass('fhq_calendar.acknowledgements') IS NOT NULL
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                       WHERE attrelid = to_regclass('fhq_calendar.ceo_calendar_alerts')
                         AND attname = 'acknowledged_by' AND NOT attisdropped) AS migrated`);
}

/** What acknowledging needs, per table and privilege, in the order a missing one is named; null columns: the whole table. */
const ACK_PRIVILEGES: readonly { table: string; privilege: string; columns: readonly string[] | null }[] = [
  { table: 'canonical_test_events', privilege: 'SELECT', columns: ['test_id', 'test_code', 'ceo_action_required'] },
  { table: 'canonical_test_events', privilege: 'UPDATE', columns: ['ceo_action_required'] },
  {
    table: 'ceo_calendar_alerts',
    privilege: 'SELECT',
    columns: ['alert_id', 'test_id', 'run_date', 'alert_type', 'severity', 'acknowledged_at'],
  },
  { table: 'ceo_calendar_alerts', privilege: 'UPDATE', columns: ['acknowledged_at', 'acknowledged_by'] },
  { table: 'acknowledgements', privilege: 'INSERT', columns: null },
];

/**
 * The privileges acknowledging needs that the connected role lacks, grouped
 * per table and privilege as `GRANT` would name them, e.g.
 * `UPDATE (acknowledged_at, acknowledged_by) ON fhq_calendar.ceo_calendar_alerts`.
 * Empty for a member of `canonical_approver` (sql/roles/03_canonical_approver.sql)
 * or an administrator. Call only on a migrated database ({@link acknowledgementsMigrated}).
 */
export async function missingAckPrivileges(db: CommonQueryMethods): Promise<readonly string[]> {
  const rows = ACK_PRIVILEGES.flatMap(({ table, privilege, columns }) =>
    (columns ?? [null]).map((column) => ({ table_name: table, column_name: column, privilege })),
  ).map((row, index) => ({ ord: index + 1, ...row }));
  return db.anyFirst(sql.type(z.object({ missing: z.string() }))`
    SELECT format('%s%s ON fhq_calendar.%s', p.privilege,
                  CASE WHEN bool_and(p.column_name IS NOT NULL)
                       THEN ' (' || string_agg(p.column_name, ', ' ORDER BY p.ord) || ')' ELSE '' END,
                  p.table_name) AS missing
    FROM jsonb_to_recordset(${sql.jsonb(rows)}) AS p(ord int, table_name text, column_name text, privilege text)
    WHERE NOT CASE WHEN p.column_name IS NULL
                   THEN has_table_privilege('fhq_calendar.' || p.table_name, p.privilege)
                   ELSE has_column_privilege('fhq_calendar.' || p.table_name, p.column_name, p.privilege) END
    GROUP BY p.table_name, p.privilege
    ORDER BY min(p.ord)`);
}

/**
 * Finds the test with `code` and locks its row (`FOR NO KEY UPDATE`, as an
 * `UPDATE` would) until the caller's transaction ends, so a concurrent run
 * and this acknowledgement apply one after the other.
 *
 * @returns the test, or null when no test has that code.
 */
export async function lockTestForAck(tx: DatabaseTransactionConnection, code: string): Promise<AckTest | null> {
  return tx.maybeOne(sql.type(ackTestSchema)`
    SELECT test_id, test_code, ceo_action_required
    FROM fhq_calendar.canonical_test_events
    WHERE test_code = ${code}
    FOR NO KEY UPDATE`);
}

/**
 * Acknowledges a test inside the caller's transaction: clears its
 * `ceo_action_required`, stamps `acknowledged_at = now()` and
 * `acknowledged_by` on its alerts that are still open (never another test's,
 * never a run-level one, never one already acknowledged), and appends one row
 * to `fhq_calendar.acknowledgements` naming those alerts (none is fine). The
 * row's id is made here, not returned by the database: the approver's role
 * may insert acknowledgements but not read them.
 *
 * @param testId a test locked by {@link lockTestForAck} in the same transaction.
 * @param by who acknowledges (already checked: not blank).
 */
export async function recordAcknowledgement(
  tx: DatabaseTransactionConnection,
  ack: { ackId: string; testId: string; by: string; note: string | null },
): Promise<AcknowledgementWrite> {
  await tx.query(sql.unsafe`
    UPDATE fhq_calendar.canonical_test_events SET ceo_action_required = false
    WHERE test_id = ${ack.testId} AND ceo_action_required`);
  const alerts = await tx.any(sql.type(ackedAlertSchema)`
    WITH stamped AS (
      UPDATE fhq_calendar.ceo_calendar_alerts
      SET acknowledged_at = now(), acknowledged_by = ${ack.by}
      WHERE test_id = ${ack.testId} AND acknowledged_at IS NULL
      RETURNING alert_id, alert_type, run_date, severity
    )
    SELECT alert_id, alert_type, run_date::text AS run_date, severity
    FROM stamped
    ORDER BY run_date, alert_type, alert_id`);
  await tx.query(sql.unsafe`
    INSERT INTO fhq_calendar.acknowledgements (ack_id, test_id, acknowledged_at, acknowledged_by, note, alert_ids)
    VALUES (${ack.ackId}, ${ack.testId}, now(), ${ack.by}, ${ack.note},
            ${sql.array(
              alerts.map((a) => a.alert_id),
              'uuid',
            )})`);
  const acknowledgedAt = await tx.oneFirst(sql.type(z.object({ now: z.string() }))`SELECT now() AS now`);
  return { ackId: ack.ackId, acknowledgedAt, acknowledgedBy: ack.by, note: ack.note, alerts: [...alerts] };
}
