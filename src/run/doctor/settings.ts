import { DateTime } from 'luxon';
import { resolveSettings, todayIn, type SettingFlags, type Settings } from '../../config/settings.js';
import { asOfFor } from '../../domain/asOf.js';
import { UsageError } from '../../errors.js';
import { fail, ok, type DoctorCheck } from './check.js';

/** The settings the zone-and-run-time check reports (the settings check leaves them to it). */
export const ZONE_SETTINGS = new Set(['--zone', 'CANONICAL_TZ', '--run-time', 'CANONICAL_RUN_TIME']);

/**
 * The settings as every other command resolves them, except that an invalid
 * value is not the end: it is recorded, left out (the default takes its
 * place) and the rest resolved, so `doctor` can report every bad setting and
 * still check everything else.
 *
 * @throws UsageError only for a setting it cannot leave out (none today).
 */
export function lenientSettings(flags: SettingFlags, env: NodeJS.ProcessEnv, cwd: string): { settings: Settings; problems: UsageError[] } {
  const problems: UsageError[] = [];
  let currentFlags: SettingFlags = { ...flags };
  let currentEnv: NodeJS.ProcessEnv = { ...env };
  for (;;) {
    try {
      return { settings: resolveSettings(currentFlags, currentEnv, cwd), problems };
    } catch (error) {
      if (!(error instanceof UsageError) || problems.some((p) => p.setting === error.setting)) throw error;
      problems.push(error);
      if (error.setting.startsWith('--')) {
        const key = error.setting.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        currentFlags = { ...currentFlags, [key]: undefined };
      } else currentEnv = { ...currentEnv, [error.setting]: undefined };
    }
  }
}

/** The next as-of instant at or after `now`: the run time today in the zone, or else tomorrow. */
export function nextAsOf(zone: string, runTime: string, now: Date): { date: string; instant: string; local: string } {
  const today = todayIn(zone, now);
  let asOf = asOfFor(today, zone, runTime);
  if (Date.parse(asOf.instant) <= now.getTime()) {
    asOf = asOfFor(DateTime.fromISO(today, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!, zone, runTime);
  }
  return { date: asOf.date, instant: asOf.instant, local: DateTime.fromISO(asOf.instant).setZone(zone).toFormat('yyyy-MM-dd HH:mm') };
}

/** Judges the zone and run time; shows the next as-of instant in the zone and in UTC. */
export function zoneCheck(settings: Settings, problems: readonly UsageError[], now: Date): DoctorCheck {
  const bad = problems.filter((p) => ZONE_SETTINGS.has(p.setting));
  if (bad.length) {
    return fail(
      'zone_and_run_time',
      bad.map((p) => p.message).join('; '),
      'set an IANA zone such as Europe/Oslo and a run time HH:MM (docs/configuration.md, Settings)',
    );
  }
  const next = nextAsOf(settings.zone, settings.runTime, now);
  return ok(
    'zone_and_run_time',
    `${settings.zone}, run time ${settings.runTime}: the next as-of instant is ${next.local} ${settings.zone} (${next.instant})`,
  );
}
