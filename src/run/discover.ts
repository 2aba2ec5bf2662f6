import { randomUUID } from 'node:crypto';
import { sql, type CommonQueryMethods, type DatabasePoolConnection } from 'slonik';
import type { AsOf } from '../domain/asOf.js';
import { runGate } from '../discover/gate.js';
import { loadHistory } from '../discover/history.js';
import { loadActiveTests, unknownTestCodes } from '../discover/loadTests.js';
import { loadRegistry, type SignalSource } from '../discover/registry.js';
import { resolveSignals } from '../discover/signals.js';
import { loadWindowStates } from '../discover/windowState.js';
import type { Snapshot } from '../evaluate/snapshot.js';
import { UsageError } from '../errors.js';
import { missedDates, type RunMode } from '../ledger/ledger.js';

/** What discovery needs besides the connection. */
export interface DiscoverOptions {
  asOf: AsOf;
  evidenceDir: string;
  reportsDir: string;
  /** `--test CODE ...`: only these ACTIVE tests. */
  testCodes?: readonly string[];
  runId?: string;
  /** Default `daily`. Only a daily run looks for missed days. */
  mode?: RunMode;
}

/**
 * Discover (SPEC §1 phase 1) plus every read evaluation needs, in one
 * read-only REPEATABLE READ transaction so all of it sees one database state:
 * ACTIVE tests, registry and catalog, the gate, and — when the gate passes —
 * progress and escalation (one set-based query), the signals (one query each)
 * and the runbook history.
 *
 * @throws UsageError naming `--test` when a requested code is unknown or not ACTIVE.
 * @throws SignalResolutionError when a source query fails.
 */
export async function discover(conn: DatabasePoolConnection, options: DiscoverOptions): Promise<Snapshot> {
  return conn.transaction(async (tx) => {
    await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    const tests = await loadActiveTests(tx, options.testCodes);
    await checkRequestedCodes(tx, options.testCodes, tests.map((t) => t.test_code));
    const gate = runGate(tests, await loadRegistry(tx));
    const history = await loadHistory(tx, tests.map((t) => t.test_id), options.asOf.date);
    const passed = gate.defects.length === 0 ? gate.passed : [];
    const windowStates = await loadWindowStates(tx, passed.map((t) => t.row.test_id), options.asOf.instant, options.asOf.zone);
    const sources = new Map<string, SignalSource>();
    for (const test of passed) for (const source of Object.values(test.sources)) sources.set(source.key, source);
    const metrics = await resolveSignals(tx, [...sources.values()].sort((a, b) => a.key.localeCompare(b.key)), options.asOf.instant);
    const mode = options.mode ?? 'daily';
    return {
      asOf: options.asOf,
      runId: options.runId ?? randomUUID(),
      mode,
      missedDates: mode === 'daily' ? await missedDates(tx, options.asOf.date) : [],
      evidenceDir: options.evidenceDir,
      reportsDir: options.reportsDir,
      tests,
      gate,
      windowStates,
      metrics,
      history,
    };
  });
}

async function checkRequestedCodes(db: CommonQueryMethods, requested: readonly string[] | undefined, active: string[]): Promise<void> {
  if (!requested || requested.length === 0) return;
  const unknown = await unknownTestCodes(db, requested);
  if (unknown.length > 0) throw new UsageError('--test', `no test has the code ${unknown.map((c) => JSON.stringify(c)).join(', ')}`);
  const inactive = requested.filter((code) => !active.includes(code));
  if (inactive.length > 0) throw new UsageError('--test', `${inactive.map((c) => JSON.stringify(c)).join(', ')} is not ACTIVE`);
}
