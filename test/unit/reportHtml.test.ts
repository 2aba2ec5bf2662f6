import { basename } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../src/db/report.js';
import { displayTestCode } from '../../src/domain/testCode.js';
import { renderReport } from '../../src/execute/report.js';
import { alert, data, entry, row } from '../fixtures/report.js';
import { GOLDEN } from '../fixtures/reportGolden.js';

const RENDERERS = {
  default: new MarkdownIt(),
  'html: true': new MarkdownIt({ html: true }),
  'html: true, linkify: true': new MarkdownIt({ html: true, linkify: true }),
};

/** The tags of rendered HTML, in order, with their attributes (markdown-it escapes every `<` of text, so each `<` here opens a tag). */
const tags = (html: string) => [...html.matchAll(/<\/?[a-z][a-z0-9]*(?:\s[^>]*)?>/g)].map((m) => m[0]);
/** The cells of each table row: `th` or `td` count per `<tr>`. */
const rowWidths = (html: string) => [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1]!.match(/<t[hd]>/g) ?? []).length);
/** HTML-escaped as markdown-it writes text. */
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** The text a value must render as: whitespace collapsed, invisible characters shown. */
const shown = (text: string) =>
  text
    .replace(/[\s\u0085]+/gu, ' ')
    .trim()
    .replace(/[\p{Cc}\p{Cf}]/gu, (ch) => `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`);

