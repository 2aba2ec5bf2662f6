import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * A test code made safe for a file name: characters outside
 * `A-Z a-z 0-9 . _ -` become `_`, leading dots go, length is capped; when
 * anything changed, 8 hex digits of the code's SHA-256 are appended so two
 * codes never share a file.
 */
export function sanitizeTestCode(code: string): string {
  const cleaned = code
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 80);
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

/**
 * The path of `path` relative to `folder`, with `/` between its parts on every
 * platform: what rows, reports and evidence record (README "What a run writes"),
 * so the record does not depend on where the folders were when it was written.
 */
export function pathInFolder(folder: string, path: string): string {
  return relative(folder, path).split(sep).join('/');
}

/** `evidence/ORCHESTRATOR_{test_code}_{YYYYMMDD}.json`. */
export function evidenceFilePath(evidenceDir: string, testCode: string, compactDate: string): string {
  return pathInside(evidenceDir, `ORCHESTRATOR_${sanitizeTestCode(testCode)}_${compactDate}.json`);
}

/** `evidence/history/ORCHESTRATOR_{test_code}_{YYYYMMDD}.r{N}.json`: revision N of a test and date, once a later revision replaced it. */
export function historyFilePath(evidenceDir: string, testCode: string, compactDate: string, revision: number): string {
  return pathInside(evidenceDir, join('history', `ORCHESTRATOR_${sanitizeTestCode(testCode)}_${compactDate}.r${revision}.json`));
}

/** `evidence/ORCHESTRATOR_HALT_{YYYYMMDD}.json`. */
export function haltFilePath(evidenceDir: string, compactDate: string): string {
  return pathInside(evidenceDir, `ORCHESTRATOR_HALT_${compactDate}.json`);
}

/** `reports/RUNBOOK_{YYYYMMDD}.md`. */
export function reportFilePath(reportsDir: string, compactDate: string): string {
  return pathInside(reportsDir, `RUNBOOK_${compactDate}.md`);
}

/**
 * Idempotent re-runs: builds the bundle with the run id of the rows already
 * written for this date when every one of them was written by that same run
 * and records exactly that bundle's hash; otherwise with `freshRunId`. So an
 * unchanged re-run rewrites identical rows and files.
 *
 * @param build the bundle for a given run id.
 * @param existing this date's runbook rows that the bundle stands for (nulls where none).
 */
export function stableBundle(
  build: (runId: string) => { path: string; content: string; sha256: string },
  freshRunId: string,
  existing: ({ run_id: string; evidence_sha256: string | null } | null)[],
): { runId: string; file: { path: string; content: string; sha256: string } } {
  const earlier = existing[0]?.run_id;
  if (earlier && existing.every((row) => row?.run_id === earlier)) {
    const again = build(earlier);
    if (existing.every((row) => row?.evidence_sha256 === again.sha256)) return { runId: earlier, file: again };
  }
  return { runId: freshRunId, file: build(freshRunId) };
}

/** Serialises a JSON file deterministically (2-space indent, trailing newline) with its SHA-256. */
export function jsonFile(path: string, body: unknown): { path: string; content: string; sha256: string } {
  const content = `${JSON.stringify(body, null, 2)}\n`;
  return { path, content, sha256: createHash('sha256').update(content).digest('hex') };
}
