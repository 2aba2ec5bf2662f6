/**
 * Puts the bench database back to its just-built state between variants, so
 * each starts equal: no runbook rows, alerts, ledger rows or staged files, the
 * evaluator's columns of every test back to their defaults, and the written
 * tables vacuumed. Ledger tables that later migrations may add (bundles,
 * acknowledgements) are emptied too when they exist.
 */
import pg from 'pg';
import { withClient } from './database.js';

/** Tables the evaluator writes, emptied by the reset (those missing are skipped). */
const WRITTEN_TABLES = [
  'fhq_calendar.test_runbook_entries',
  'fhq_calendar.ceo_calendar_alerts',
  'fhq_calendar.evaluator_runs',
  'fhq_calendar.pending_files',
  'fhq_calendar.evidence_bundles',
  'fhq_calendar.acknowledgements',
];

async function existing(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT t.name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NOT NULL',
    [WRITTEN_TABLES],
  );
  return rows.map((r) => r.name);
}

/** Resets everything a run writes in the bench database at `uri` (as a superuser, append-only triggers are bypassed). */
export async function resetWrittenState(uri: string): Promise<void> {
  await withClient(uri, async (client) => {
    const tables = await existing(client);
    await client.query('BEGIN');
    // Append-only guards (triggers) must not stop the reset of a throw-away database; only a superuser may skip them.
    const { rows } = await client.query<{ super: boolean }>('SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user');
    if (rows[0]?.super) await client.query('SET LOCAL session_replication_role = replica');
    await client.query(`TRUNCATE ${tables.join(', ')}`);
    await client.query(`
      UPDATE fhq_calendar.canonical_test_events SET
        status = 'ACTIVE', days_elapsed = NULL, days_remaining = NULL, is_overdue = NULL,
        escalation_state = 'NONE', ceo_action_required = false, verdict = 'PENDING',
        resolved_at = NULL, last_evaluated_date = NULL`);
    await client.query('COMMIT');
    for (const table of ['fhq_calendar.canonical_test_events', ...tables]) await client.query(`VACUUM (ANALYZE) ${table}`);
  });
}

/** Rows of `fhq_calendar.test_runbook_entries`: what a variant must have written. */
export async function countRunbookRows(uri: string): Promise<number> {
  return withClient(uri, async (client) =>
    Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM fhq_calendar.test_runbook_entries')).rows[0]!.n),
  );
}
