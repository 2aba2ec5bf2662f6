/** Longest `test_code` the gate accepts, in code points (the file-name sanitiser caps at 80). */
export const MAX_TEST_CODE_LENGTH = 64;

/** Control, format, line- and paragraph-separator characters: invisible or line-breaking in logs, alerts and reports. */
const INVISIBLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `U+202E` for a character. */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks a `test_code` before it names alerts, log lines, evidence
 * and report sections. Refused: empty or
 * blank; longer than {@link MAX_TEST_CODE_LENGTH} code points; control or
 * format characters (Unicode Cc, Cf, e.g. U+0001, tab, U+200B, U+202E) or line
 * and paragraph separators (Zl, Zp); leading or trailing whitespace; a path
 * separator `/` or `\`; dots only (`.`, `..`). Letters of any script, digits,
 * inner spaces and punctuation stay allowed: the file name is sanitised
 * separately (`sanitizeTestCode`).
 *
 * @param code the code as stored.
 * @returns the first problem found as a sentence, or null when the code is acceptable (pure; never throws).
 */
export function testCodeProblem(code: string): string | null {
  if (code.trim() === '') return code === '' ? 'must not be empty' : 'must not be blank';
  const length = [...code].length;
  if (length > MAX_TEST_CODE_LENGTH) return `must be at most ${MAX_TEST_CODE_LENGTH} characters (is ${length})`;
  const invisible = [...new Set(code.match(INVISIBLE_ALL) ?? [])];
  if (invisible.length > 0) return `must not contain control or format characters (has ${invisible.map(codePoint).join(', ')})`;
  if (/^\s|\s$/u.test(code)) return 'must not start or end with whitespace';
  if (/[/\\]/.test(code)) return 'must not contain a path separator (/ or \\)';
  if (/^\.+$/.test(code)) return 'must not consist of dots only';
  return null;
}

/**
 * A test code as it may be shown in a message line: unchanged when it passes
 * {@link testCodeProblem}; otherwise quoted, with every control or format
 * character written as `\u{…}` and cut after {@link MAX_TEST_CODE_LENGTH}
 * code points (`…`), so a hostile code cannot reorder, hide, break or flood the
 * line that names it.
 *
 * @param code the code as stored.
 * @returns printable text (pure; never throws).
 */
export function displayTestCode(code: string): string {
  if (testCodeProblem(code) === null) return code;
  const points = [...code];
  const shown = points.length > MAX_TEST_CODE_LENGTH ? `${points.slice(0, MAX_TEST_CODE_LENGTH).join('')}…` : code;
  const escaped = shown
    .replace(/["\\]/g, (ch) => `\\${ch}`)
    .replace(INVISIBLE_ALL, (ch) => `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`);
  return `"${escaped}"`;
}
