import { sql, type CommonQueryMethods, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { BundleWrite, TestRecord } from '../domain/bundle.js';
import { inChunks } from './json.js';

const recordRowSchema = z.object({
  test_id: z.string().uuid(),
  revision: z.number().int().nullable(),
  run_id: z.string().uuid().nullable(),
  sha256: z.string().nullable(),
  previous_sha256: z.string().nullable(),
  evaluation_sha256: z.string().nullable(),
  chain_head: z.string().nullable(),
});

/**
 * The record of each test as a run of `date` starts (one query for all
 * tests): its newest revision for `date` (its hashes, not its content: an
 * unchanged evaluation's file is exported from the record only where it is
 * missing, src/execute/recordedFiles.ts) and the SHA-256 of its newest bundle
 * of any date, in recording order.
 */
export async function loadRecords(db: CommonQueryMethods, testIds: readonly string[], date: string): Promise<Map<string, TestRecord>> {
  const records = new Map<string, TestRecord>();
  if (testIds.length === 0) return records;
  const rows = await db.any(sql.type(recordRowSchema)`
    SELECT t.test_id, c.revision, c.run_id, c.sha256, c.previous_sha256, c.evaluation_sha256, h.sha256 AS chain_head
    FROM unnest(${sql.array([...testIds], 'uuid')}::uuid[]) AS t(test_id)
    LEFT JOIN LATERAL (
      SELECT revision, run_id, sha256, previous_sha256, evaluation_sha256 FROM fhq_calendar.evidence_bundles AS b
      WHERE b.test_id = t.test_id AND b.run_date = ${date}::date ORDER BY revision DESC LIMIT 1) AS c ON true
    LEFT JOIN LATERAL (
      SELECT sha256 FROM fhq_calendar.evidence_bundles AS b
      WHERE b.test_id = t.test_id ORDER BY recorded_order DESC LIMIT 1) AS h ON true`);
  for (const r of rows) {
    records.set(r.test_id, {
      current:
        r.revision === null
          ? null
          : {
              revision: r.revision,
              runId: r.run_id!,
              sha256: r.sha256!,
              previousSha256: r.previous_sha256,
              evaluationSha256: r.evaluation_sha256!,
            },
      chainHead: r.chain_head,
    });
  }
  return records;
}

/**
 * Bundles per insert statement. A bundle is about 10 KB of JSON, so 200 keep
 * a statement near 2 MB; at 1,000 the driver's buffers alone reached 56 MB
 * in a run of 10,000 tests (README "Performance").
 */
export const BUNDLE_CHUNK_ROWS = 200;

/** Appends new revisions to `fhq_calendar.evidence_bundles`, in the caller's transaction, in the given order (recording order), {@link BUNDLE_CHUNK_ROWS} per statement. */
export async function insertBundles(tx: DatabaseTransactionConnection, bundles: readonly BundleWrite[]): Promise<void> {
  await inChunks(bundles, (chunk) => insertBundleChunk(tx, chunk), BUNDLE_CHUNK_ROWS);
}

async function insertBundleChunk(tx: DatabaseTransactionConnection, bundles: readonly BundleWrite[]): Promise<void> {
  await tx.query(sql.unsafe`
    INSERT INTO fhq_calendar.evidence_bundles (test_id, run_date, revision, run_id, content, sha256, previous_sha256, evaluation_sha256)
    SELECT test_id, run_date, revision, run_id, content, sha256, previous_sha256, evaluation_sha256
    FROM jsonb_array_elements(${bundleRowsJson(bundles)}::jsonb) WITH ORDINALITY AS e(item, n)
    CROSS JOIN LATERAL jsonb_to_record(e.item) AS r(test_id uuid, run_date date, revision integer, run_id uuid, content jsonb,
                                                  sha256 text, previous_sha256 text, evaluation_sha256 text)
    ORDER BY e.n`);
}

/**
 * The bundles as one JSON array of rows, each bundle's content spliced in as
 * its canonical text: that is JSON already, so it is not serialised a second time.
 */
function bundleRowsJson(bundles: readonly BundleWrite[]): string {
  const rows = bundles.map((b) => {
    const columns = JSON.stringify({
      test_id: b.testId,
      run_date: b.runDate,
      revision: b.revision,
      run_id: b.runId,
      sha256: b.sha256,
      previous_sha256: b.previousSha256,
      evaluation_sha256: b.evaluationSha256,
    });
    return `${columns.slice(0, -1)},"content":${b.text}}`;
  });
  return `[${rows.join(',')}]`;
}

/** A recorded bundle as exported to a file or audited. */
export const recordedBundleSchema = z.object({
  test_id: z.string().uuid(),
  test_code: z.string(),
  run_date: z.string(),
  revision: z.number().int(),
  run_id: z.string().uuid(),
  recorded_at: z.string(),
  recorded_order: z.coerce.number().int(),
  content: z.record(z.unknown()),
  sha256: z.string(),
  previous_sha256: z.string().nullable(),
  evaluation_sha256: z.string(),
  /** The newest revision of its test and date. */
  is_current: z.boolean(),
});
export type RecordedBundle = z.infer<typeof recordedBundleSchema>;

/** Which bundles to read: any combination narrows the set. Dates are `YYYY-MM-DD`. */
export interface BundleFilter {
  from?: string;
  to?: string;
  testCodes?: readonly string[];
  /** Only the test and date pairs that these runs recorded (every revision of those pairs). */
  runIds?: readonly string[];
  /** Only these tests (ids) of `date`. */
  date?: string;
  testIds?: readonly string[];
}

/** Reads recorded bundles in recording order (with their test code and whether each is its date's newest revision). */
export async function loadBundles(db: CommonQueryMethods, filter: BundleFilter): Promise<readonly RecordedBundle[]> {
  const conditions = [
    filter.from === undefined ? null : sql.fragment`b.run_date >= ${filter.from}::date`,
    filter.to === undefined ? null : sql.fragment`b.run_date <= ${filter.to}::date`,
    filter.date === undefined ? null : sql.fragment`b.run_date = ${filter.date}::date`,
    filter.testCodes?.length ? sql.fragment`e.test_code = ANY(${sql.array([...filter.testCodes], 'text')})` : null,
    filter.testIds ? sql.fragment`b.test_id = ANY(${sql.array([...filter.testIds], 'uuid')})` : null,
    filter.runIds
      ? sql.fragment`(b.test_id, b.run_date) IN (SELECT test_id, run_date FROM fhq_calendar.evidence_bundles WHERE run_id = ANY(${sql.array([...filter.runIds], 'uuid')}))`
      : null,
  ].filter((c) => c !== null);
  const where = conditions.length > 0 ? sql.join(conditions, sql.fragment` AND `) : sql.fragment`TRUE`;
  return db.any(sql.type(recordedBundleSchema)`
    SELECT b.test_id, e.test_code, b.run_date::text AS run_date, b.revision, b.run_id, b.recorded_at, b.recorded_order,
           b.content, b.sha256, b.previous_sha256, b.evaluation_sha256,
           b.revision = max(b.revision) OVER (PARTITION BY b.test_id, b.run_date) AS is_current
    FROM fhq_calendar.evidence_bundles AS b
    JOIN fhq_calendar.canonical_test_events AS e USING (test_id)
    WHERE ${where}
    ORDER BY b.recorded_order`);
}

/**
 * Every date the record holds anything for in a range (inclusive, either end
 * open): a bundle, a runbook row or a halted run's file; sorted.
 */
export async function recordedDates(db: CommonQueryMethods, range: { from?: string; to?: string }): Promise<string[]> {
  const from = range.from ?? null;
  const to = range.to ?? null;
  const rows = await db.anyFirst(sql.type(z.object({ run_date: z.string() }))`
    SELECT DISTINCT d::text AS run_date FROM (
      SELECT run_date AS d FROM fhq_calendar.evidence_bundles
      UNION SELECT run_date FROM fhq_calendar.test_runbook_entries
      UNION SELECT as_of_date FROM fhq_calendar.evaluator_runs WHERE halt_file IS NOT NULL
    ) AS dates
    WHERE (${from}::date IS NULL OR d >= ${from}::date) AND (${to}::date IS NULL OR d <= ${to}::date)
    ORDER BY 1`);
  return [...rows];
}
