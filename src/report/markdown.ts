/**
 * Markdown text that is safe to place in the runbook as it is: either inert
 * text made by {@link md}, or Markdown the report itself generated (numbers,
 * dates, enumerations, sparklines) and marked with {@link trusted}. The
 * Handlebars templates output nothing else: the view they are given is built
 * only of `Md` values, so a string from a definition cannot reach them raw.
 */
export type Md = string & { readonly __inertMarkdown: unique symbol };

/** Text the report generated itself (never text from a definition, the registry or a source). */
export function trusted(text: string): Md {
  return text as Md;
}

/** Whitespace, line and paragraph separators, and NEL: collapsed to one space. */
const WHITESPACE = /[\s\u0085]+/gu;
/** The characters that may need an escape; everything else is copied as it is. */
const SPECIAL = /[\\`*[\]|~#{}$@_<&:/.\p{Cc}\p{Cf}]/gu;
/** Control and format characters (bidi overrides, zero-width characters, NUL): shown, not obeyed. */
const INVISIBLE = /^[\p{Cc}\p{Cf}]$/u;
const WORD = /^[\p{L}\p{N}]$/u;
/** Escaped wherever they stand: code, emphasis, links, tables, strikethrough, headings' closing #, attributes, math, mentions. */
const ALWAYS = new Set(['\\', '`', '*', '[', ']', '|', '~', '#', '{', '}', '$', '@']);

/** The code point before `offset` in `text` (a whole surrogate pair), or undefined at the start. */
function before(text: string, offset: number): string | undefined {
  if (offset === 0) return undefined;
  const low = text.charCodeAt(offset - 1);
  return offset >= 2 && low >= 0xdc00 && low <= 0xdfff ? text.slice(offset - 2, offset) : text[offset - 1];
}

/** The code point after the one of `length` UTF-16 units at `offset`, or undefined at the end. */
function after(text: string, offset: number, length: number): string | undefined {
  const cp = text.codePointAt(offset + length);
  return cp === undefined ? undefined : String.fromCodePoint(cp);
}

function escapeSpecial(ch: string, offset: number, text: string): string {
  if (ALWAYS.has(ch)) return `\\${ch}`;
  if (INVISIBLE.test(ch)) return `\\\\u\\{${ch.codePointAt(0)!.toString(16).toUpperCase()}\\}`;
  const prev = before(text, offset);
  const next = after(text, offset, ch.length);
  switch (ch) {
    case '_':
      return prev !== undefined && next !== undefined && WORD.test(prev) && WORD.test(next) ? '_' : '\\_';
    case '<':
      return next !== undefined && /[\s=0-9]/.test(next) ? '<' : '\\<';
    case '&':
      return next !== undefined && /\s/.test(next) ? '&' : '\\&';
    case ':':
      return prev !== undefined && /[A-Za-z]/.test(prev) && next !== undefined && !/\s/.test(next) ? '\\:' : ':';
    case '/':
      return next === '/' ? '\\/' : '/';
    default: // '.': the dot of `www.` at the start of a word
      return offset >= 3 && /^www$/i.test(text.slice(offset - 3, offset)) && (offset === 3 || !WORD.test(before(text, offset - 3)!))
        ? '\\.'
        : '.';
  }
}

/**
 * Makes text from a definition, the registry or a source (a test name or
 * code, a metric key, notes, reasons, alert titles and messages, recipients,
 * a database error) inert Markdown inline text, for a table cell, a heading or
 * a line of prose. The result renders as exactly the input, with every run of
 * whitespace (line breaks, U+2028, U+2029, NEL, tabs) collapsed to one space,
 * the ends trimmed, and control or format characters shown as `\u{202E}`; it
 * never renders as markup: no line break, heading, list, quote, table cell
 * break, code, emphasis, strikethrough, link, autolink, image, HTML or entity.
 *
 * Escaped with a backslash: always `\ ` * [ ] | ~ # { } $ @`; `_` unless both
 * of its neighbours are letters or digits (an intraword `_` opens no
 * emphasis); `<` unless a space, `=` or digit follows (only `<` followed by a
 * letter, `/`, `!` or `?` opens HTML or an autolink); `&` unless whitespace
 * follows; `:` after a letter and before a non-space (a URL scheme such as
 * `javascript:`); `/` before `/`; the dot of `www.`; and at the start of the
 * text `- + = >` and the `.` or `)` of `1.` / `1)`, which would open a list, a
 * quote or a heading underline there. `( ) ! - +` elsewhere stay as they are:
 * with `[` and `]` escaped they cannot form a link or an image, and a test
 * code such as `EC-022` stays greppable in the raw file.
 *
 * @param text untrusted text; null or undefined renders as the empty string.
 * @returns inert Markdown (pure).
 */
export function md(text: string | null | undefined): Md {
  const collapsed = String(text ?? '')
    .replace(WHITESPACE, ' ')
    .trim();
  let out = collapsed.replace(SPECIAL, escapeSpecial);
  // At the start of a line these open a list, a quote or a heading underline; `#` and backticks are escaped already.
  if (/^[-+=>]/.test(out)) out = `\\${out}`;
  else out = out.replace(/^([0-9]+)([.)])/, '$1\\$2');
  return out as Md;
}

/** Joins inert parts with a trusted separator. */
export function joinMd(parts: readonly Md[], separator: string): Md {
  return parts.join(separator) as Md;
}
