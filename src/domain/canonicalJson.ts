import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const stringify = configure({ deterministic: true, bigint: false, circularValue: Error });

/**
 * The canonical JSON text of a value: object keys sorted, 2-space indent, one
 * final newline. An evidence file holds exactly these bytes, so the bundle
 * stored as `jsonb` (which keeps neither key order nor spacing) always
 * exports to the same bytes and hash.
 *
 * @throws TypeError on a circular structure or a value JSON cannot hold.
 */
export function canonicalJson(value: unknown): string {
  const text = stringify(value, null, 2);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON text');
  return `${text}\n`;
}

/** SHA-256 (hex) of a text's UTF-8 bytes, or of bytes. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One top-level member of an object as {@link canonicalJson} prints it: `  "key": value`, nested lines indented. */
export interface CanonicalMember {
  key: string;
  text: string;
}

/**
 * The top-level members of an object in {@link canonicalJson}'s key order,
 * each serialised once: {@link joinCanonicalMembers} of all of them is exactly
 * `canonicalJson(value)`, and of a subset, the canonical JSON of the object
 * restricted to those keys. So a bundle and its evaluation (the bundle without
 * its recording fields) are hashed from one serialisation, not two.
 *
 * @throws TypeError on a circular structure or a value JSON cannot hold.
 */
export function canonicalMembers(value: Record<string, unknown>): CanonicalMember[] {
  const members: CanonicalMember[] = [];
  for (const key of Object.keys(value).sort()) {
    // The member alone in an object prints exactly as it does among the others: `{\n` + member + `\n}`.
    const text = stringify({ [key]: value[key] }, null, 2);
    if (text === '{}') continue; // undefined and functions are left out, as in JSON
    members.push({ key, text: text.slice(2, -2) });
  }
  return members;
}

/** The canonical JSON text of the object made of `members` (in the order given, as {@link canonicalMembers} returned them). */
export function joinCanonicalMembers(members: readonly CanonicalMember[]): string {
  return members.length === 0 ? '{}\n' : `{\n${members.map((m) => m.text).join(',\n')}\n}\n`;
}
