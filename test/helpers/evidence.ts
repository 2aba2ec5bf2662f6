import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { TestDatabase } from './database.js';

/**
 * Asserts that every runbook row's evidence file exists and that its SHA-256
 * is the one the row stores (the row and the file it names stand together).
 *
 * @returns the number of rows checked.
 */
export async function expectEvidenceMatchesRunbook(db: TestDatabase): Promise<number> {
  const { rows } = await db.exec(`SELECT evidence_path, evidence_sha256 FROM fhq_calendar.test_runbook_entries`);
  for (const row of rows) {
    expect(createHash('sha256').update(readFileSync(row.evidence_path)).digest('hex'), row.evidence_path).toBe(row.evidence_sha256);
  }
  return rows.length;
}
