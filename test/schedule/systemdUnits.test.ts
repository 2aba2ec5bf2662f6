import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dailyRunArguments } from '../../src/schedule/options.js';
import { buildSystemdUnits, formatSystemdUnits, quoteSystemdArg, type SystemdOptions } from '../../src/schedule/systemdUnits.js';
import { expandSpecifiers, parseUnit, splitMarkers, systemdArgv } from './parsers.js';

const base: SystemdOptions = {
  time: '06:00',
  zone: 'Europe/Oslo',
  nodePath: '/usr/bin/node',
  scriptPath: '/srv/canonical-tests/dist/src/cli/main.js',
  arguments: dailyRunArguments('Europe/Oslo', '06:00'),
  workingDirectory: '/srv/canonical-tests',
  user: 'evaluator',
};

describe('buildSystemdUnits', () => {
  it('names the two files after the unit name', () => {
    const units = buildSystemdUnits(base);
    expect(units.serviceFileName).toBe('canonical-tests.service');
    expect(units.timerFileName).toBe('canonical-tests.timer');
    const custom = buildSystemdUnits({ ...base, unitName: 'evaluator-daily' });
    expect([custom.serviceFileName, custom.timerFileName]).toEqual(['evaluator-daily.service', 'evaluator-daily.timer']);
    expect(parseUnit(custom.timer).Timer!.Unit).toBe('evaluator-daily.service');
  });

  it('writes a oneshot service with exactly these keys and values', () => {
    expect(parseUnit(buildSystemdUnits(base).service)).toEqual({
      Unit: {
        Description: 'Canonical test-window evaluator: daily run (06:00 Europe/Oslo)',
        Wants: 'network-online.target',
        After: 'network-online.target',
      },
      Service: {
        Type: 'oneshot',
        User: 'evaluator',
        WorkingDirectory: '/srv/canonical-tests',
        ExecStart:
          '/usr/bin/node /srv/canonical-tests/dist/src/cli/main.js run --catch-up --wait-for-db 300 --zone Europe/Oslo --run-time 06:00',
        TimeoutStartSec: '2h',
      },
    });
  });

  it('writes a persistent timer at the time in the zone with exactly these keys and values', () => {
    const units = buildSystemdUnits(base);
    expect(units.onCalendar).toBe('*-*-* 06:00:00 Europe/Oslo');
    expect(parseUnit(units.timer)).toEqual({
      Unit: { Description: 'Daily start of canonical-tests.service at 06:00 Europe/Oslo' },
      Timer: { OnCalendar: '*-*-* 06:00:00 Europe/Oslo', Persistent: 'true', Unit: 'canonical-tests.service' },
      Install: { WantedBy: 'timers.target' },
    });
  });

  it.each([
    ['00:00', 'UTC', '*-*-* 00:00:00 UTC'],
    ['23:59', 'America/New_York', '*-*-* 23:59:00 America/New_York'],
    ['07:05', 'Asia/Kolkata', '*-*-* 07:05:00 Asia/Kolkata'],
  ])('puts %s %s into OnCalendar', (time, zone, onCalendar) => {
    const units = buildSystemdUnits({ ...base, time, zone, arguments: dailyRunArguments(zone, time) });
    expect(units.onCalendar).toBe(onCalendar);
    expect(parseUnit(units.timer).Timer!.OnCalendar).toBe(onCalendar);
    expect(systemdArgv(parseUnit(units.service).Service!.ExecStart!).slice(2)).toEqual(dailyRunArguments(zone, time));
  });

  it('honours timeoutStart and description', () => {
    const service = parseUnit(buildSystemdUnits({ ...base, timeoutStart: '90min', description: '100% daily' }).service);
    expect(service.Service!.TimeoutStartSec).toBe('90min');
    expect(service.Unit!.Description).toBe('100%% daily');
    expect(expandSpecifiers(service.Unit!.Description!)).toBe('100% daily');
  });

  it('quotes paths with spaces, quotes, backslashes, % and $ so systemd reads them back exactly', () => {
    const nodePath = '/opt/node 20 $HOME 100%/bin/node';
    const scriptPath = `/home/o'brien/My "Apps"/back\\slash/$USER/50% done/main.js`;
    const workingDirectory = `/home/o'brien/My "Apps"/back\\slash/$USER/50% done`;
    const args = ['run', '--zone', 'Europe/Oslo', 'a b', '', ';', '${PATH}', 'tab\\t?'];
    const service = parseUnit(buildSystemdUnits({ ...base, nodePath, scriptPath, workingDirectory, arguments: args }).service);
    expect(systemdArgv(service.Service!.ExecStart!)).toEqual([nodePath, scriptPath, ...args]);
    // WorkingDirectory= is taken literally (no quotes, no $), only specifiers expand.
    expect(service.Service!.WorkingDirectory).toBe(`/home/o'brien/My "Apps"/back\\slash/$USER/50%% done`);
    expect(expandSpecifiers(service.Service!.WorkingDirectory!)).toBe(workingDirectory);
  });

  it.each([
    ['nodePath', { nodePath: '/opt/"node"/bin/node' }],
    ['nodePath', { nodePath: "/home/o'brien/node" }],
    ['nodePath', { nodePath: '/opt/back\\slash/node' }],
    ['nodePath', { nodePath: 'node' }],
    ['scriptPath', { scriptPath: 'dist/src/cli/main.js' }],
    ['scriptPath', { scriptPath: '/srv/a\nExecStartPre=/bin/sh' }],
    ['workingDirectory', { workingDirectory: '' }],
    ['workingDirectory', { workingDirectory: 'relative' }],
    ['workingDirectory', { workingDirectory: '/srv/ends in space ' }],
    ['workingDirectory', { workingDirectory: '/srv/ends in backslash\\' }],
    ['workingDirectory', { workingDirectory: '/srv/new\nline' }],
    ['arguments', { arguments: ['run', 'a\nb'] }],
    ['user', { user: '' }],
    ['user', { user: 'two words' }],
    ['user', { user: 'x\nExecStartPre=/bin/sh' }],
    ['time', { time: '24:00' }],
    ['time', { time: '6:00' }],
    ['zone', { zone: 'Not/AZone' }],
    ['zone', { zone: '' }],
    ['unitName', { unitName: 'canonical-tests.service' }],
    ['unitName', { unitName: 'a b' }],
    ['timeoutStart', { timeoutStart: 'two hours' }],
    ['description', { description: 'ends in a backslash\\' }],
  ] as const)('refuses a bad %s, naming the field', (field, patch) => {
    const build = () => buildSystemdUnits({ ...base, ...patch } as SystemdOptions);
    expect(build).toThrow(new RegExp(`\\b${field}\\b`));
  });

  it('accepts a numeric user id', () => {
    expect(parseUnit(buildSystemdUnits({ ...base, user: '1000' }).service).Service!.User).toBe('1000');
  });
});

