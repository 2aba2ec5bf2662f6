/**
 * Runs a Node.js script as a child process and measures it: wall time from
 * spawn to exit, and the peak RSS and CPU time reported by the preloaded
 * rssProbe (null when the probe could not report, e.g. the child was killed).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackChild } from './cleanup.js';

/** How a measured child ended. */
export interface ChildMeasurement {
  /** Spawn to exit, in seconds. */
  seconds: number;
  /** Peak resident set size in MB, or null when unknown. */
  peakRssMb: number | null;
  /** User + system CPU seconds of the child itself (not of PostgreSQL), or null when unknown. */
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
}

/** What to run. */
export interface ChildSpec {
  script: string;
  args: string[];
  /** The child's whole environment (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

const PROBE = new URL('./rssProbe.js', import.meta.url).href;
const KEEP_CHARS = 64_000;

function tail(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > KEEP_CHARS ? text.slice(-KEEP_CHARS) : text;
}

function readUsage(file: string): { maxRSS: number; userCPUTime: number; systemCPUTime: number } | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { maxRSS: number; userCPUTime: number; systemCPUTime: number };
  } catch {
    return null; // the probe could not report (killed child): shown as n/a
  }
}

/**
 * Spawns `node [flags] --import rssProbe script args` and waits for it.
 *
 * @throws Error with the tail of its stderr when it exits non-zero or on a signal.
 */
export async function runMeasured(spec: ChildSpec): Promise<ChildMeasurement> {
  const probeDir = mkdtempSync(join(tmpdir(), 'canonical-bench-rss-'));
  const rssFile = join(probeDir, 'maxrss');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [...(spec.nodeFlags ?? []), '--import', PROBE, spec.script, ...spec.args], {
      cwd: spec.cwd,
      env: { ...spec.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, s) => resolve([c, s]));
    });
    const seconds = (performance.now() - started) / 1000;
    trackChild(null);
    const stdout = tail(out);
    const stderr = tail(err);
    if (code !== 0) throw new Error(`${spec.script} ${spec.args.join(' ')} exited with ${signal ?? code}:\n${stderr.slice(-4000)}`);
    const usage = readUsage(rssFile);
    return {
      seconds,
      peakRssMb: usage ? usage.maxRSS / 1024 : null,
      cpuSeconds: usage ? (usage.userCPUTime + usage.systemCPUTime) / 1e6 : null,
      stdout,
      stderr,
    };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}
