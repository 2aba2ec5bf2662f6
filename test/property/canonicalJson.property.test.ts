import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalMembers, joinCanonicalMembers } from '../../src/domain/canonicalJson.js';
import { SEED } from './arbitraries.js';

const RUNS = { seed: SEED, numRuns: 500 } as const;

/** Objects as bundles hold them: any JSON value under any key, undefined members, unicode and control characters in keys and strings. */
const member = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string({ unit: 'binary' }));
const object = fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), member, { maxKeys: 12 });

describe('canonicalMembers', () => {
  it('joined, they are exactly the canonical JSON of the object', () => {
    fc.assert(
      fc.property(object, (value) => {
        expect(joinCanonicalMembers(canonicalMembers(value))).toBe(canonicalJson(value));
      }),
      RUNS,
    );
  });

  it('any subset of them, joined, is the canonical JSON of the object restricted to those keys', () => {
    fc.assert(
      fc.property(object, fc.func(fc.boolean()), (value, keep) => {
        const kept = canonicalMembers(value).filter((m) => keep(m.key));
        const restricted = Object.fromEntries(Object.entries(value).filter(([key]) => keep(key)));
        expect(joinCanonicalMembers(kept)).toBe(canonicalJson(restricted));
      }),
      RUNS,
    );
  });

  it('of an empty object: {} and a line break', () => {
    expect(canonicalMembers({})).toEqual([]);
    expect(joinCanonicalMembers([])).toBe('{}\n');
  });

  it('a nested value is indented one level deeper than on its own', () => {
    expect(canonicalMembers({ b: [1, { c: 'x\ny' }], a: undefined })).toEqual([
      { key: 'b', text: '  "b": [\n    1,\n    {\n      "c": "x\\ny"\n    }\n  ]' },
    ]);
  });
});
