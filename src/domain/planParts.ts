import type { Plan } from './plan.js';

/**
 * The plan made of consecutive parts of one run (src/evaluate/evaluateRun.ts
 * `evaluateInParts`): the first part's header, every list concatenated in order.
 *
 * @throws Error when `parts` is empty.
 */
export function mergeParts(parts: readonly Plan[]): Plan {
  const [first] = parts;
  if (!first) throw new Error('mergeParts: no part');
  if (parts.length === 1) return first;
  const all = <K extends keyof Plan>(key: K) => parts.flatMap((p) => p[key] as unknown[]) as Plan[K];
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
