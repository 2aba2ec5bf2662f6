import { canonicalMembers, joinCanonicalMembers, sha256Hex, type CanonicalMember } from './canonicalJson.js';

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
  /**
   * The bundle as canonical JSON: the exact bytes of its file and the JSON the
   * record stores. The content object itself is not kept: a plan of
   * thousands of tests would hold every bundle twice.
   */
  text: string;
  /** SHA-256 of `text`. */
  sha256: string;
  previousSha256: string | null;
  evaluationSha256: string;
}

/**
 * What recording one evaluation decided: the run id, revision and hash its
 * rows carry, its file text, and a bundle to insert (null when nothing changed).
 */
export interface RecordedEvaluation {
  runId: string;
  /** The revision the evaluation is recorded as: the date's newest one when nothing changed, else the new one. */
  revision: number;
  sha256: string;
  /**
   * The file's exact text: `canonicalJson` of the bundle. Null when nothing
   * changed: the file is then the recorded revision's, which the run exports
   * from the record only where the file does not already hold it, so a run
   * does not hold every recorded bundle of a re-run date.
   */
  text: string | null;
  bundle: BundleWrite | null;
}

const isRecordingField = (key: string) => (RECORDING_FIELDS as readonly string[]).includes(key);

/** SHA-256 of an evaluation from the bundle's canonical members: their canonical JSON without the recording fields. */
function evaluationSha256OfMembers(members: readonly CanonicalMember[]): string {
  return sha256Hex(joinCanonicalMembers(members.filter((m) => !isRecordingField(m.key))));
}

/** SHA-256 of an evaluation: the bundle's canonical JSON without its recording fields. */
export function evaluationSha256(content: Record<string, unknown>): string {
  return evaluationSha256OfMembers(canonicalMembers(content));
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
  const previousSha256 = record?.chainHead ?? null;
  const content = build(key.runId, previousSha256);
  const members = canonicalMembers(content);
  const evaluation = evaluationSha256OfMembers(members);
  const current = record?.current ?? null;
  if (current && current.evaluationSha256 === evaluation) {
    // What it did to live state then may differ from what a re-run would do now: the file is the recorded bundle.
    return { runId: current.runId, revision: current.revision, sha256: current.sha256, text: null, bundle: null };
  }
  const text = joinCanonicalMembers(members);
  const sha256 = sha256Hex(text);
  const revision = (current?.revision ?? 0) + 1;
  return {
    runId: key.runId,
    revision,
    sha256,
    text,
    bundle: {
      testId: key.testId,
      testCode: key.testCode,
      runDate: key.runDate,
      revision,
      runId: key.runId,
      text,
      sha256,
      previousSha256,
      evaluationSha256: evaluation,
    },
  };
}
