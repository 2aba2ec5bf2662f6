import type { AsOf } from '../domain/asOf.js';
import type { GatedTest } from '../domain/gate.js';
import type { SignalSource } from '../domain/registry.js';
import { metricsInstant } from '../domain/window.js';

/** A signal key's source and the instants (UTC ISO, sorted, distinct) a run needs its value at. */
export interface SignalNeed {
  source: SignalSource;
  instants: string[];
}

/**
 * Per signal key, its source and every instant the tests that passed the gate
 * need it at, over the as-of dates `asOfs`: the as-of instant while a window
 * is open, `end_ts` when it closes (src/domain/window.ts `metricsInstant`),
 * none before it opens.
 *
 * @param passed the tests that passed the gate, with their checked sources.
 * @param asOfs one or more as-of dates (a run: one; a backfill's range: all).
 * @returns one entry per key, sorted by key, its instants (UTC ISO) sorted and distinct.
 */
export function signalNeeds(passed: readonly GatedTest[], asOfs: readonly AsOf[]): SignalNeed[] {
  return mergeSignalNeeds(
    passed.map((test) => {
      const bounds = {
        start_ts: test.definition.startTs,
        end_ts: test.definition.endTs,
        verdict: test.row.verdict,
        status: test.row.status,
      };
      const instants = [...new Set(asOfs.map((asOf) => metricsInstant(bounds, asOf)).filter((i): i is string => i !== null))].sort();
      return instants.length === 0 ? [] : Object.values(test.sources).map((source) => ({ source, instants }));
    }),
  );
}

/**
 * The needs of several sets of tests as one: per key, the union of their
 * instants; the same as {@link signalNeeds} of all the tests at once.
 *
 * @returns one entry per key, sorted by key, its instants sorted and distinct.
 */
export function mergeSignalNeeds(lists: readonly (readonly SignalNeed[])[]): SignalNeed[] {
  const merged = new Map<string, { source: SignalSource; instants: Set<string> }>();
  for (const list of lists) {
    for (const { source, instants } of list) {
      const need = merged.get(source.key) ?? { source, instants: new Set<string>() };
      for (const instant of instants) need.instants.add(instant);
      merged.set(source.key, need);
    }
  }
  return [...merged.values()]
    .sort((a, b) => a.source.key.localeCompare(b.source.key))
    .map((n) => ({ source: n.source, instants: [...n.instants].sort() }));
}
