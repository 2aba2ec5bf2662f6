/** How a run was started, as its ledger row records it: the daily run, a backfilled date, a dry run, a check. */
export type RunMode = 'daily' | 'backfill' | 'dry-run' | 'check';

/** How a run ended, as its ledger row records it. */
export type RunOutcome = 'DONE' | 'HALTED' | 'FAILED';
