import type { DatabasePoolConnection } from 'slonik';
import { loadRegistry } from '../db/registry.js';
import { readOnlySnapshot } from '../db/session.js';
import { prefetchSignals, type SignalCache } from '../db/signals.js';
import { loadActiveTests } from '../db/tests.js';
import type { AsOf } from '../domain/asOf.js';
import { runGate } from '../domain/gate.js';
import { memoisedParseDefinition, type DefinitionResult, type RawDefinition } from '../domain/definition.js';
import type { CatalogColumn, RegistryRow } from '../domain/registry.js';
import { signalNeeds } from './needs.js';

/**
 * What a backfill reads once for its whole range and each date's discovery
 * then uses instead of reading it again: the registry with its catalog, and
 * the signals' values at every instant the range needs; and the definitions
 * it has parsed, by content.
 */
export interface RangeCache {
  registry: { rows: readonly RegistryRow[]; catalog: readonly CatalogColumn[] };
  /** Parses a definition once per content for the whole range (`memoisedParseDefinition`). */
  parseDefinition: (raw: RawDefinition) => DefinitionResult;
  /** Signal key → UTC ISO instant → value; a key whose range query failed is absent. */
  signals: SignalCache;
}

/** Which tests a range evaluates (as for one run). */
export interface PrefetchOptions {
  /** The range's as-of dates, in order. */
  asOfs: readonly AsOf[];
  testCodes?: readonly string[];
  includeResolved?: boolean;
}

/**
 * Reads, in one read-only REPEATABLE READ transaction, the registry and its
 * catalog and — for the tests in scope on the range's first date that pass
 * the gate — each signal at every instant any date of the range needs (the
 * as-of instants while a window is open, `end_ts` at its close): one query per
 * signal for the whole range. A test that comes into scope later, a changed
 * definition or a failed query simply misses the cache, and that date queries
 * what it misses itself (src/discover/discover.ts).
 *
 * @returns the cache; nothing is written.
 * @throws the database's error when the registry, catalog or tests cannot be read (a failing signal query is left out, not thrown).
 */
export async function prefetchRange(conn: DatabasePoolConnection, options: PrefetchOptions): Promise<RangeCache> {
  return conn.transaction(async (tx) => {
    await readOnlySnapshot(tx);
    const registry = await loadRegistry(tx);
    const parseDefinition = memoisedParseDefinition();
    const first = options.asOfs[0];
    if (!first) return { registry, parseDefinition, signals: new Map() };
    const tests = await loadActiveTests(tx, options.testCodes, { date: first.date, includeResolved: options.includeResolved });
    const gate = runGate(tests, registry, parseDefinition);
    const signals = await prefetchSignals(tx, signalNeeds(gate.passed, options.asOfs));
    return { registry, parseDefinition, signals };
  });
}
