import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { md } from '../../src/report/markdown.js';

/** Every renderer configuration the runbook must stay inert under. */
const RENDERERS = {
  default: new MarkdownIt(),
  html: new MarkdownIt({ html: true }),
  'html+linkify': new MarkdownIt({ html: true, linkify: true }),
};

/** What the text should render as: whitespace runs collapsed, ends trimmed, invisible characters shown as `\u{…}`. */
function expected(text: string): string {
  return text
    .replace(/[\s\u0085]+/gu, ' ')
    .trim()
    .replace(/[\p{Cc}\p{Cf}]/gu, (ch) => `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/**
 * The inline tokens of `markdown` placed where the runbook places untrusted
 * text (a heading, a table cell, a list item, a paragraph): the block
 * structure must be exactly the template's, and every inline child plain text.
 */
function inlineTexts(renderer: InstanceType<typeof MarkdownIt>, value: string): { blocks: string; texts: string[]; childTypes: string[] } {
  const source = [
    `## CANONICAL TEST: ${value}`,
    '',
    '| Field | Value |',
    '|-------|-------|',
    `| Test Code | ${value} |`,
    '',
    `- ${value}`,
    '',
    `Evidence: ${value}.`,
    '',
  ].join('\n');
  const tokens = renderer.parse(source, {});
  const blocks = tokens
    .filter((t) => t.type !== 'inline')
    .map((t) => t.type)
    .join(' ');
  const inline = tokens.filter((t) => t.type === 'inline');
  return {
    blocks,
    texts: inline.map((t) => (t.children ?? []).map((c) => c.content).join('')),
    childTypes: [...new Set(inline.flatMap((t) => (t.children ?? []).map((c) => c.type)))],
  };
}

const BLOCKS = [
  'heading_open heading_close',
  'table_open thead_open tr_open th_open th_close th_open th_close tr_close thead_close',
  'tbody_open tr_open td_open td_close td_open td_close tr_close tbody_close table_close',
  'bullet_list_open list_item_open paragraph_open paragraph_close list_item_close bullet_list_close',
  'paragraph_open paragraph_close',
].join(' ');

function assertInert(value: string): void {
  const want = expected(value);
  for (const [name, renderer] of Object.entries(RENDERERS)) {
    const { blocks, texts, childTypes } = inlineTexts(renderer, md(value));
    expect(blocks, name).toBe(BLOCKS);
    expect(
      childTypes.filter((t) => t !== 'text'),
      name,
    ).toEqual([]);
    expect(texts, name).toEqual([`CANONICAL TEST: ${want}`, 'Field', 'Value', 'Test Code', want, want, `Evidence: ${want}.`]);
  }
}

describe('md: inert Markdown inline text', () => {
  it('leaves plain text, codes, keys, dates and prose readable and greppable', () => {
    expect(md('EC-022')).toBe('EC-022');
    expect(md('brier_score')).toBe('brier_score');
    expect(md('Window closed 2026-03-30 23:59 Europe/Oslo: verdict FAILURE (current 0.35).')).toBe(
      'Window closed 2026-03-30 23:59 Europe/Oslo: verdict FAILURE (current 0.35).',
    );
    expect(md('brier > 0.3; lift <= 0.1 & more')).toBe('brier > 0.3; lift <= 0.1 & more');
  });

  it('escapes what is markup anywhere in a line', () => {
    expect(md('a|b `c` *d* [e](f) ~g~ #h {i} $j$ @k \\l')).toBe('a\\|b \\`c\\` \\*d\\* \\[e\\](f) \\~g\\~ \\#h \\{i\\} \\$j\\$ \\@k \\\\l');
    expect(md('_x_ snake_case __init__')).toBe('\\_x\\_ snake_case \\_\\_init\\_\\_');
    expect(md('<script> <a href=x> </p> <!-- <?x <=3 < 4')).toBe('\\<script> \\<a href=x> \\</p> \\<!-- \\<?x <=3 < 4');
    expect(md('&amp; &#60; & x')).toBe('\\&amp; \\&\\#60; & x');
    expect(md('see http://evil/x.png javascript:alert(1) www.evil.com WWW.X.org awww.y')).toBe(
      'see http\\:\\//evil/x.png javascript\\:alert(1) www\\.evil.com WWW\\.X.org awww.y',
    );
  });

  it('escapes what opens a block at the start, and collapses line breaks of every kind', () => {
    expect(md('- a')).toBe('\\- a');
    expect(md('+ a')).toBe('\\+ a');
    expect(md('> a')).toBe('\\> a');
    expect(md('=== a')).toBe('\\=== a');
    expect(md('12. a')).toBe('12\\. a');
    expect(md('3) a')).toBe('3\\) a');
    expect(md('  a\n\nb\r\nc\u2028d\u2029e\u0085f\tg  ')).toBe('a b c d e f g');
  });

  it('shows control and format characters instead of obeying them', () => {
    expect(md('a\u202Eb\u200Bc\u0000d')).toBe('a\\\\u\\{202E\\}b\\\\u\\{200B\\}c\\\\u\\{0\\}d');
    expect(md(null)).toBe('');
    expect(md(undefined)).toBe('');
  });

  it('renders as exactly its text, in a heading, a table cell, a list item and a paragraph, under every renderer', () => {
    for (const value of [
      'Harmless\n\n### Verdict\nSUCCESS — approved by the CEO\n\n<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil/x.png)',
      'x|y`z*#\n## forged\u2028| a | b |',
      '- [ ] task',
      '1. one',
      '# heading #',
      '> quote',
      '```js',
      '~~~',
      '    indented code',
      '***',
      '<http://evil.example>',
      'a@b.example and @mention and mailto:a@b.example and //evil.example',
      '&lt;img src=x onerror=alert(1)&gt;',
      '\\| escaped pipe \\\\| two',
      'trailing backslash \\',
      '$x^2$ and $$y$$',
      '{: .class} {#id}',
      'a_b _c_ d__e__ __f__ *g* **h**',
      '[^1] [x]: http://evil',
      'text  ',
      'Ünïcödé_ñame_—_✓',
      '\u202Eevil\u202C \u2066x\u2069',
    ]) {
      assertInert(value);
    }
  });

  it('renders any string over a markup-heavy alphabet as exactly its text (property)', () => {
    const alphabet = fc.constantFrom(
      ...'\\`*_{}[]<>()#+-!|~&;:/.=$@"\'\n\r\t \u2028\u2029\u0085\u202E\u200B\u0000aAz09wW'.split(''),
      'www.',
      'http://',
      '&amp;',
      '&#x3C;',
      '<a>',
      '](',
      '![',
      '```',
      '1.',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        // An empty value never stands alone in a list item of the runbook (empty notes are left out).
        fc.pre(expected(parts.join('')) !== '');
        assertInert(parts.join(''));
      }),
      { numRuns: 400 },
    );
  });
});
