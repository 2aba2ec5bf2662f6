import { createHash } from 'node:crypto';
import { isAbsolute, join, relative } from 'node:path';

/**
 * A test code made safe for a file name (SPEC §5): characters outside
 * `A-Z a-z 0-9 . _ -` become `_`, leading dots go, length is capped; when
 * anything changed, 8 hex digits of the code's SHA-256 are appended so two
 * codes never share a file.
 */
export function sanitizeTestCode(code: string): string {
  const cleaned = code.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 80);
  if (cleaned === code && cleaned.length > 0) return code;
  return `${cleaned || 'test'}-${createHash('sha256').update(code).digest('hex').slice(0, 8)}`;
}

/**
 * `folder/name`, refusing any result that would leave `folder`.
 *
 * @throws Error when the joined path escapes the folder.
 */
export function pathInside(folder: string, name: string): string {
  const full = join(folder, name);
  const rel = relative(folder, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`file name ${JSON.stringify(name)} escapes ${folder}`);
  return full;
}

/** `evidence/ORCHESTRATOR_{test_code}_{YYYYMMDD}.json` (SPEC §5). */
export function evidenceFilePath(evidenceDir: string, testCode: string, compactDate: string): string {
  return pathInside(evidenceDir, `ORCHESTRATOR_${sanitizeTestCode(testCode)}_${compactDate}.json`);
}

/** `evidence/ORCHESTRATOR_HALT_{YYYYMMDD}.json` (SPEC §5). */
export function haltFilePath(evidenceDir: string, compactDate: string): string {
  return pathInside(evidenceDir, `ORCHESTRATOR_HALT_${compactDate}.json`);
}

/** `reports/RUNBOOK_{YYYYMMDD}.md` (SPEC §5). */
export function reportFilePath(reportsDir: string, compactDate: string): string {
  return pathInside(reportsDir, `RUNBOOK_${compactDate}.md`);
}

/** Serialises a JSON file deterministically (2-space indent, trailing newline) with its SHA-256. */
export function jsonFile(path: string, body: unknown): { path: string; content: string; sha256: string } {
  const content = `${JSON.stringify(body, null, 2)}\n`;
  return { path, content, sha256: createHash('sha256').update(content).digest('hex') };
}
