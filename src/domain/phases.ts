/**
 * Named moments of a run, reported to an optional {@link PhaseHook}. The
 * crash-safety tests stop the process (SIGKILL) or drop its connection at
 * them; production runs pass no hook.
 */
export const PHASES = [
  /** Lock taken and ledger row written; nothing of the run yet. */
  'locked',
  /** Snapshot read; nothing written. */
  'discovered',
  /** Inside the run's transaction: an evidence file is written under its temporary name, to be renamed after COMMIT. */
  'file-staged',
  /** Inside the run's transaction, after every statement, before COMMIT. */
  'in-transaction',
  /** The transaction has committed; no file written yet. */
  'committed',
  /** A temporary file is written and flushed, not yet renamed over its target. */
  'file-temporary',
  /** A file has been renamed into place. */
  'file-renamed',
  /** All files written; the ledger row not yet finished. */
  'files-written',
] as const;

/** One of {@link PHASES}. */
export type Phase = (typeof PHASES)[number];

/** Called (synchronously) each time a run reaches a phase; may block, e.g. to let a test kill the process there. */
export type PhaseHook = (phase: Phase) => void;
