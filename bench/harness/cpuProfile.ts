/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): milliseconds per
 * source group (a file of the project, an npm package, a Node.js internal
 * module, or idle/GC/program), both "self" (the group's own frames were on
 * top) and "inclusive" (the group was anywhere on the stack), and the
 * project's own functions by inclusive time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Milliseconds per group or function. */
export interface ProfileSummary {
  totalMs: number;
  self: [string, number][];
  inclusive: [string, number][];
  projectFunctions: [string, number][];
}

/** Native frames of the ES module loader (compiling, linking, evaluating modules). */
const MODULE_NATIVES = new Set([
  'evaluate',
  'link',
  'instantiate',
  'compileSourceTextModule',
  'compileFunction',
  'internalCompileFunction',
  'compileFunctionForCJSLoader',
]);
/** Frames that only carry others (the microtask and tick queues): left out of the inclusive list. */
const CARRIERS = new Set(['(root)', '(native) runMicrotasks', 'node: process']);

/** The group a frame belongs to: `src/…` file, npm package, `node:` module family, or a V8 pseudo-frame. */
export function groupOf(url: string, functionName: string): string {
  if (url === '' && MODULE_NATIVES.has(functionName)) return 'node: module loading';
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm ${pkg[1]}`;
  const own = /\/dist\/((?:src|bench)\/.+)$/.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/vm')) return 'node: module loading';
  if (url.startsWith('node:')) return `node: ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
  return url;
}

function sorted(map: Map<string, number>, limit: number): [string, number][] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, us]) => [k, us / 1000]);
}

/** Reads and summarises the profile at `path`. */
export function summariseProfile(path: string, limit = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, number>();
  const onStack = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  const visit = (node: ProfileNode) => {
    const { url, functionName, lineNumber } = node.callFrame;
    const group = groupOf(url, functionName);
    const fn = group.startsWith('src/') ? `${functionName || 'anonymous'} (${group}:${lineNumber + 1})` : null;
    for (const key of [`g ${group}`, ...(fn ? [`f ${fn}`] : [])]) onStack.set(key, (onStack.get(key) ?? 0) + 1);
    const us = selfUs.get(node.id) ?? 0;
    if (us > 0) {
      add(self, group, us);
      for (const [key, count] of onStack) {
        if (count === 0) continue;
        if (key.startsWith('g ')) add(inclusive, key.slice(2), us);
        else add(functions, key.slice(2), us);
      }
    }
    for (const child of node.children ?? []) visit(byId.get(child)!);
    for (const key of [`g ${group}`, ...(fn ? [`f ${fn}`] : [])]) onStack.set(key, onStack.get(key)! - 1);
  };
  visit(profile.nodes[0]!);
  for (const carrier of CARRIERS) inclusive.delete(carrier);
  const totalUs = profile.timeDeltas.reduce((a, b) => a + b, 0);
  return {
    totalMs: totalUs / 1000,
    self: sorted(self, limit),
    inclusive: sorted(inclusive, limit),
    projectFunctions: sorted(functions, limit),
  };
}

/** The summary as printable lines. */
export function formatProfile(summary: ProfileSummary): string[] {
  const block = (title: string, rows: [string, number][]) => [
    '',
    title,
    ...rows.map(([k, ms]) => `  ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)} %  ${k}`),
  ];
  return [
    `profile: ${summary.totalMs.toFixed(0)} ms sampled`,
    ...block('self time by group (own frames on top of the stack):', summary.self),
    ...block('inclusive time by group (anywhere on the stack):', summary.inclusive),
    ...block("inclusive time of the project's functions:", summary.projectFunctions),
  ];
}
