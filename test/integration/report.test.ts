import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import type { CommonQueryMethods } from 'slonik';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { loadReportData, newReportHistoryCache, type ReportHistory } from '../../src/db/report.js';
import { setSessionZone } from '../../src/db/session.js';
import { renderReport } from '../../src/execute/report.js';
import { writeReportFile } from '../../src/execute/reportFile.js';
import { runDate } from '../../src/run/runDate.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, grantSources, insertTest, tempSettings } from '../helpers/fixtures.js';

/** A report's history rows, test after test. */
const rowsOf = (history: ReportHistory) => [...history.values()].flat();

let db: TestDatabase;
let settings: Settings;

beforeEach(async () => {
  db = await freshDatabase();
  await createSources(db);
  settings = tempSettings();
});
afterEach(async () => {
  await db.drop();
});

const report = (date: string) => readFileSync(join(settings.reportsDir, `RUNBOOK_${date.replaceAll('-', '')}.md`), 'utf8');

/** Runs each date from 2026-03-01 to `last` (day of March) in order. */
async function runThrough(last: number): Promise<void> {
  for (let d = 1; d <= last; d++) {
    const result = await runDate(db.pool, { date: `2026-03-${String(d).padStart(2, '0')}`, settings });
    expect(result.exitCode).toBe(0);
  }
}

/** A short test: window 2026-03-01 00:00 → 2026-03-04 23:59:59 Oslo, 4 days; it closes on 2026-03-05. */
const SHORT = { test_code: 'T-SHORT', test_name: 'Short window', end_ts: '2026-03-04T23:59:59+01:00', required_days: 4 };

/** brier flat at 0.2 for four mornings, then 0.35 on the fifth (above the failure threshold 0.3). */
const FLAT_THEN_JUMP: [string, number, number][] = [
  ['2026-03-01T04:00:00Z', 0.2, 0],
  ['2026-03-02T04:00:00Z', 0.2, 0],
  ['2026-03-03T04:00:00Z', 0.2, 0],
  ['2026-03-04T04:00:00Z', 0.2, 0],
  ['2026-03-05T04:00:00Z', 0.35, 0],
];

