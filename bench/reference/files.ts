/** File writing of the references: durable (like the evaluator) or plain, and the report. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { compactDate } from '../asOf.js';

/** `ORCHESTRATOR_{code}_{YYYYMMDD}.json` in `dir`. */
export function evidencePath(dir: string, testCode: string, date: string): string {
  return join(dir, `ORCHESTRATOR_${testCode}_${compactDate(date)}.json`);
}

/** `RUNBOOK_{YYYYMMDD}.md` in `dir`. */
export function reportPath(dir: string, date: string): string {
  return join(dir, `RUNBOOK_${compactDate(date)}.md`);
}

/** Writes `content` to a temporary file, fsyncs it and renames it over `path` (as the evaluator does). */
export function writeDurable(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** Writes `content` to `path` with no fsync and no rename. */
export function writePlain(path: string, content: string): void {
  writeFileSync(path, content);
}

/** Creates the folders of a run. */
export function ensureFolders(...dirs: string[]): void {
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
}

/** A runbook line per test: the markdown report of a date. */
export function reportMarkdown(date: string, rows: { code: string; day: number; escalation: string; verdict: string }[]): string {
  const lines = rows.map((r) => `| ${r.code} | ${r.day} | ${r.escalation} | ${r.verdict} |`);
  return `# Canonical Test Runbook — ${date}\n\n| Test Code | Day | Escalation | Verdict |\n|---|---|---|---|\n${lines.join('\n')}\n`;
}
