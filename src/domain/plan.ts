import type { AsOf } from './asOf.js';
import type { FinalVerdict } from './criteria.js';
import type { BundleWrite } from './bundle.js';
import type { Defect } from './defect.js';
import type { MetricsSnapshot } from './metricsSnapshot.js';

/** Escalation states of a test. */
export type EscalationState = 'NONE' | 'ESCALATED' | 'SYSTEM_ERROR';
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

/** New values for a test's evaluator-owned columns in `canonical_test_events`. */
export interface StateUpdate {
  testId: string;
  testCode: string;
  /** Progress; null in a halt, which leaves progress as it was. */
  progress: { daysElapsed: number; daysRemaining: number; isOverdue: boolean } | null;
  escalationState: EscalationState;
  /** Sets `ceo_action_required` when true; a run never clears it. */
  raiseCeoAction: boolean;
  lastEvaluatedDate: string;
}

/** A call of `resolve_test_window`. */
export interface Resolution {
  testId: string;
  testCode: string;
  verdict: FinalVerdict;
  /** The as-of instant, UTC ISO: becomes `resolved_at`. */
  asOf: string;
  evidence: { verdict: FinalVerdict; run_id: string; evidence_path: string; evidence_sha256: string };
}

/** One row of `test_runbook_entries`, replacing any row of the same test and date. */
export interface RunbookWrite {
  testId: string;
  testCode: string;
  runDate: string;
  runId: string;
  dayNumber: number | null;
  requiredDays: number | null;
  status: string;
  escalationState: EscalationState;
  ceoActionRequired: boolean;
  metricsSnapshot: MetricsSnapshot;
  /** Stable keys of the escalation conditions that held (compared by the next evaluation). */
  escalationReasons: string[];
  /** The date the current escalation started; null when not escalated. */
  escalatedSince: string | null;
  verdict: string;
  notes: string;
  evidencePath: string;
  evidenceSha256: string;
}

/** One row of `ceo_calendar_alerts`; at most one per test, type and date. */
export interface AlertWrite {
  testId: string | null;
  testCode: string | null;
  runDate: string;
  severity: Severity;
  alertType: string;
  title: string;
  message: string;
  recommendedActions: string[];
}

/** A file written after the transaction commits: temporary name, then rename. */
export interface FileWithContent {
  /** Absolute path, already checked to lie inside its folder. */
  path: string;
  /** The file's exact text (UTF-8). */
  content: string;
  sha256: string;
}

/**
 * The evidence file of an evaluation identical to its date's recorded
 * revision: its text is that revision's canonical JSON, which execute exports
 * from the record only where the file does not already hold `sha256`
 * (src/execute/recordedFiles.ts), so a plan never holds the recorded bundles.
 */
export interface RecordedFile {
  path: string;
  content: null;
  sha256: string;
  /** The recorded revision whose canonical JSON is the file. */
  recorded: { testId: string; runDate: string; revision: number };
}

/** A file of a plan: with its text, or the export of a recorded revision. */
export type FileWrite = FileWithContent | RecordedFile;

/** A file of a plan without its content: where it goes, its size in bytes (UTF-8; null for a recorded revision's file, not read by evaluation) and its SHA-256. */
export interface FileRef {
  path: string;
  bytes: number | null;
  sha256: string;
}

/** The evidence a runbook row points at: the run id it was recorded by, its path relative to the evidence folder, its SHA-256. */
export interface EvidenceRef {
  runId: string;
  /** Relative to the evidence folder, `/`-separated (`pathInFolder`, src/domain/fileNames.ts). */
  relativePath: string;
  sha256: string;
}

/** What happened to one test in the run, for the console and `--json`. */
export interface TestOutcome {
  testCode: string;
  dayNumber: number | null;
  escalationState: EscalationState;
  verdict: string;
  pendingMetrics: string[];
  resolved: boolean;
  liveStateUpdated: boolean;
}

/**
 * Everything a run will write, decided by evaluation without I/O:
 * execute applies the database part in one transaction, then the files;
 * `--dry-run` prints it.
 */
export interface Plan {
  runId: string;
  asOf: AsOf;
  /** True when the fail-closed gate refused at least one test (exit 3). */
  halted: boolean;
  /** Signal sources whose query failed as of this date (exit 1): the tests using them are in SYSTEM_ERROR. */
  failedSignals: { key: string; source: string; message: string }[];
  defects: Defect[];
  stateUpdates: StateUpdate[];
  resolutions: Resolution[];
  runbook: RunbookWrite[];
  alerts: AlertWrite[];
  /** Evidence files this run leaves (current revisions; the halt file): written after the commit, from the record. */
  files: FileWrite[];
  /** New revisions to insert into the record (`evidence_bundles`), in the run's transaction. */
  bundles: BundleWrite[];
  /** Absolute path of `RUNBOOK_{YYYYMMDD}.md`, rendered inside the run's transaction from the rows of that date. */
  reportPath: string;
  outcomes: TestOutcome[];
}

/** A new revision of the record without its text. */
export type BundleRef = Omit<BundleWrite, 'text'>;

/**
 * A plan without the contents of its files and bundles, as a run reports it:
 * every write, the files and bundles by path and hash. A run that applied
 * its plan keeps no more than this, so a run of thousands of tests does not
 * hold every evidence file until it ends.
 */
export type PlanOutline = Omit<Plan, 'files' | 'bundles'> & {
  files: FileRef[];
  bundles: BundleRef[];
  /**
   * Set on the outline of a run that was asked to keep no per-test writes
   * (src/run/runDate.ts `RunOptions.keepWrites`): its `runbook`,
   * `stateUpdates`, `files` and `bundles` are then empty, and this says what
   * they held.
   */
  dropped?: DroppedWrites;
};

/** What an outline without its per-test writes keeps of them: how many there were, and the ids a run needs after its commit. */
export interface DroppedWrites {
  runbook: number;
  stateUpdates: number;
  files: number;
  bundles: number;
  /** The tests with a runbook row, in plan order. */
  runbookTestIds: string[];
  /** The tests whose new revision replaced an earlier one of the date (revision > 1), in plan order. */
  revisedTestIds: string[];
}
