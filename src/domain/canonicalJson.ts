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

/** SHA-256 (hex) of a text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
