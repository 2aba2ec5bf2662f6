import type { Plan, PlanOutline } from './plan.js';

/**
 * The plan made of consecutive parts of one run (src/evaluate/evaluateRun.ts
 * `evaluateInParts`): the first part's header, every list concatenated in order.
 *
 * @throws Error when `parts` is empty.
 */
export function mergeParts<P extends Plan | PlanOutline>(parts: readonly P[]): P {
  const [first] = parts;
  if (!first) throw new Error('mergeParts: no part');
  if (parts.length === 1) return first;
  const all = <K extends keyof Plan & keyof P>(key: K) => parts.flatMap((p) => p[key] as unknown[]) as P[K];
  return {
    ...first,
    stateUpdates: all('stateUpdates'),
    resolutions: all('resolutions'),
    runbook: all('runbook'),
    alerts: all('alerts'),
    files: all('files'),
    bundles: all('bundles'),
    outcomes: all('outcomes'),
  };
}

/** The outline of a plan: its files by path, size and hash, its bundles without their texts. */
export function outlineOf(plan: Plan): PlanOutline {
  return {
    ...plan,
    files: plan.files.map((f) => ({ path: f.path, bytes: f.content === null ? null : Buffer.byteLength(f.content), sha256: f.sha256 })),
    bundles: plan.bundles.map(({ text: _text, ...ref }) => ref),
  };
}
