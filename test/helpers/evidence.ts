import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { expect } from 'vitest';
import type { CriteriaResult } from '../../src/domain/criteria.js';
import type { TestDatabase } from './database.js';

/** One metric of an evidence bundle (src/evaluate/evidence.ts). */
export interface EvidenceMetric {
  key: string;
  value: number | boolean | null;
  status: 'AVAILABLE' | 'PENDING' | 'ERROR';
  pending_reason: string | null;
  error?: string | null;
  source: { schema: string; table: string; column: string; time_column: string | null };
  aggregation: string;
  rows_used: number;
  window: { from: string; to: string } | null;
  latest_row_at: string | null;
  as_of_exact: boolean;
}

/** The fields of an evidence bundle (src/evaluate/evidence.ts) that the tests read. */
export interface EvidenceBundle {
  schema: string;
  run_id: string;
  test_code: string;
  as_of_date: string;
  as_of_instant: string;
  metrics_as_of: string | null;
  verdict_as_of: string | null;
  metrics: EvidenceMetric[];
  conditions: { success_criteria: CriteriaResult; failure_criteria: CriteriaResult } | null;
  verdict: string;
  previous_bundle_sha256: string | null;
}

/** An evidence bundle from its JSON text. */
export function parseEvidence(text: string): EvidenceBundle {
  return JSON.parse(text) as EvidenceBundle;
}

/** The evidence bundle in the file at `path`. */
export function readEvidence(path: string): EvidenceBundle {
  return parseEvidence(readFileSync(path, 'utf8'));
}

/**
 * Asserts that every runbook row names its evidence file relative to the
 * evidence folder, that the file exists there, and that its SHA-256 is the one
 * the row stores (the row and the file it names stand together).
 *
 * @returns the number of rows checked.
 */
export async function expectEvidenceMatchesRunbook(db: TestDatabase, evidenceDir: string): Promise<number> {
  const { rows } = await db.exec<{ evidence_path: string | null; evidence_sha256: string | null }>(
    `SELECT evidence_path, evidence_sha256 FROM fhq_calendar.test_runbook_entries`,
  );
  for (const row of rows) {
    expect(isAbsolute(row.evidence_path!), row.evidence_path!).toBe(false);
    const text = readFileSync(join(evidenceDir, row.evidence_path!));
    expect(createHash('sha256').update(text).digest('hex'), row.evidence_path!).toBe(row.evidence_sha256);
  }
  return rows.length;
}
