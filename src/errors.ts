/**
 * One error hierarchy for the evaluator; the CLI maps each class to the exit
 * code of README "Exit codes" in one place ({@link exitCodeOf}).
 */

/** Exit codes (README "Exit codes"). */
export const ExitCode = {
  done: 0,
  failure: 1,
  usage: 2,
  halted: 3,
  databaseUnreachable: 4,
  lockHeld: 5,
  /** `verify` found a problem in the record, its files or the runbook. */
  verifyFailed: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: every error the evaluator raises on purpose. */
export class EvaluatorError extends Error {
  readonly exitCode: ExitCode = ExitCode.failure;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad command-line option, environment setting or argument (exit 2). `setting` names it. */
export class UsageError extends EvaluatorError {
  override readonly exitCode = ExitCode.usage;
  constructor(
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${message}`, options);
  }
}

/** The database could not be reached or logged into (exit 4). Messages never carry a password. */
export class DatabaseUnreachableError extends EvaluatorError {
  override readonly exitCode = ExitCode.databaseUnreachable;
}

/** Another run holds the advisory lock (exit 5). */
export class LockHeldError extends EvaluatorError {
  override readonly exitCode = ExitCode.lockHeld;
}

/**
 * The machine's setup keeps a command from working, and a setting or a move
 * fixes it (exit 2, as a configuration error): e.g. the embedded PostgreSQL
 * cannot reach its binaries. The message says why and what to do.
 */
export class ConfigurationError extends EvaluatorError {
  override readonly exitCode = ExitCode.usage;
}

/**
 * The database has none (or not all) of the evaluator's objects: it was never
 * migrated (exit 1). Raised once, where a query meets the missing
 * `fhq_calendar` object (src/db/pool.ts).
 */
export class NotMigratedError extends EvaluatorError {}

/** A migration history that does not match the files in `sql/` (exit 1). */
export class MigrationError extends EvaluatorError {}

/** A signal's source query failed while resolving metrics (exit 1); names the key and table. */
export class SignalResolutionError extends EvaluatorError {
  constructor(
    readonly signalKey: string,
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`signal ${signalKey} (${source}): ${message}`, options);
  }
}

/**
 * The exit code for anything thrown: the class's own code for evaluator errors,
 * 1 for everything else.
 */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof EvaluatorError ? error.exitCode : ExitCode.failure;
}
