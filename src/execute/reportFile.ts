import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { CommonQueryMethods } from 'slonik';
import { loadReportHead, loadReportHistory, loadReportOrder, loadReportRows, reportZone, type ReportHistoryCache } from '../db/report.js';
import { chunksOf } from '../db/json.js';
import { readOnlySnapshot } from '../db/session.js';
import type { PhaseHook } from '../domain/phases.js';
import { byAttention, indexTest, parseTest, type IndexedTest } from '../report/parsedTest.js';
import { escalatedToday } from '../report/view.js';
import { writeFileAtomicInParts } from './atomicWrite.js';
import { renderAlerts, renderHead, renderSection } from './report.js';
import { Spool } from './spool.js';

/** Tests whose rows and history are read and rendered together when a runbook is written ({@link writeReportFile}). */
export const REPORT_CHUNK_TESTS = 500;

/** Sections rendered between two turns of the event loop. */
const SECTIONS_PER_TURN = 10;

/**
 * `load` of each item, in order, the next one already asked for while the
 * caller works on the current one: the database reads a chunk while the
 * previous one is rendered. A load the caller never reaches (it stopped on
 * an error) has its rejection caught here, so it is never unhandled.
 */
async function* readAhead<T, R>(items: readonly T[], load: (item: T) => Promise<R>): AsyncGenerator<R> {
  const start = (item: T) => {
    const loading = load(item);
    loading.catch(() => undefined);
    return loading;
  };
  let next = items.length > 0 ? start(items[0]!) : null;
  for (let i = 0; next !== null; i++) {
    const current = next;
    next = i + 1 < items.length ? start(items[i + 1]!) : null;
    yield await current;
  }
}

/** Where one attention group's sections wait for the runbook's head: a {@link Spool}, or memory for a small runbook. */
interface SectionSink {
  write(text: string): void;
  contents(): Iterable<string | Uint8Array>;
  remove(): void;
}

function inMemory(): SectionSink {
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), contents: () => parts, remove: () => undefined };
}

/**
 * Writes the runbook of `date` (`YYYY-MM-DD`) to `path`, atomically, the
 * same bytes `renderReport` (src/execute/report.ts) renders from
 * `loadReportData`, without holding every test's rows, history or section at
 * once (at 10,000 tests that is hundreds of megabytes, and the history grows
 * with each day of the windows). In one read-only snapshot, the date's rows
 * and their history are read `chunkTests` tests at a time (each chunk while
 * the one before it is rendered), and each test's section is rendered into a
 * spool of its attention group beside `path` ({@link Spool}; in memory when
 * the date has no more than one chunk of tests); then the head,
 * which needs every test, is written, followed by the spools in the order of
 * the groups, and the alerts. A file that already holds exactly these bytes
 * is left alone.
 *
 * @param options.historyCache a backfill's report rows read by its earlier dates (src/db/report.ts); default none.
 * @returns true when the file was written, false when it already held the runbook.
 * @throws the database's or the file system's error; the temporary files are removed and `path` left as it was.
 */
export async function writeReportFile(
  db: CommonQueryMethods,
  date: string,
  path: string,
  options: { historyCache?: ReportHistoryCache; onPhase?: PhaseHook; chunkTests?: number } = {},
): Promise<boolean> {
  const size = options.chunkTests ?? REPORT_CHUNK_TESTS;
  return db.transaction(async (tx) => {
    await readOnlySnapshot(tx);
    const head = await loadReportHead(tx, date, await reportZone(tx));
    const escalated = escalatedToday(head.alerts);
    const order = await loadReportOrder(tx, date);
    // A runbook of one chunk is read whole and keeps its sections in memory: a backfill's dates need no spool files.
    const small = order.length <= size;
    const newSink = small ? inMemory : () => new Spool(path);
    const loadChunk = async (codes: string[]) => {
      const only = small ? undefined : codes;
      return {
        codes,
        rows: new Map((await loadReportRows(tx, date, only)).map((row) => [row.test_code, row])),
        history: await loadReportHistory(tx, date, head.zone, { historyCache: options.historyCache, codes: only }),
      };
    };
    const spools = new Map<number, SectionSink>();
    try {
      const indexed: IndexedTest[] = [];
      for await (const { codes, rows, history } of readAhead(chunksOf(order, size), loadChunk)) {
        for (const [i, code] of codes.entries()) {
          // A backfill renders this runbook while its next date's transaction runs: the replies to its statements are taken between sections.
          if (i % SECTIONS_PER_TURN === SECTIONS_PER_TURN - 1) await yieldToEventLoop();
          const test = parseTest(rows.get(code)!, history);
          indexed.push(indexTest(test));
          let spool = spools.get(test.group);
          if (!spool) spools.set(test.group, (spool = newSink()));
          spool.write(renderSection(test, escalated, head.zone));
        }
      }
      return await writeFileAtomicInParts(
        path,
        (write) => {
          write(renderHead(head, byAttention(indexed)));
          for (const group of [...spools.keys()].sort((a, b) => a - b)) {
            const spool = spools.get(group)!;
            for (const part of spool.contents()) write(part);
            // Gone before the runbook is complete: a kill after this point leaves only the runbook's own temporary file.
            spool.remove();
          }
          write(renderAlerts(head.alerts));
        },
        options.onPhase,
      );
    } finally {
      for (const spool of spools.values()) spool.remove();
    }
  });
}
