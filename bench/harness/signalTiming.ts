/**
 * Times signal resolution alone, from the benchmark process, on the bench
 * database: every registry signal resolved by its own query, one after the
 * other (as the project's discover phase does), against the floor's one query
 * for all signals and tests. Each is run once to warm up, then timed.
 */
import { asOfInstant, ZONE } from '../asOf.js';
import { floorQuery } from '../reference/floorQuery.js';
import { loadSignals, signalSelect } from '../reference/registry.js';
import { withClient } from './database.js';

/** Milliseconds of each way of resolving the signals of one as-of date. */
export interface SignalTiming {
  signals: number;
  oneByOneMs: number;
  floorQueryMs: number;
}

/** Measures both ways for `date` on the database at `uri`. */
export async function timeSignals(uri: string, date: string): Promise<SignalTiming> {
  return withClient(uri, async (client) => {
    await client.query('SELECT set_config($1, $2, false)', ['TimeZone', ZONE]);
    const signals = [...(await loadSignals(client)).values()];
    const asOf = asOfInstant(date);
    const oneByOne = async () => {
      for (const signal of signals) await client.query(signalSelect(signal), [asOf]);
    };
    const floor = async () => void (await client.query(floorQuery(signals), [asOf, ZONE]));
    const timed = async (work: () => Promise<void>) => {
      await work();
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    return { signals: signals.length, oneByOneMs: await timed(oneByOne), floorQueryMs: await timed(floor) };
  });
}
