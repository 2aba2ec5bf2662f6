import { describe, expect, it } from 'vitest';
import { resolveSettings, todayIn } from '../../src/config/settings.js';
import { usageErrorOf } from '../helpers/errors.js';

const CWD = '/srv/app';

const env = {
  CANONICAL_TZ: 'America/New_York',
  CANONICAL_RUN_TIME: '07:15',
  REPORTS_DIR: 'env-reports',
  EVIDENCE_DIR: '/var/evidence',
  CANONICAL_WAIT_FOR_DB: '30',
  CANONICAL_STATEMENT_TIMEOUT: '5',
  CANONICAL_LOCK_TIMEOUT: '2.5',
};
const flags = {
  zone: 'Asia/Tokyo',
  runTime: '23:59',
  reportsDir: '../flag-reports',
  evidenceDir: 'flag/evidence',
  waitForDb: '300',
  statementTimeout: '0.25',
  lockTimeout: '120',
};
const TIMEOUT_DEFAULTS = { statementTimeoutSeconds: 60, lockTimeoutSeconds: 10, resolutionGraceDays: 2, embedded: false };

describe('resolveSettings', () => {
  it('uses the defaults, folders resolved against cwd', () => {
    expect(resolveSettings({}, {}, CWD)).toEqual({
      zone: 'Europe/Oslo',
      runTime: '06:00',
      reportsDir: '/srv/app/reports',
      evidenceDir: '/srv/app/evidence',
      waitForDbSeconds: 0,
      ...TIMEOUT_DEFAULTS,
    });
  });

  it('takes the environment over the defaults', () => {
    expect(resolveSettings({}, env, CWD)).toEqual({
      zone: 'America/New_York',
      runTime: '07:15',
      reportsDir: '/srv/app/env-reports',
      evidenceDir: '/var/evidence',
      waitForDbSeconds: 30,
      statementTimeoutSeconds: 5,
      lockTimeoutSeconds: 2.5,
      resolutionGraceDays: 2,
      embedded: false,
    });
  });

  it('takes the flags over the environment', () => {
    expect(resolveSettings(flags, env, CWD)).toEqual({
      zone: 'Asia/Tokyo',
      runTime: '23:59',
      reportsDir: '/srv/flag-reports',
      evidenceDir: '/srv/app/flag/evidence',
      waitForDbSeconds: 300,
      statementTimeoutSeconds: 0.25,
      lockTimeoutSeconds: 120,
      resolutionGraceDays: 2,
      embedded: false,
    });
  });

  it.each([
    ['zone', 'zone', 'Asia/Tokyo', 'Europe/Oslo'],
    ['runTime', 'runTime', '23:59', '06:00'],
    ['reportsDir', 'reportsDir', '/srv/flag-reports', '/srv/app/reports'],
    ['evidenceDir', 'evidenceDir', '/srv/app/flag/evidence', '/srv/app/evidence'],
    ['waitForDb', 'waitForDbSeconds', 300, 0],
    ['statementTimeout', 'statementTimeoutSeconds', 0.25, 60],
    ['lockTimeout', 'lockTimeoutSeconds', 120, 10],
  ] as const)('flag %s alone overrides only its setting', (flag, setting, fromFlag, fallback) => {
    const one = resolveSettings({ [flag]: flags[flag] }, {}, CWD);
    expect(one[setting]).toBe(fromFlag);
    const others = resolveSettings({}, {}, CWD);
    expect(others[setting]).toBe(fallback);
    expect({ ...one, [setting]: fallback }).toEqual(others);
  });

  it('treats an empty environment variable as unset', () => {
    expect(resolveSettings({}, { CANONICAL_TZ: '', CANONICAL_RUN_TIME: '', REPORTS_DIR: '', CANONICAL_LOCK_TIMEOUT: '' }, CWD)).toEqual({
      zone: 'Europe/Oslo',
      runTime: '06:00',
      reportsDir: '/srv/app/reports',
      evidenceDir: '/srv/app/evidence',
      waitForDbSeconds: 0,
      ...TIMEOUT_DEFAULTS,
    });
  });

  it.each<[string, Parameters<typeof resolveSettings>[0], NodeJS.ProcessEnv, string, string]>([
    ['zone via flag', { zone: 'Mars/Base' }, {}, '--zone', '--zone: "Mars/Base" is not a valid IANA time zone'],
    ['zone via env', {}, { CANONICAL_TZ: 'Mars/Base' }, 'CANONICAL_TZ', 'CANONICAL_TZ: "Mars/Base" is not a valid IANA time zone'],
    [
      'bad flag despite good env',
      { zone: 'Mars/Base' },
      { CANONICAL_TZ: 'UTC' },
      '--zone',
      '--zone: "Mars/Base" is not a valid IANA time zone',
    ],
    ['run time 6:00', { runTime: '6:00' }, {}, '--run-time', '--run-time: "6:00" must be HH:MM on a 24-hour clock (00:00 to 23:59)'],
    ['run time 24:00', { runTime: '24:00' }, {}, '--run-time', '--run-time: "24:00" must be HH:MM on a 24-hour clock (00:00 to 23:59)'],
    [
      'run time 06:60 via env',
      {},
      { CANONICAL_RUN_TIME: '06:60' },
      'CANONICAL_RUN_TIME',
      'CANONICAL_RUN_TIME: "06:60" must be HH:MM on a 24-hour clock (00:00 to 23:59)',
    ],
    ['wait-for-db abc', { waitForDb: 'abc' }, {}, '--wait-for-db', '--wait-for-db: "abc" must be a whole number of seconds'],
    [
      'wait-for-db -1 via env',
      {},
      { CANONICAL_WAIT_FOR_DB: '-1' },
      'CANONICAL_WAIT_FOR_DB',
      'CANONICAL_WAIT_FOR_DB: "-1" must be a whole number of seconds',
    ],
    ['wait-for-db 86401', { waitForDb: '86401' }, {}, '--wait-for-db', '--wait-for-db: "86401" must be at most 86400 seconds'],
    ['blank reports dir', { reportsDir: '  ' }, {}, '--reports-dir', '--reports-dir: "  " must not be empty'],
    [
      'statement timeout 0',
      { statementTimeout: '0' },
      {},
      '--statement-timeout',
      '--statement-timeout: "0" must be between 0.001 and 86400 seconds',
    ],
    [
      'statement timeout 1m via env',
      {},
      { CANONICAL_STATEMENT_TIMEOUT: '1m' },
      'CANONICAL_STATEMENT_TIMEOUT',
      'CANONICAL_STATEMENT_TIMEOUT: "1m" must be a number of seconds (e.g. 60 or 0.5)',
    ],
    ['lock timeout -1', { lockTimeout: '-1' }, {}, '--lock-timeout', '--lock-timeout: "-1" must be a number of seconds (e.g. 60 or 0.5)'],
    ['empty evidence dir flag', { evidenceDir: '' }, {}, '--evidence-dir', '--evidence-dir: "" must not be empty'],
  ])('refuses %s, naming the setting', (_name, given, environment, setting, message) => {
    const error = usageErrorOf(() => resolveSettings(given, environment, CWD));
    expect(error.setting).toBe(setting);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it('accepts 00:00, 23:59 and 86400 seconds', () => {
    const s = resolveSettings({ runTime: '00:00', waitForDb: '86400' }, { CANONICAL_RUN_TIME: '23:59' }, CWD);
    expect([s.runTime, s.waitForDbSeconds]).toEqual(['00:00', 86400]);
  });
});

describe('todayIn', () => {
  it('is the calendar date in the zone', () => {
    const now = new Date('2026-03-28T23:30:00.000Z');
    expect(todayIn('Europe/Oslo', now)).toBe('2026-03-29');
    expect(todayIn('UTC', now)).toBe('2026-03-28');
  });
});

describe('resolution grace', () => {
  it('takes --resolution-grace over CANONICAL_RESOLUTION_GRACE over the default 2', () => {
    expect(resolveSettings({}, {}, CWD).resolutionGraceDays).toBe(2);
    expect(resolveSettings({}, { CANONICAL_RESOLUTION_GRACE: '5' }, CWD).resolutionGraceDays).toBe(5);
    expect(resolveSettings({ resolutionGrace: '0' }, { CANONICAL_RESOLUTION_GRACE: '5' }, CWD).resolutionGraceDays).toBe(0);
  });

  it('refuses a grace that is not a whole number of days, naming the setting', () => {
    expect(() => resolveSettings({ resolutionGrace: '1.5' }, {}, CWD)).toThrow('--resolution-grace: "1.5" must be a whole number of days');
    expect(() => resolveSettings({}, { CANONICAL_RESOLUTION_GRACE: '400' }, CWD)).toThrow(
      'CANONICAL_RESOLUTION_GRACE: "400" must be at most 366 days',
    );
  });
});
