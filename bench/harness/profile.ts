/**
 * `--profile`: one more project run, after a reset, under `node --cpu-prof`,
 * summarised by cpuProfile.ts, with the project's own phase timings from its
 * ledger, the cost of starting the CLI at all (`--version`: module loading)
 * and the cost of resolving the signals alone (signalTiming.ts).
 * The `.cpuprofile` is kept (its path is printed) for Chrome DevTools.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeasured } from './child.js';
import { formatProfile, summariseProfile } from './cpuProfile.js';
import { resetWrittenState } from './reset.js';
import { timeSignals } from './signalTiming.js';
import { runVariant, type VariantInput } from './variants.js';

/** Profiles one project run on the bench database and prints the findings on stdout. */
export async function profileProject(input: Omit<VariantInput, 'cpuProfileDir'>, log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'canonical-bench-profile-'));
  await resetWrittenState(input.uri);
  log('profiling one project run (node --cpu-prof, unbundled so that the profile names the source files)…');
  const run = await runVariant('project', { ...input, cpuProfileDir: dir, unbundled: true });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
  const startup = await runMeasured({
    script: fileURLToPath(new URL('../../bin/canonical-tests.js', import.meta.url)),
    args: ['--version'],
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
  });
  const signals = await timeSignals(input.uri, input.dates.at(-1)!);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  out(`profiled project run (dist/src/cli/main.js): ${run.seconds.toFixed(2)} s wall under --cpu-prof; profile kept at ${join(dir, file)}`);
  out(`project phases from its ledger (ms): ${JSON.stringify(run.phaseMs)}`);
  out(
    `starting the CLI alone (node dist/bin/canonical-tests.js --version): ${(startup.seconds * 1000).toFixed(0)} ms, peak RSS ${startup.peakRssMb?.toFixed(0) ?? 'n/a'} MB`,
  );
  out(
    `signal resolution alone (bench process, warm): ${signals.signals} queries one by one ${signals.oneByOneMs.toFixed(0)} ms; the floor's one query for all signals and tests ${signals.floorQueryMs.toFixed(0)} ms`,
  );
  formatProfile(summariseProfile(join(dir, file))).forEach((line) => out(line));
}