describe('the runbook of a run, from the database rows of its date', () => {
  it('shows a flat metric that jumps, the escalation with its chart, and the close with its window summary', async () => {
    await addDaily(db, FLAT_THEN_JUMP);
    await insertTest(db);
    await insertTest(db, SHORT);
    await runThrough(5);

    const text = report('2026-03-05');
    expect(text).toContain(
      [
        '# Canonical Test Runbook — 2026-03-05 (Europe/Oslo)',
        '',
        '## Decisions',
        '',
        '### Verdicts Reached',
        '',
        '| Test Code | Test Name | Verdict | Next Step |',
        '|-----------|-----------|---------|-----------|',
        '| T-SHORT | Short window | SUCCESS | Promote the change: the success criteria held at the close of the window |',
        '',
        '### Newly Escalated',
        '',
        '| Test Code | Test Name | Severity | Reasons |',
        '|-----------|-----------|----------|---------|',
        '| T-001 | Forecast pipeline change | CRITICAL | failure criteria met: brier > 0.3 (current 0.35) (escalated since 2026-03-05) |',
        '',
        'Otherwise: no test in SYSTEM_ERROR and no review due.',
        '',
        '## Summary',
        '',
        '2 tests, 2 needing attention (listed first): 1 ESCALATED, 1 VERDICT REACHED.',
        '',
        '| Attention | Test Code | Test Name | Day | Status | Escalation | CEO Action Required | Verdict | Pending Metrics |',
        '|-----------|-----------|-----------|-----|--------|------------|---------------------|---------|-----------------|',
        '| ESCALATED | T-001 | Forecast pipeline change | 5 of 30 | ACTIVE | ESCALATED | true | PENDING | — |',
        '| VERDICT REACHED | T-SHORT | Short window | 4 of 4 | RESOLVED | NONE | true | SUCCESS | — |',
        '',
        '## CANONICAL TEST: Forecast pipeline change',
        '',
        '| Field | Value |',
        '|-------|-------|',
        '| Test Code | T-001 |',
        '| Day | 5 of 30 |',
        '| Status | ACTIVE |',
        '| Escalation | ESCALATED |',
        '| CEO Action Required | true |',
        '',
        '### Metrics Snapshot',
        '| Metric | Current | Baseline | Target | Met | Trend |',
        '|--------|---------|----------|--------|-----|-------|',
        '| brier | 0.35 | 0.25 | <= 0.24 | ✗ | ▁▁▁▁█ |',
        '| ready | true | — | — | — | █████ |',
        '',
        '### Verdict',
        'PENDING',
        '',
        '### Deciding Metric',
        'brier > 0.3 (failure criteria met), charted over the window against its threshold.',
        '',
        '```mermaid',
        'xychart-beta',
        '    title "Deciding metric and its threshold"',
        '    x-axis ["03-01", "03-02", "03-03", "03-04", "03-05"]',
        '    y-axis "value"',
        '    line [0.2, 0.2, 0.2, 0.2, 0.35]',
        '    line [0.3, 0.3, 0.3, 0.3, 0.3]',
        '```',
        '',
        '### Notes',
        '- Escalated since 2026-03-05.',
        '- Window: 2026-03-01 00:00 to 2026-03-30 23:59.',
        '- All metrics available. Escalated since 2026-03-05: failure criteria met: brier > 0.3 (current 0.35).',
      ].join('\n'),
    );
    // The close: evaluated as of 2026-03-04 23:59:59, so the 0.35 of the 5th does not count.
    expect(text).toContain(
      [
        '### Verdict',
        'SUCCESS',
        '',
        '### Deciding Metric',
        'brier <= 0.24 (first success condition), charted over the window against its threshold.',
        '',
        '```mermaid',
        'xychart-beta',
        '    title "Deciding metric and its threshold"',
        '    x-axis ["03-01", "03-02", "03-03", "03-04", "03-05"]',
        '    y-axis "value"',
        '    line [0.2, 0.2, 0.2, 0.2, 0.2]',
        '    line [0.24, 0.24, 0.24, 0.24, 0.24]',
        '```',
        '',
        '### Window Summary',
        'First breach of the failure criteria: none. Days escalated: 0 of 5 evaluated.',
        '',
        '| Metric | Worst | On | Target | Days Target Missed |',
        '|--------|-------|----|--------|--------------------|',
        '| brier | 0.2 | 2026-03-01 | <= 0.24 | 0 |',
        '| ready | true | 2026-03-05 | — | — |',
        '',
        '### Notes',
        '- Window: 2026-03-01 00:00 to 2026-03-04 23:59.',
      ].join('\n'),
    );
    // Evidence paths are relative to the evidence folder.
    expect(text).toContain(`- Evidence: ORCHESTRATOR_T-001_20260305.json (SHA-256 `);
    expect(text).not.toContain(settings.evidenceDir);

    // The day before: no escalation, no chart, nothing to decide.
    const before = report('2026-03-04');
    expect(before).toContain(
      '## Decisions\n\nNothing to decide: no verdict reached, no test newly escalated, no test in SYSTEM_ERROR and no review due.\n',
    );
    expect(before).toContain('| brier | 0.2 | 0.25 | <= 0.24 | ✓ | ▄▄▄▄ |\n');
    expect(before).not.toContain('```mermaid');
  });

  it('renders the same bytes when the date is run again', async () => {
    await addDaily(db, [['2026-03-01T04:00:00Z', 0.2, 0]]);
    await insertTest(db);
    await runThrough(2);
    const first = report('2026-03-02');
    expect((await runDate(db.pool, { date: '2026-03-02', settings })).exitCode).toBe(0);
    expect(report('2026-03-02')).toBe(first);
  });

  it('says in one sentence that a date has no ACTIVE test', async () => {
    expect((await runDate(db.pool, { date: '2026-03-10', settings })).exitCode).toBe(0);
    expect(report('2026-03-10')).toBe(
      [
        '# Canonical Test Runbook — 2026-03-10 (Europe/Oslo)',
        '',
        'No ACTIVE test on 2026-03-10: nothing was evaluated.',
        '',
        '## Alerts',
        '',
        'No alerts for this date.',
        '',
      ].join('\n'),
    );
  });

  it('renders a hostile definition (name, code, registry key) as inert text', async () => {
    const key = 'br|er`*#\n## forged\u2028<img src=x>';
    await db.exec(
      `INSERT INTO fhq_calendar.test_signal_registry (signal_key, source_schema, source_table, source_column, time_column, aggregation)
       VALUES ($1, 'fixture', 'daily', 'brier', 'ts', 'LATEST')`,
      [key],
    );
    await grantSources(db);
    await addDaily(db, [['2026-03-01T04:00:00Z', 0.35, 0]]);
    const name =
      'Harmless\n\n### Verdict\nSUCCESS — approved by the CEO\n\n<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil/x.png)';
    await insertTest(db, {
      test_code: 'EC|1`*#',
      test_name: name,
      baseline_definition: { [key]: 0.25 },
      target_metrics: { [key]: { op: '<=', value: 0.24 } },
      success_criteria: { all: [{ metric: key, op: '<=', value: 0.24 }] },
      failure_criteria: { any: [{ metric: key, op: '>', value: 0.3 }] },
      escalation_path: { owner: '[owner](javascript:x)', notify: ['<b>ceo</b>'] },
    });
    expect((await runDate(db.pool, { date: '2026-03-01', settings })).exitCode).toBe(0);
    const text = report('2026-03-01');
    expect(text).toContain(
      '| ESCALATED | EC\\|1\\`\\*\\# | Harmless \\#\\#\\# Verdict SUCCESS — approved by the CEO \\<script>alert(1)\\</script> \\[click\\](javascript\\:alert(1)) !\\[x\\](http\\:\\//evil/x.png) | 1 of 30 |',
    );
    expect(text).toContain('| br\\|er\\`\\*\\# \\#\\# forged \\<img src=x> | 0.35 | 0.25 | <= 0.24 | ✗ | ▄ |\n');
    for (const options of [{}, { html: true }, { html: true, linkify: true }]) {
      const html = new MarkdownIt(options).render(text);
      expect(html).not.toMatch(/<(script|img|a|em|strong|blockquote|br)\b/);
      expect([...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((m) => m[1])).toEqual([
        'Decisions',
        'Summary',
        'CANONICAL TEST: Harmless ### Verdict SUCCESS — approved by the CEO &lt;script&gt;alert(1)&lt;/script&gt; [click](javascript:alert(1)) ![x](http://evil/x.png)',
        'Alerts',
      ]);
      expect([...html.matchAll(/<h3>(.*?)<\/h3>/g)].map((m) => m[1])).toEqual([
        'Newly Escalated',
        'Metrics Snapshot',
        'Verdict',
        'Deciding Metric',
        'Notes',
      ]);
      expect(html).toContain('<td>br|er`*# ## forged &lt;img src=x&gt;</td>');
    }
  });
});

describe('loadReportData', () => {
  /** The evaluator's pool, counting the statements sent through it. */
  function counting(target: CommonQueryMethods): { db: CommonQueryMethods; calls: () => number } {
    let calls = 0;
    const db = new Proxy(target, {
      get(object, property, receiver) {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls += 1;
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
    return { db, calls: () => calls };
  }

  it('reads the rows, alerts and every test history of a date in the same number of queries, whatever the number of tests', async () => {
    await addDaily(db, [['2026-03-01T04:00:00Z', 0.2, 0]]);
    await insertTest(db);
    await runThrough(3);
    const one = counting(db.pool);
    const single = await loadReportData(one.db, '2026-03-03', { zone: 'Europe/Oslo' });
    expect(rowsOf(single.history).map((h) => [h.test_code, h.run_date, h.day_number])).toEqual([
      ['T-001', '2026-03-01', 1],
      ['T-001', '2026-03-02', 2],
      ['T-001', '2026-03-03', 3],
    ]);

    for (const code of ['T-002', 'T-003', 'T-004']) await insertTest(db, { test_code: code });
    await runDate(db.pool, { date: '2026-03-03', settings });
    const many = counting(db.pool);
    const four = await loadReportData(many.db, '2026-03-03', { zone: 'Europe/Oslo' });
    expect(four.tests.map((t) => t.test_code)).toEqual(['T-001', 'T-002', 'T-003', 'T-004']);
    expect(rowsOf(four.history)).toHaveLength(6);
    expect(many.calls()).toBe(one.calls());
    expect(one.calls()).toBe(4); // rows, alerts, history, acknowledgements
    expect(four).toMatchObject({ date: '2026-03-03', zone: 'Europe/Oslo', acknowledgements: [] });
    expect(rowsOf(four.history).find((h) => h.test_code === 'T-001' && h.run_date === '2026-03-03')?.metric_values).toEqual({
      brier: 0.2,
      ready: true,
    });
  });

  it("with a backfill's cache reads, date after date, exactly the history it reads without one: Day 0 left out, a renamed test, a moved window", async () => {
    await addDaily(db, [['2026-03-01T04:00:00Z', 0.2, 0]]);
    // The window opens at noon: the 06:00 evaluation of its first date is still Day 0.
    await insertTest(db, { start_ts: '2026-03-03T12:00:00+01:00' });
    await runThrough(6);
    const cache = newReportHistoryCache();
    const seen: string[][] = [];
    for (let d = 1; d <= 6; d++) {
      if (d === 4) await db.exec(`UPDATE fhq_calendar.canonical_test_events SET test_code = 'T-RENAMED'`);
      if (d === 5) await db.exec(`UPDATE fhq_calendar.canonical_test_events SET start_ts = '2026-03-04T00:00:00+01:00'`);
      const date = `2026-03-0${d}`;
      const cached = await loadReportData(db.pool, date, { zone: 'Europe/Oslo', historyCache: cache });
      expect(cached).toEqual(await loadReportData(db.pool, date, { zone: 'Europe/Oslo' }));
      seen.push(rowsOf(cached.history).map((h) => `${h.test_code} ${h.run_date} ${h.day_number}`));
    }
    expect(seen).toEqual([
      [],
      [],
      [],
      ['T-RENAMED 2026-03-04 2'],
      ['T-RENAMED 2026-03-04 2', 'T-RENAMED 2026-03-05 3'],
      ['T-RENAMED 2026-03-04 2', 'T-RENAMED 2026-03-05 3', 'T-RENAMED 2026-03-06 4'],
    ]);
  });

  it("takes the session's zone when none is given", async () => {
    await db.pool.connect(async (conn) => {
      await setSessionZone(conn, 'America/New_York');
      expect((await loadReportData(conn, '2026-03-03')).zone).toBe('America/New_York');
    });
  });
});

describe('writeReportFile', () => {
  /**
   * Five tests over five mornings: T-001 escalates on the fifth (brier 0.35), T-SHORT reaches its verdict
   * then, A-1 and A-2 come first in the rows but last in the runbook (nothing needs attention there).
   */
  async function fiveDays(): Promise<void> {
    await addDaily(db, FLAT_THEN_JUMP);
    await insertTest(db);
    for (const code of ['A-1', 'A-2'])
      await insertTest(db, { test_code: code, failure_criteria: { any: [{ metric: 'brier', op: '>', value: 0.5 }] } });
    await insertTest(db, SHORT);
    await runThrough(5);
  }

  /** The runbook of `date` written with `chunkTests` tests a chunk into a fresh file, its text and whether it was written. */
  async function written(date: string, chunkTests: number, options: { historyCache?: ReturnType<typeof newReportHistoryCache> } = {}) {
    const path = join(tempSettings().reportsDir, 'RUNBOOK.md');
    const wrote = await db.pool.connect(async (conn) => {
      await setSessionZone(conn, 'Europe/Oslo');
      return writeReportFile(conn, date, path, { chunkTests, ...options });
    });
    return { path, wrote, text: readFileSync(path, 'utf8') };
  }

  it('writes, chunk by chunk, the bytes renderReport renders from every row at once, and the run wrote', async () => {
    await fiveDays();
    const whole = renderReport(await loadReportData(db.pool, '2026-03-05', { zone: 'Europe/Oslo' }));
    expect(whole.indexOf('## CANONICAL TEST: Forecast pipeline change')).toBeLessThan(whole.indexOf('## CANONICAL TEST: Short window'));
    expect(whole).toContain('| ESCALATED | T-001 |');
    expect(whole).toContain('| VERDICT REACHED | T-SHORT |');
    expect(whole.match(/^\| — \| A-[12] \|/gm)).toEqual(['| — | A-1 |', '| — | A-2 |']);
    expect(whole.indexOf('| — | A-1 |')).toBeGreaterThan(whole.indexOf('| VERDICT REACHED | T-SHORT |'));
    expect(report('2026-03-05')).toBe(whole);
    for (const chunk of [1, 2, 3, 500]) {
      const { wrote, text } = await written('2026-03-05', chunk);
      expect(wrote).toBe(true);
      expect(text).toBe(whole);
    }
  });

  it("with a backfill's cache, date after date, writes what it writes without one", async () => {
    await fiveDays();
    const cache = newReportHistoryCache();
    for (let d = 1; d <= 5; d++) {
      const date = `2026-03-0${d}`;
      const { text } = await written(date, 2, { historyCache: cache });
      expect(text).toBe(renderReport(await loadReportData(db.pool, date, { zone: 'Europe/Oslo' })));
    }
  });

  it('leaves a file that already holds the runbook untouched, and a failure leaves the old file and no temporary one', async () => {
    await fiveDays();
    const { path, text } = await written('2026-03-05', 2);
    const before = statSync(path).mtimeMs;
    const again = await db.pool.connect(async (conn) => {
      await setSessionZone(conn, 'Europe/Oslo');
      return writeReportFile(conn, '2026-03-05', path, { chunkTests: 2 });
    });
    expect(again).toBe(false);
    expect(statSync(path).mtimeMs).toBe(before);

    writeFileSync(path, 'an older runbook\n');
    // Queries: alerts, acknowledgements, then the rows of each chunk (the second read ahead) and its history: the sixth,
    // the second chunk's history, fails once the first chunk's sections are in their spools.
    let rowQueries = 0;
    const failing = new Proxy(db.pool, {
      get(pool, property, receiver) {
        if (property !== 'transaction') return Reflect.get(pool, property, receiver) as unknown;
        return (handler: (tx: CommonQueryMethods) => Promise<unknown>) =>
          pool.transaction((tx) =>
            handler(
              new Proxy(tx, {
                get(t, p, r) {
                  const value: unknown = Reflect.get(t, p, r);
                  if (p === 'any' && ++rowQueries === 6) return () => Promise.reject(new Error('connection lost'));
                  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
                },
              }),
            ),
          );
      },
    });
    await expect(writeReportFile(failing, '2026-03-05', path, { chunkTests: 2 })).rejects.toThrow('connection lost');
    expect(rowQueries).toBe(6);
    expect(readFileSync(path, 'utf8')).toBe('an older runbook\n');
    expect(readdirSync(join(path, '..'))).toEqual(['RUNBOOK.md']);
    expect(text).toContain('# Canonical Test Runbook — 2026-03-05');
  });
});
