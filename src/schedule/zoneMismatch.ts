function canonicalZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

/**
 * Warns when the configured zone is not the machine's zone. A
 * `StartBoundary` without offset fires at the wall-clock time of the machine's
 * local zone, so with a different configured zone the task starts at the wrong
 * instant (the as-of instant itself is still computed in the configured zone).
 *
 * Aliases and case are normalised through `Intl` (`Etc/UTC` = `UTC`), so only a
 * real difference warns. Never throws.
 *
 * @param configuredZone the `--zone` / `CANONICAL_TZ` value.
 * @param machineZone defaults to `Intl.DateTimeFormat().resolvedOptions().timeZone`.
 * @returns a warning sentence naming both zones, or `null` when they are the same.
 */
export function zoneMismatchWarning(
  configuredZone: string,
  machineZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone,
): string | null {
  if (canonicalZone(configuredZone) === canonicalZone(machineZone)) return null;
  return (
    `Warning: the configured zone ${configuredZone} differs from this machine's zone ` +
    `${machineZone}; Task Scheduler fires the task at the scheduled time in the ` +
    `machine's local time (${machineZone}), not in ${configuredZone}.`
  );
}
