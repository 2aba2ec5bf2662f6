import { canonicalJson, sha256Hex } from './canonicalJson.js';

/**
 * The fields of a bundle that describe its recording (which run, its place in
 * the chain, what it did to live state then), not its evaluation: left out
 * when comparing evaluations, so re-running a past date after later dates
 * moved live state still adds nothing.
 */
export const RECORDING_FIELDS = ['run_id', 'previous_bundle_sha256', 'actions', 'live_state_updated', 'live_state_before'] as const;

/** The newest recorded revision of a test and date, as the next evaluation compares with it. */
export interface RecordedRevision {
  revision: number;
  runId: string;
  sha256: string;
  previousSha256: string | null;
  evaluationSha256: string;
  /** The recorded bundle itself: an unchanged re-evaluation exports exactly these bytes again. */
  content: Record<string, unknown>;
}

/** What the record holds for one test as a run starts: the date's newest revision and the chain's head. */
export interface TestRecord {
  /** The newest revision of this test for the run's as-of date; null when the date was never evaluated. */
  current: RecordedRevision | null;
  /** SHA-256 of the test's newest bundle in recording order (any date): the next bundle's `previous_bundle_sha256`. */
  chainHead: string | null;
}

/** A bundle to insert into `fhq_calendar.evidence_bundles` (append-only). */
export interface BundleWrite {
  testId: string;
  testCode: string;
  runDate: string;
  revision: number;
  runId: string;
  content: Record<string, unknown>;
  /** SHA-256 of `canonicalJson(content)`: the exact bytes of its file. */
  sha256: string;
  previousSha256: string | null;
  evaluationSha256: string;
}

/** What recording one evaluation decided: the run id and hash its rows carry, its file text, and a bundle to insert (null when nothing changed). */
export interface RecordedEvaluation {
  runId: string;
  sha256: string;
  /** The file's exact text: `canonicalJson` of the bundle. */
  text: string;
  bundle: BundleWrite | null;
}

/** SHA-256 of an evaluation: the bundle's canonical JSON without its recording fields. */
export function evaluationSha256(content: Record<string, unknown>): string {
  const evaluation = Object.fromEntries(Object.entries(content).filter(([key]) => !(RECORDING_FIELDS as readonly string[]).includes(key)));
  return sha256Hex(canonicalJson(evaluation));
}

/**
 * Records one evaluation (README "The record"): an evaluation identical to
 * the date's newest revision adds nothing and keeps that revision's run id
 * and hash; a different one becomes revision N+1, linked to the test's
 * newest bundle in recording order (so re-evaluating an earlier date extends
 * the chain instead of forking it).
 *
 * @param build the bundle content for a run id and a previous bundle hash.
 * @param record the test's record as the run started (undefined: none).
 * @param key the test and date the bundle belongs to, and this run's id.
 */
export function recordEvaluation(
  build: (runId: string, previousSha256: string | null) => Record<string, unknown>,
  record: TestRecord | undefined,
  key: { testId: string; testCode: string; runDate: string; runId: string },
): RecordedEvaluation {
  const evaluation = evaluationSha256(build(key.runId, null));
  const current = record?.current ?? null;
  if (current && current.evaluationSha256 === evaluation) {
    return {
      runId: current.runId,
      sha256: current.sha256,
      // What it did to live state then may differ from what a re-run would do now: the file is the recorded bundle.
      text: canonicalJson(current.content),
      bundle: null,
    };
  }
  const previousSha256 = record?.chainHead ?? null;
  const content = build(key.runId, previousSha256);
  const text = canonicalJson(content);
  const sha256 = sha256Hex(text);
  return {
    runId: key.runId,
    sha256,
    text,
    bundle: {
      testId: key.testId,
      testCode: key.testCode,
      runDate: key.runDate,
      revision: (current?.revision ?? 0) + 1,
      runId: key.runId,
      content,
      sha256,
      previousSha256,
      evaluationSha256: evaluation,
    },
  };
}