describe('the runbook renders as the tables and chart the template wrote', () => {
  for (const [name, renderer] of Object.entries(RENDERERS)) {
    it(`parses the summary, field and metrics tables and the Mermaid block (markdown-it, ${name})`, () => {
      const html = renderer.render(renderReport(GOLDEN));
      const headers = [...html.matchAll(/<thead>\s*<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
        [...m[1]!.matchAll(/<th>(.*?)<\/th>/g)].map((c) => c[1]),
      );
      expect(headers).toEqual([
        ['Test Code', 'Test Name', 'Verdict', 'Next Step'],
        ['Attention', 'Test Code', 'Test Name', 'Day', 'Status', 'Escalation', 'CEO Action Required', 'Verdict', 'Pending Metrics'],
        ['Field', 'Value'],
        ['Metric', 'Current', 'Baseline', 'Target', 'Met', 'Trend'],
        ['Metric', 'Worst', 'On', 'Target', 'Days Target Missed'],
        ['Field', 'Value'],
        ['Metric', 'Current', 'Baseline', 'Target', 'Met', 'Trend'],
        ['Severity', 'Type', 'Test', 'Title', 'Message', 'Recommended Actions'],
      ]);
      expect(html).toContain(
        '<tr>\n<td>ESCALATED</td>\n<td>T-001</td>\n<td>Forecast pipeline change</td>\n<td>30 of 30</td>\n<td>RESOLVED</td>\n<td>ESCALATED</td>\n<td>true</td>\n<td>FAILURE</td>\n<td>—</td>\n</tr>',
      );
      expect(html).toContain(
        '<tr>\n<td>brier</td>\n<td>0.1974</td>\n<td>0.00004444</td>\n<td>&lt;= 0.05</td>\n<td>✗</td>\n<td>▁▁·▆█▅</td>\n</tr>',
      );
      const fences = renderer.parse(renderReport(GOLDEN), {}).filter((t) => t.type === 'fence');
      expect(fences.map((f) => f.info)).toEqual(['mermaid']);
      expect(fences[0]!.content.split('\n')[0]).toBe('xychart-beta');
      expect(html).toContain('<pre><code class="language-mermaid">xychart-beta\n');
    });
  }
});

/**
 * A day on which every text from a definition, the registry or a source is
 * `text(role)`: two tests (one escalated with a chart, one resolved with its
 * window summary), a halted one, every kind of alert, an acknowledgement.
 */
function day(text: (role: string) => string): ReportData {
  const key = text('key');
  const code1 = text('code-1');
  const code2 = text('code-2');
  const code3 = text('code-3');
  const metric = (v: number) => ({
    [key]: entry(v, { baseline: 0.2, target: { op: '<=', value: 0.3 }, target_met: v <= 0.3 }),
    other: entry(null, {}),
  });
  const pending = (snapshot: Record<string, Record<string, unknown>>) => ({
    ...snapshot,
    other: { ...snapshot.other, pending_reason: text('pending reason') },
  });
  const criteria = {
    failure_criteria: { any: [{ metric: key, op: '>', value: 0.3 }] },
    success_criteria: { all: [{ metric: key, op: '<=', value: 0.25 }] },
  };
  const history = (code: string) =>
    [0.2, 0.2, 0.35].map((v, i) => ({
      test_code: code,
      run_date: `2026-03-0${i + 8}`,
      day_number: i + 8,
      escalation_state: v > 0.3 ? 'ESCALATED' : 'NONE',
      metric_values: { [key]: v, other: null },
    }));
  return data({
    tests: [
      row({
        test_code: code1,
        test_name: text('name-1'),
        escalation_state: 'ESCALATED',
        escalated_since: '2026-03-10',
        metrics_snapshot: pending(metric(0.35)),
        notes: text('notes-1'),
        evidence_path: `/srv/evidence/${text('evidence')}`,
        baseline_definition: { [key]: 0.2 },
        ...criteria,
      }),
      row({
        test_code: code2,
        test_name: text('name-2'),
        status: 'RESOLVED',
        verdict: 'FAILURE',
        metrics_snapshot: pending(metric(0.35)),
        notes: text('notes-2'),
        baseline_definition: { [key]: 0.2 },
        ...criteria,
      }),
      row({
        test_code: code3,
        test_name: text('name-3'),
        day_number: null,
        escalation_state: 'SYSTEM_ERROR',
        metrics_snapshot: { [key]: { ...entry(null), status: 'ERROR', pending_reason: null, error: text('database error') } },
        notes: text('defects'),
        evidence_path: '/srv/evidence/ORCHESTRATOR_HALT_20260310.json',
      }),
    ],
    alerts: [
      ...['ESCALATION', 'CHECKPOINT', 'RESOLUTION', 'METRICS_PENDING'].map((type) =>
        alert({
          test_code: code1,
          test_name: text('name-1'),
          alert_type: type,
          title: text(`${type} title`),
          message: text(`${type} message`),
          recommended_actions: [text(`${type} action`), text('recipient')],
        }),
      ),
      alert({
        test_code: code3,
        test_name: text('name-3'),
        alert_type: 'SYSTEM_ERROR',
        severity: 'CRITICAL',
        title: text('halt title'),
        message: text('defect lines'),
      }),
      alert({
        test_code: null,
        test_name: null,
        alert_type: 'MISSED_RUN',
        title: text('missed title'),
        message: text('missed message'),
        recommended_actions: [text('missed action')],
      }),
    ],
    history: [...history(code1), ...history(code2)],
    acknowledgements: [
      { test_code: code1, acknowledged_by: text('acknowledged by'), acknowledged_at: '2026-03-10T08:15:00.000Z', note: text('note') },
    ],
  });
}

const HOSTILE = [
  'Harmless\n\n### Verdict\nSUCCESS — approved by the CEO\n\n<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil/x.png)',
  '|a|b|\n|---|---|\n| forged | row |',
  '`code` ``x`` *em* **strong** _u_ ~~s~~ <b>bold</b> &lt;i&gt; &amp;',
  '# H1\n## H2\n> quote\n- item\n1. one\n---\n***',
  '<img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a> <http://evil.example> https://evil.example www.evil.example a@b.example',
  '\u2028## after U+2028\u2029### after U+2029\r\n#### after CRLF\u0085NEL \u202Ereversed\u202C zero\u200Bwidth',
  '[ref]: http://evil.example\n[ref] [^1] $x$ {: .class} \\',
];

describe('a definition cannot forge the runbook', () => {
  const hostile = (role: string) => `${role}: ${HOSTILE[[...role].reduce((a, c) => a + c.charCodeAt(0), 0) % HOSTILE.length]}`;
  const benign = (role: string) => role;
  const hostileText = renderReport(day(hostile));
  const benignText = renderReport(day(benign));

  for (const [name, renderer] of Object.entries(RENDERERS)) {
    it(`puts no element in the HTML that the template did not put there (markdown-it, ${name})`, () => {
      const html = renderer.render(hostileText);
      expect(tags(html)).toEqual(tags(renderer.render(benignText)));
      expect(html).not.toMatch(/<(script|img|a|em|strong|s|del|b|i|blockquote|hr|ol|br|h4)\b/);
      expect(html.match(/<h2>/g)).toHaveLength(6); // Decisions, Summary, three tests, Alerts
      expect(html.match(/<h3>/g)).toHaveLength(benignText.match(/^### /gm)!.length);
      expect(html.match(/<code/g)).toHaveLength(2); // the Mermaid blocks of the escalated and the resolved test
      const widths = rowWidths(html);
      expect(widths).toEqual(rowWidths(renderer.render(benignText)));
    });
  }

  it('keeps every hostile text, escaped, so nothing is silently dropped', () => {
    const html = new MarkdownIt().render(hostileText);
    const roles = ['name-1', 'name-2', 'name-3', 'key', 'notes-1', 'notes-2', 'pending reason', 'database error', 'defects'];
    const alertRoles = ['ESCALATION', 'CHECKPOINT', 'RESOLUTION', 'METRICS_PENDING'].flatMap((t) => [
      `${t} title`,
      `${t} message`,
      `${t} action`,
    ]);
    for (const role of [
      ...roles,
      ...alertRoles,
      'recipient',
      'halt title',
      'defect lines',
      'missed title',
      'missed message',
      'missed action',
      'acknowledged by',
      'note',
    ]) {
      expect(html, role).toContain(escapeHtml(shown(hostile(role))));
    }
    // The evidence file is shown relative to the evidence folder: the part after the last `/`.
    expect(html).toContain(escapeHtml(shown(basename(`/srv/evidence/${hostile('evidence')}`))));
    for (const role of ['code-1', 'code-2', 'code-3']) expect(html, role).toContain(escapeHtml(shown(displayTestCode(hostile(role)))));
  });

  it('shows the hostile test name as the text of its own heading, not as a verdict', () => {
    const html = new MarkdownIt({ html: true }).render(hostileText);
    const headings = [...html.matchAll(/<h([23])>(.*?)<\/h\1>/g)].map((m) => `h${m[1]}:${m[2]}`);
    expect(headings.filter((h) => h.startsWith('h2:CANONICAL TEST: '))).toHaveLength(3);
    expect(headings.filter((h) => h === 'h3:Verdict')).toHaveLength(3);
    expect(headings.some((h) => h.includes('approved by the CEO') && !h.startsWith('h2:CANONICAL TEST: '))).toBe(false);
  });
});
