import { describe, expect, it } from 'vitest';
import { jsonFile, stableBundle } from '../../src/domain/fileNames.js';

const FRESH = 'fresh-run';
const EARLIER = 'earlier-run';
const OTHER = 'other-run';

/** The bundle of a run id: its content names the run, so each run id has its own hash. */
const build = (runId: string) => jsonFile('/e/x.json', { run_id: runId, verdict: 'PENDING' });
const row = (run_id: string, evidence_sha256: string | null) => ({ run_id, evidence_sha256 });
const sha = (runId: string) => build(runId).sha256;

describe('stableBundle', () => {
  it('keeps the earlier run id when every row was written by that run with exactly this bundle', () => {
    expect(stableBundle(build, FRESH, [row(EARLIER, sha(EARLIER)), row(EARLIER, sha(EARLIER))])).toEqual({
      runId: EARLIER,
      file: build(EARLIER),
    });
  });

  it.each<[string, ({ run_id: string; evidence_sha256: string | null } | null)[]]>([
    ['there are no rows', []],
    ['the only row is missing', [null]],
    ['one of the rows is missing', [row(EARLIER, sha(EARLIER)), null]],
    ['another run wrote one of the rows, even with the same bundle', [row(EARLIER, sha(EARLIER)), row(OTHER, sha(EARLIER))]],
    ['one row holds another bundle', [row(EARLIER, sha(EARLIER)), row(EARLIER, sha(OTHER))]],
    ['a row has no hash', [row(EARLIER, null)]],
  ])('takes the fresh run id when %s', (_name, existing) => {
    expect(stableBundle(build, FRESH, existing)).toEqual({ runId: FRESH, file: build(FRESH) });
  });
});
