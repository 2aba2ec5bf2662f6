import type { DroppedWrites, Plan, PlanOutline } from './plan.js';

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
  const dropped = parts.flatMap((p) => ('dropped' in p && p.dropped ? [p.dropped] : []));
  return {
    ...first,
    ...(dropped.length > 0 ? { dropped: mergeDropped(dropped) } : {}),
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

function mergeDropped(all: readonly DroppedWrites[]): DroppedWrites {
  const sum = (key: 'runbook' | 'stateUpdates' | 'files' | 'bundles') => all.reduce((n, d) => n + d[key], 0);
  return {
    runbook: sum('runbook'),
    stateUpdates: sum('stateUpdates'),
    files: sum('files'),
    bundles: sum('bundles'),
    runbookTestIds: all.flatMap((d) => d.runbookTestIds),
    revisedTestIds: all.flatMap((d) => d.revisedTestIds),
  };
}

/** Every per-test write of the outline, kept or already dropped, as counts and the ids a run needs after its commit (dropped ones first, as they came first). */
function allWrites(outline: PlanOutline): DroppedWrites {
  const kept: DroppedWrites = {
    runbook: outline.runbook.length,
    stateUpdates: outline.stateUpdates.length,
    files: outline.files.length,
    bundles: outline.bundles.length,
    runbookTestIds: outline.runbook.map((r) => r.testId),
    revisedTestIds: outline.bundles.filter((b) => b.revision > 1).map((b) => b.testId),
  };
  return outline.dropped ? mergeDropped([outline.dropped, kept]) : kept;
}

/**
 * The outline without its per-test writes (`runbook`, `stateUpdates`,
 * `files`, `bundles`), counted in `dropped`: what a run of thousands of tests
 * keeps when nothing will print them (README "Performance", ninth round).
 */
export function withoutWrites(outline: PlanOutline): PlanOutline {
  return { ...outline, runbook: [], stateUpdates: [], files: [], bundles: [], dropped: allWrites(outline) };
}

/** How many runbook rows, state updates, evidence files and new revisions the outline's plan writes, kept or dropped. */
export function writeCounts(outline: PlanOutline): Pick<DroppedWrites, 'runbook' | 'stateUpdates' | 'files' | 'bundles'> {
  const { runbook, stateUpdates, files, bundles } = allWrites(outline);
  return { runbook, stateUpdates, files, bundles };
}

/** The tests the outline's plan writes a runbook row for, in plan order, kept or dropped. */
export function runbookTestIds(outline: PlanOutline): string[] {
  return allWrites(outline).runbookTestIds;
}

/** The tests whose new revision replaces an earlier one of the date, in plan order, kept or dropped. */
export function revisedTestIds(outline: PlanOutline): string[] {
  return allWrites(outline).revisedTestIds;
}
