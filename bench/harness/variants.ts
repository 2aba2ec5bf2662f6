/**
 * Runs one variant as a child process on the bench database, in fresh
 * reports/evidence/logs folders, measures it, checks that it wrote one runbook
 * row and one evidence file per test and date, and removes its folders.
 *   project  — `node dist/bin/canonical-tests.js run --date D` (or `backfill --from --to`)
 *   per-test — reference/perTest.js
 *   floor    — reference/floor.js
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_TIME, ZONE } from '../asOf.js';
import type { Variant } from '../options.js';
import { runMeasured, type ChildMeasurement } from './child.js';
import { onCleanup } from './cleanup.js';
import { withClient } from './database.js';
import { countRunbookRows } from './reset.js';

/** The inputs of a variant run. */
export interface VariantInput {
  uri: string;
  dates: string[];
  tests: number;
  /** When set, the child runs with `--cpu-prof --cpu-prof-dir <dir>`. */
  cpuProfileDir?: string;
  /** Run the project from tsc's output (`dist/src/cli/main.js`, a module per source file) instead of the bundled executable, so a profile names the project's files. */
  unbundled?: boolean;
}

/** A measured variant run. */
export interface VariantRun extends ChildMeasurement {
  variant: Variant;
  /** The project's own milliseconds per phase, summed over its ledger rows (project only). */
  phaseMs: Record<string, number> | null;
}

const script = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const SCRIPTS: Record<Variant, string> = {
  project: script('../../bin/canonical-tests.js'),
  'per-test': script('../reference/perTest.js'),
  floor: script('../reference/floor.js'),
};

/** The child's environment: ours without any connection, evaluator or preload setting, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(PG|CANONICAL_|BENCH_)/.test(name) || ['DATABASE_URL', 'REPORTS_DIR', 'EVIDENCE_DIR', 'NODE_OPTIONS'].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

function argsOf(variant: Variant, dates: string[]): string[] {
  if (variant !== 'project') return ['--dates', dates.join(',')];
  return dates.length === 1 ? ['run', '--date', dates[0]!] : ['backfill', '--from', dates[0]!, '--to', dates.at(-1)!];
}

async function projectPhases(uri: string): Promise<Record<string, number>> {
  return withClient(uri, async (client) => {
    const { rows } = await client.query<{ phase: string; ms: string }>(
      `SELECT p.key AS phase, sum(p.value::numeric) AS ms FROM fhq_calendar.evaluator_runs AS r, jsonb_each_text(r.phase_ms) AS p GROUP BY p.key`,
    );
    return Object.fromEntries(rows.map((r) => [r.phase, Number(r.ms)]));
  });
}

/**
 * Runs `variant` once (the written state must have been reset before).
 *
 * @throws Error when the child fails or did not write every runbook row and evidence file.
 */
export async function runVariant(variant: Variant, input: VariantInput): Promise<VariantRun> {
  const work = mkdtempSync(join(tmpdir(), `canonical-bench-${variant}-`));
  // Removed only when the whole bench ends: ext4 creates files slowly for a few minutes after many were
  // deleted nearby (its inode allocator skips recently freed inodes), which would tax whichever run came next.
  onCleanup(`remove ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const evidenceDir = join(work, 'evidence');
  const reportsDir = join(work, 'reports');
  mkdirSync(evidenceDir);
  mkdirSync(reportsDir);
  const measured = await runMeasured({
    script: variant === 'project' && input.unbundled ? script('../../src/cli/main.js') : SCRIPTS[variant],
    args: argsOf(variant, input.dates),
    cwd: work,
    nodeFlags: input.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', input.cpuProfileDir] : [],
    env: childEnv({
      DATABASE_URL: input.uri,
      EVIDENCE_DIR: evidenceDir,
      REPORTS_DIR: reportsDir,
      CANONICAL_LOG_DIR: join(work, 'logs'),
      CANONICAL_TZ: ZONE,
      CANONICAL_RUN_TIME: RUN_TIME,
      CANONICAL_EMBEDDED_DIR: join(work, 'no-embedded-pg'),
    }),
  });
  const expected = input.tests * input.dates.length;
  const rows = await countRunbookRows(input.uri);
  const files = readdirSync(evidenceDir).filter((f) => f.startsWith('ORCHESTRATOR_') && f.endsWith('.json')).length;
  const reports = readdirSync(reportsDir).filter((f) => f.endsWith('.md')).length;
  if (rows !== expected || files !== expected || reports !== input.dates.length) {
    throw new Error(
      `${variant} wrote ${rows} runbook rows, ${files} evidence files and ${reports} reports; expected ${expected}, ${expected} and ${input.dates.length}\n${measured.stderr.slice(-2000)}`,
    );
  }
  return { ...measured, variant, phaseMs: variant === 'project' ? await projectPhases(input.uri) : null };
}