describe('quoteSystemdArg', () => {
  it('leaves plain words bare and quotes and escapes the rest', () => {
    expect(quoteSystemdArg('run')).toBe('run');
    expect(quoteSystemdArg('--wait-for-db')).toBe('--wait-for-db');
    expect(quoteSystemdArg('Europe/Oslo')).toBe('Europe/Oslo');
    expect(quoteSystemdArg('06:00')).toBe('06:00');
    expect(quoteSystemdArg('')).toBe('""');
    expect(quoteSystemdArg('a b')).toBe('"a b"');
    expect(quoteSystemdArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteSystemdArg('C:\\x')).toBe('"C:\\\\x"');
    expect(quoteSystemdArg('50%')).toBe('"50%%"');
    expect(quoteSystemdArg('$HOME')).toBe('"$$HOME"');
    expect(quoteSystemdArg(';')).toBe('";"');
  });

  it('refuses control characters', () => {
    expect(() => quoteSystemdArg('a\nb')).toThrow(/control characters/);
  });
});

describe('formatSystemdUnits', () => {
  const units = buildSystemdUnits(base);
  const text = formatSystemdUnits(units);
  const parts = splitMarkers(text);

  it('prints each unit under a marker naming its file in /etc/systemd/system', () => {
    expect(Object.keys(parts)).toEqual([
      'preamble',
      '/etc/systemd/system/canonical-tests.service',
      '/etc/systemd/system/canonical-tests.timer',
      'then, as root',
    ]);
    expect(parseUnit(parts['/etc/systemd/system/canonical-tests.service']!)).toEqual(parseUnit(units.service));
    expect(parseUnit(parts['/etc/systemd/system/canonical-tests.timer']!)).toEqual(parseUnit(units.timer));
    expect(parts['/etc/systemd/system/canonical-tests.service']!.trim()).toBe(units.service.trim());
    expect(parts['/etc/systemd/system/canonical-tests.timer']!.trim()).toBe(units.timer.trim());
  });

  it('ends with the commands that enable the timer, and every other line is a comment', () => {
    const commands = parts['then, as root']!.split('\n').filter((l) => l.trim() !== '');
    expect(commands.map((l) => l.replace(/^#\s+/, '').replace(/\s+#.*$/, ''))).toEqual([
      'systemctl daemon-reload',
      'systemctl enable --now canonical-tests.timer',
      'systemctl list-timers canonical-tests.timer',
    ]);
    for (const line of [...parts.preamble!.split('\n'), ...commands]) {
      expect(line === '' || line.startsWith('#'), line).toBe(true);
    }
    expect(parts.preamble).toContain('06:00 Europe/Oslo');
  });

  it('takes another unit folder', () => {
    expect(Object.keys(splitMarkers(formatSystemdUnits(units, '/home/x/.config/systemd/user')))).toContain(
      '/home/x/.config/systemd/user/canonical-tests.service',
    );
  });
});

// systemd's own parser, when the machine has it (apt-get install systemd): the
// units must load without a warning and the calendar spec must parse to itself.
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const hasSystemdAnalyze = analyze.status === 0;

describe.skipIf(!hasSystemdAnalyze)('systemd-analyze accepts the generated units', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function verify(options: SystemdOptions): { status: number | null; output: string } {
    const units = buildSystemdUnits(options);
    const service = join(dir!, units.serviceFileName);
    const timer = join(dir!, units.timerFileName);
    writeFileSync(service, units.service);
    writeFileSync(timer, units.timer);
    const result = spawnSync('systemd-analyze', ['verify', service, timer], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  it('verify: the units as printed for this machine', () => {
    dir = mkdtempSync(join(tmpdir(), 'systemd-units-'));
    const result = verify({ ...base, nodePath: process.execPath, user: userInfo().username, workingDirectory: dir });
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('verify: paths with spaces, %, $, quotes and backslashes (the executable reached through them)', () => {
    dir = mkdtempSync(join(tmpdir(), 'systemd units 100% $x-'));
    const binDir = join(dir, 'node bin %h $PATH');
    mkdirSync(binDir);
    const nodePath = join(binDir, 'node');
    symlinkSync(process.execPath, nodePath);
    const result = verify({
      ...base,
      nodePath,
      scriptPath: join(dir, `o'brien "x" back\\slash`, 'main.js'),
      workingDirectory: join(dir, `o'brien "x" back\\slash`),
      arguments: [...base.arguments, 'a b', ';', '${PATH}'],
      user: userInfo().username,
    });
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('verify catches a unit systemd would refuse (the check itself works)', () => {
    dir = mkdtempSync(join(tmpdir(), 'systemd-units-'));
    const units = buildSystemdUnits({ ...base, nodePath: join(dir, 'no-such-node') });
    writeFileSync(join(dir, units.serviceFileName), units.service);
    const result = spawnSync('systemd-analyze', ['verify', join(dir, units.serviceFileName)], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
  });

  it.each([
    ['06:00', 'Europe/Oslo'],
    ['00:00', 'UTC'],
    ['23:59', 'America/New_York'],
    ['02:30', 'Europe/Oslo'],
  ])('calendar: %s %s parses and normalises to itself', (time, zone) => {
    const { onCalendar } = buildSystemdUnits({ ...base, time, zone });
    const result = spawnSync('systemd-analyze', ['calendar', onCalendar], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Normalized form: ${onCalendar.replace(/[*]/g, '\\*')}\\n`));
  });
});
