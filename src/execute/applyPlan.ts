import type { DatabaseTransactionConnection } from 'slonik';
import { upsertAlerts } from '../db/alerts.js';
import { insertBundles } from '../db/bundles.js';
import { upsertRunbookRows } from '../db/runbook.js';
import { recordHaltFile } from '../db/runs.js';
import { resolveWindows, updateTestStates } from '../db/testEvents.js';
import type { Plan } from '../domain/plan.js';

/**
 * Applies the database part of a plan inside the caller's transaction (see
 * README "What a run writes"): evaluator-owned columns (only where the as-of
 * date is on or after `last_evaluated_date`), window resolutions, runbook rows
 * (replacing the test's row of that date) and alerts (one per test, type and
 * date; an acknowledged alert is never rewritten). Each table takes one
 * statement; rows whose content is unchanged are not touched, so a re-run is a no-op.
 * New revisions are appended to the record (`evidence_bundles`). A halt's
 * file (the only file of a halted plan) is kept with the run's ledger row.
 */
export async function applyPlan(tx: DatabaseTransactionConnection, plan: Plan): Promise<void> {
  await updateTestStates(tx, plan.stateUpdates);
  await resolveWindows(tx, plan.resolutions);
  await upsertRunbookRows(tx, plan.runbook);
  await upsertAlerts(tx, plan.alerts);
  await insertBundles(tx, plan.bundles);
  const halt = plan.files[0];
  if (plan.halted && halt && halt.content !== null) await recordHaltFile(tx, plan.runId, halt.content);
}
