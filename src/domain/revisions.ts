import { canonicalJson } from './canonicalJson.js';

/** Top-level fields that every revision has different by construction: never reported as changed. */
export const IGNORED_CHANGE_FIELDS = ['run_id', 'previous_bundle_sha256'] as const;

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

function metricsByKey(value: unknown): Map<string, unknown> {
  const byKey = new Map<string, unknown>();
  if (!Array.isArray(value)) return byKey;
  for (const m of value as unknown[]) {
    if (typeof m === 'object' && m !== null && typeof (m as { key?: unknown }).key === 'string') {
      const metric = m as { key: string; value?: unknown };
      byKey.set(metric.key, metric.value ?? null);
    }
  }
  return byKey;
}

/**
 * The fields that changed from one revision of a test and date to the next:
 * the top-level keys whose values differ (sorted), ignoring
 * {@link IGNORED_CHANGE_FIELDS}; for `metrics`, `metrics.{key}` for each metric
 * whose value changed (or that appeared or disappeared), or plain `metrics`
 * when only other details of the metrics changed. Pure.
 */
export function changedFields(previous: Record<string, unknown>, next: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(previous), ...Object.keys(next)])].sort();
  const changed: string[] = [];
  for (const key of keys) {
    if ((IGNORED_CHANGE_FIELDS as readonly string[]).includes(key) || same(previous[key], next[key])) continue;
    if (key !== 'metrics') {
      changed.push(key);
      continue;
    }
    const before = metricsByKey(previous.metrics);
    const after = metricsByKey(next.metrics);
    const metricKeys = [...new Set([...before.keys(), ...after.keys()])]
      .sort()
      .filter((k) => !before.has(k) || !after.has(k) || !same(before.get(k), after.get(k)));
    changed.push(...(metricKeys.length > 0 ? metricKeys.map((k) => `metrics.${k}`) : ['metrics']));
  }
  return changed;
}
