import { describe, expect, it } from 'vitest';
import { evaluationSha256, recordEvaluation, type TestRecord } from '../../src/domain/bundle.js';
import { canonicalJson, sha256Hex } from '../../src/domain/canonicalJson.js';

const KEY = { testId: 'test-a', testCode: 'EC-022', runDate: '2026-03-29', runId: 'run-new' };

/** A bundle whose evaluation is `verdict`; the recording fields come from the run id and previous hash. */
const builder = (verdict: string) => (runId: string, previousSha256: string | null) => ({
  schema: 'x/1',
  verdict,
  run_id: runId,
  previous_bundle_sha256: previousSha256,
  actions: [`done by ${runId}`],
  live_state_updated: true,
  live_state_before: { status: 'ACTIVE' },
});

/** The record of a test and date whose newest bundle (revision 3, run `run-old`) is `old`, with the chain's head at `head`. */
function recordedAs(old: Record<string, unknown>): TestRecord {
  return {
    current: {
      revision: 3,
      runId: 'run-old',
      sha256: 'sha-old',
      previousSha256: 'older',
      evaluationSha256: evaluationSha256(old),
    },
    chainHead: 'head',
  };
}

describe('evaluationSha256', () => {
  it('ignores each recording field and nothing else', () => {
    const base = builder('PENDING')('run-1', 'abc');
    const hash = evaluationSha256(base);
    expect(hash).toBe(sha256Hex(canonicalJson({ schema: 'x/1', verdict: 'PENDING' })));
    for (const field of ['run_id', 'previous_bundle_sha256', 'actions', 'live_state_updated', 'live_state_before']) {
      expect(evaluationSha256({ ...base, [field]: 'changed' })).toBe(hash);
    }
    expect(evaluationSha256({ ...base, verdict: 'SUCCESS' })).not.toBe(hash);
    expect(evaluationSha256({ ...base, schema: 'x/2' })).not.toBe(hash);
  });
});

describe('recordEvaluation', () => {
  it('records a first evaluation as revision 1 with no previous bundle', () => {
    const content = builder('PENDING')('run-new', null);
    const text = canonicalJson(content);
    expect(recordEvaluation(builder('PENDING'), undefined, KEY)).toEqual({
      runId: 'run-new',
      revision: 1,
      sha256: sha256Hex(text),
      text,
      bundle: {
        testId: 'test-a',
        testCode: 'EC-022',
        runDate: '2026-03-29',
        revision: 1,
        runId: 'run-new',
        text,
        sha256: sha256Hex(text),
        previousSha256: null,
        evaluationSha256: evaluationSha256(content),
      },
    });
  });

  it("chains a first evaluation of the date to the test's newest bundle", () => {
    const recorded = recordEvaluation(builder('PENDING'), { current: null, chainHead: 'head' }, KEY);
    const content = builder('PENDING')('run-new', 'head');
    expect(recorded.text).toBe(canonicalJson(content));
    expect(recorded.bundle?.revision).toBe(1);
    expect(recorded.bundle?.previousSha256).toBe('head');
    expect(recorded.bundle?.text).toBe(canonicalJson(content));
  });

  it('keeps the recorded revision, run id and hash when the evaluation is unchanged, and leaves its text to the record', () => {
    const old = builder('PENDING')('run-old', 'older');
    const record = recordedAs(old);
    expect(recordEvaluation(builder('PENDING'), record, KEY)).toEqual({
      runId: 'run-old',
      revision: 3,
      sha256: 'sha-old',
      text: null,
      bundle: null,
    });
  });

  it('records a changed evaluation as the next revision, chained to the newest bundle', () => {
    const old = builder('PENDING')('run-old', 'older');
    const record = recordedAs(old);
    const recorded = recordEvaluation(builder('SUCCESS'), record, KEY);
    const content = builder('SUCCESS')('run-new', 'head');
    expect(recorded.runId).toBe('run-new');
    expect(recorded.text).toBe(canonicalJson(content));
    expect(recorded.sha256).toBe(sha256Hex(canonicalJson(content)));
    expect(recorded.bundle).toEqual({
      testId: 'test-a',
      testCode: 'EC-022',
      runDate: '2026-03-29',
      revision: 4,
      runId: 'run-new',
      text: canonicalJson(content),
      sha256: sha256Hex(canonicalJson(content)),
      previousSha256: 'head',
      evaluationSha256: evaluationSha256(content),
    });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, indents by two spaces and ends with one newline', () => {
    expect(canonicalJson({ b: 1, a: [{ d: true, c: null }] })).toBe(
      '{\n  "a": [\n    {\n      "c": null,\n      "d": true\n    }\n  ],\n  "b": 1\n}\n',
    );
  });

  it('refuses a value without JSON text and a circular one', () => {
    expect(() => canonicalJson(undefined)).toThrow(new TypeError('canonicalJson: the value has no JSON text'));
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow();
  });
});
