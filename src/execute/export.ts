import type { CommonQueryMethods } from 'slonik';
import { loadBundles, type BundleFilter, type RecordedBundle } from '../db/bundles.js';
import type { ReportHistoryCache } from '../db/report.js';
import { loadHaltFiles } from '../db/runs.js';
import { canonicalJson, sha256Hex } from '../domain/canonicalJson.js';
import { evidenceFilePath, haltFilePath, historyFilePath, reportFilePath } from '../domain/fileNames.js';
import type { PhaseHook } from '../domain/phases.js';
import type { PlanOutline } from '../domain/plan.js';
import { revisedTestIds } from '../domain/planParts.js';
import { writeFileAtomic } from './atomicWrite.js';
import { writeReportFile } from './reportFile.js';
import type { StagedFiles } from './stagedFiles.js';

/** The folders files are exported to (absolute). */
export interface ExportFolders {
  evidenceDir: string;
  reportsDir: string;
}

/** Where a recorded bundle's file goes: its date's newest revision at the evidence path, earlier ones under history/. */
export function bundleFilePath(bundle: RecordedBundle, evidenceDir: string): string {
  const compact = bundle.run_date.replaceAll('-', '');
  return bundle.is_current
    ? evidenceFilePath(evidenceDir, bundle.test_code, compact)
    : historyFilePath(evidenceDir, bundle.test_code, compact, bundle.revision);
}

/**
 * Writes the files of recorded bundles (README "The record": the database is
 * the record, files are its export): each bundle's canonical JSON, atomically,
 * where missing or different; identical files are left alone. A bundle whose
 * content no longer hashes to its recorded `sha256` (edited in the database)
 * is not written, so its file keeps the bytes that were recorded; `onAltered`
 * is told of it (`canonical-tests verify` reports it as `content-hash`).
 *
 * @returns the paths written.
 */
export function writeBundleFiles(
  bundles: readonly RecordedBundle[],
  evidenceDir: string,
  onPhase?: PhaseHook,
  onAltered?: (bundle: RecordedBundle) => void,
): string[] {
  const written: string[] = [];
  for (const b of bundles) {
    const text = canonicalJson(b.content);
    if (sha256Hex(text) !== b.sha256) {
      onAltered?.(b);
      continue;
    }
    if (writeFileAtomic(bundleFilePath(b, evidenceDir), text, onPhase)) written.push(bundleFilePath(b, evidenceDir));
  }
  return written;
}

/** Renders the runbook of `date` (`YYYY-MM-DD`) from its rows into its file when it changed ({@link writeReportFile}); returns the path written, if any. */
async function writeReport(
  db: CommonQueryMethods,
  date: string,
  reportsDir: string,
  onPhase?: PhaseHook,
  historyCache?: ReportHistoryCache,
): Promise<string[]> {
  const path = reportFilePath(reportsDir, date.replaceAll('-', ''));
  return (await writeReportFile(db, date, path, { historyCache, onPhase })) ? [path] : [];
}

/**
 * Exports what the record holds for `dates`: every bundle of those dates
 * (narrowed by `filter`), each date's halt file (as its halted run wrote it)
 * and its runbook, rendered from the date's rows. Bundles whose content was
 * altered after recording are left unwritten ({@link writeBundleFiles}).
 *
 * @returns the paths written.
 */
export async function exportDates(
  db: CommonQueryMethods,
  dates: readonly string[],
  folders: ExportFolders,
  options: { filter?: BundleFilter; onPhase?: PhaseHook; onAltered?: (bundle: RecordedBundle) => void } = {},
): Promise<string[]> {
  const written: string[] = [];
  const halts = await loadHaltFiles(db, dates);
  for (const date of [...new Set(dates)].sort()) {
    const bundles = await loadBundles(db, { ...options.filter, date });
    written.push(...writeBundleFiles(bundles, folders.evidenceDir, options.onPhase, options.onAltered));
    const halt = halts.get(date);
    const compact = date.replaceAll('-', '');
    if (halt !== undefined && writeFileAtomic(haltFilePath(folders.evidenceDir, compact), halt, options.onPhase))
      written.push(haltFilePath(folders.evidenceDir, compact));
    written.push(...(await writeReport(db, date, folders.reportsDir, options.onPhase)));
  }
  return written;
}

/**
 * Writes the files of a run that just committed: renames its evidence files,
 * staged under temporary names during its transaction, into place (they hold
 * the exact bytes it recorded), writes the files of revisions it replaced
 * (read back from the record, under history/) and the runbook rendered from
 * the date's rows. The same files {@link exportDates} would write, without
 * reading back what the run already holds.
 *
 * @param staged the run's staged evidence files (src/execute/stagedFiles.ts).
 * @param historyCache a backfill's report rows read by its earlier dates (src/db/report.ts); default none.
 * @returns the paths written.
 */
export async function writeRunFiles(
  db: CommonQueryMethods,
  plan: PlanOutline,
  staged: StagedFiles,
  folders: ExportFolders,
  onPhase?: PhaseHook,
  historyCache?: ReportHistoryCache,
): Promise<string[]> {
  const written = staged.commit();
  const revised = revisedTestIds(plan);
  if (revised.length > 0) {
    const replaced = (await loadBundles(db, { date: plan.asOf.date, testIds: revised })).filter((b) => !b.is_current);
    written.push(...writeBundleFiles(replaced, folders.evidenceDir, onPhase));
  }
  written.push(...(await writeReport(db, plan.asOf.date, folders.reportsDir, onPhase, historyCache)));
  return written;
}
