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
/** Control and format characters (bidi overrides, zero-width characters, NUL): shown, not obeyed. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;
const WORD = /[\p{L}\p{N}]/u;
/** Escaped wherever they stand: code, emphasis, links, tables, strikethrough, headings' closing #, attributes, math, mentions, entities' tails. */
const ALWAYS = new Set(['\\', '`', '*', '[', ']', '|', '~', '#', '{', '}', '$', '@']);

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
  const chars = [...String(text ?? '').replace(WHITESPACE, ' ').trim()];
  let leadingDigits = 0;
  while (leadingDigits < chars.length && /[0-9]/.test(chars[leadingDigits]!)) leadingDigits++;
  let out = '';
  chars.forEach((ch, i) => {
    const prev = chars[i - 1];
    const next = chars[i + 1];
    if (INVISIBLE.test(ch)) {
      out += `\\\\u\\{${ch.codePointAt(0)!.toString(16).toUpperCase()}\\}`;
    } else if (ALWAYS.has(ch)) {
      out += `\\${ch}`;
    } else if (ch === '_') {
      out += prev !== undefined && next !== undefined && WORD.test(prev) && WORD.test(next) ? '_' : '\\_';
    } else if (ch === '<') {
      out += next !== undefined && /[\s=0-9]/.test(next) ? '<' : '\\<';
    } else if (ch === '&') {
      out += next !== undefined && /\s/.test(next) ? '&' : '\\&';
    } else if (ch === ':') {
      out += prev !== undefined && /[A-Za-z]/.test(prev) && next !== undefined && !/\s/.test(next) ? '\\:' : ':';
    } else if (ch === '/') {
      out += next === '/' ? '\\/' : '/';
    } else if (ch === '.' && /^www$/i.test(chars.slice(Math.max(0, i - 3), i).join('')) && (i === 3 || !WORD.test(chars[i - 4]!))) {
      out += '\\.';
    } else if (i === 0 && /[-+=>]/.test(ch)) {
      out += `\\${ch}`;
    } else if ((ch === '.' || ch === ')') && i > 0 && i === leadingDigits) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  });
  return out as Md;
}

/** Joins inert parts with a trusted separator. */
export function joinMd(parts: readonly Md[], separator: string): Md {
  return parts.join(separator) as Md;
}
