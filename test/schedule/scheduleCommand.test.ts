import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/errors.js';
import type { CommandRunner } from '../../src/schedule/installTask.js';
import {
  parseLogonMode,
  parseScheduleFormat,
  runSchedule,
  type ScheduleContext,
  type ScheduleFlags,
} from '../../src/schedule/scheduleCommand.js';
import { usageErrorOf } from '../helpers/errors.js';
import { literal } from '../helpers/pattern.js';
import { parseCrontab, parseUnit, splitMarkers, systemdArgv, taskDocument } from './parsers.js';

const context: ScheduleContext = {
  zone: 'Europe/Oslo',
  scriptPath: '/srv/canonical tests/dist/src/cli/main.js',
  nodePath: '/usr/bin/node',
  workingDirectory: '/srv/canonical tests',
  user: 'evaluator',
  machineZone: 'America/New_York',
  platform: 'linux',
};

const RUN_ARGS = ['run', '--catch-up', '--wait-for-db', '300', '--zone', 'Europe/Oslo', '--run-time', '07:15'];

function schedule(flags: ScheduleFlags, ctx: Partial<ScheduleContext> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runSchedule(flags, { ...context, ...ctx }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true });

describe('parseScheduleFormat and parseLogonMode', () => {
  it('default to windows and interactive and accept each value', () => {
    expect(parseScheduleFormat(undefined)).toBe('windows');
    expect(['windows', 'systemd', 'cron'].map(parseScheduleFormat)).toEqual(['windows', 'systemd', 'cron']);
    expect(parseLogonMode(undefined)).toBe('interactive');
    expect(['interactive', 's4u'].map(parseLogonMode)).toEqual(['interactive', 's4u']);
  });

  it.each(['launchd', '', 'Windows', 'SYSTEMD'])('refuse format %j as a usage error naming --format', (value) => {
    const error = usageErrorOf(() => parseScheduleFormat(value));
    expect(error.setting).toBe('--format');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('windows, systemd, cron');
  });

  it.each(['password', 'S4U', ''])('refuse logon %j as a usage error naming --logon', (value) => {
    const error = usageErrorOf(() => parseLogonMode(value));
    expect(error.setting).toBe('--logon');
    expect(error.exitCode).toBe(ExitCode.usage);
  });
});

describe('runSchedule', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('windows (the default): prints the task XML and warns that the machine zone differs', () => {
    const { code, stdout, stderr } = schedule({ time: '07:15' });
    expect(code).toBe(ExitCode.done);
    const task = taskDocument.parse(xmlParser.parse(stdout)).Task;
    expect(task.Triggers.CalendarTrigger.StartBoundary).toBe('2026-01-01T07:15:00');
    expect(task.Principals.Principal.LogonType).toBe('InteractiveToken');
    expect(task.Actions.Exec.Command).toBe('/usr/bin/node');
    expect(task.Actions.Exec.Arguments).toBe(`"/srv/canonical tests/dist/src/cli/main.js" ${RUN_ARGS.join(' ')}`);
    expect(task.Actions.Exec.WorkingDirectory).toBe('/srv/canonical tests');
    expect(task.RegistrationInfo.URI).toBe('\\CanonicalTests\\DailyEvaluation');
    expect(stderr).toMatch(/^Warning: .*Europe\/Oslo.*America\/New_York/);
  });

  it('windows: no warning when the zones agree; --logon s4u and --task-name reach the XML', () => {
    const { stdout, stderr } = schedule({ logon: 's4u', taskName: '\\Evaluator\\Daily' }, { machineZone: 'Europe/Oslo' });
    expect(stderr).toBe('');
    const task = taskDocument.parse(xmlParser.parse(stdout)).Task;
    expect(task.Principals.Principal.LogonType).toBe('S4U');
    expect(task.RegistrationInfo.URI).toBe('\\Evaluator\\Daily');
    expect(task.Triggers.CalendarTrigger.StartBoundary).toBe('2026-01-01T06:00:00');
  });

  it('systemd: prints both units with the run in the project folder; no zone warning', () => {
    const { code, stdout, stderr } = schedule({ format: 'systemd', time: '07:15' });
    expect(code).toBe(ExitCode.done);
    expect(stderr).toBe('');
    const parts = splitMarkers(stdout);
    const service = parseUnit(parts['/etc/systemd/system/canonical-tests.service']!);
    const timer = parseUnit(parts['/etc/systemd/system/canonical-tests.timer']!);
    expect(service.Service!.Type).toBe('oneshot');
    expect(service.Service!.User).toBe('evaluator');
    expect(service.Service!.WorkingDirectory).toBe('/srv/canonical tests');
    expect(systemdArgv(service.Service!.ExecStart!)).toEqual(['/usr/bin/node', '/srv/canonical tests/dist/src/cli/main.js', ...RUN_ARGS]);
    expect(timer.Timer).toEqual({ OnCalendar: '*-*-* 07:15:00 Europe/Oslo', Persistent: 'true', Unit: 'canonical-tests.service' });
  });

  it('systemd: a note on stderr when the service would run as root', () => {
    const { stdout, stderr } = schedule({ format: 'systemd' }, { user: 'root' });
    expect(parseUnit(splitMarkers(stdout)['/etc/systemd/system/canonical-tests.service']!).Service!.User).toBe('root');
    expect(stderr).toMatch(/root.*User=/);
  });

  it('cron: prints the comment, CRON_TZ and the line; no zone warning', () => {
    const { code, stdout, stderr } = schedule({ format: 'cron', time: '07:15' });
    expect(code).toBe(ExitCode.done);
    expect(stderr).toBe('');
    const crontab = parseCrontab(stdout);
    expect(crontab.env).toEqual([['CRON_TZ', 'Europe/Oslo']]);
    expect(crontab.comments.join(' ')).toContain('America/New_York');
    expect(crontab.jobs).toEqual([
      {
        minute: '15',
        hour: '7',
        dayOfMonth: '*',
        month: '*',
        dayOfWeek: '*',
        command: `cd '/srv/canonical tests' && /usr/bin/node '/srv/canonical tests/dist/src/cli/main.js' ${RUN_ARGS.join(' ')}`,
      },
    ]);
  });

  it.each([
    ['--format', { format: 'launchd' }],
    ['--logon', { logon: 'password' }],
    ['--time', { time: '7:15' }],
    ['--time', { time: '24:00' }],
    ['--logon', { format: 'systemd', logon: 's4u' }],
    ['--logon', { format: 'cron', logon: 'interactive' }],
    ['--task-name', { format: 'systemd', taskName: 'x' }],
    ['--output', { format: 'cron', output: 'x.txt' }],
    ['--install', { format: 'systemd', install: true }],
  ] as const)('usage error naming %s for %j', (setting, flags) => {
    const error = usageErrorOf(() => schedule(flags));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.setting).toBe(setting);
  });

  it('--install off Windows is a usage error and writes nothing', () => {
    dir = mkdtempSync(join(tmpdir(), 'schedule-install-'));
    const calls: unknown[] = [];
    const run: CommandRunner = (...a) => (calls.push(a), { status: 0, stdout: '', stderr: '' });
    const error = usageErrorOf(() => schedule({ install: true }, { tempDir: dir, run }));
    expect(error.setting).toBe('--install');
    expect(error.message).toContain('Windows');
    expect(calls).toEqual([]);
    expect(existsSync(join(dir, 'canonical-tests-task.xml'))).toBe(false);
  });

  it('--install on Windows writes the UTF-16LE file in a private temporary folder, registers it with schtasks, then removes it', () => {
    dir = mkdtempSync(join(tmpdir(), 'schedule-install-'));
    const calls: Array<[string, string[]]> = [];
    let bytes = Buffer.alloc(0);
    const run: CommandRunner = (command, args) => {
      calls.push([command, args]);
      bytes = readFileSync(args[2]!); // the file exists while schtasks runs
      return { status: 0, stdout: '', stderr: '' };
    };
    const { stdout } = schedule({ install: true, logon: 's4u' }, { tempDir: dir, run, platform: 'win32' });
    expect(calls).toHaveLength(1);
    const [command, args] = calls[0]!;
    expect(command).toBe('schtasks');
    expect(args[2]).toMatch(new RegExp(`^${literal(dir)}/canonical-tests-task-[^/]+/task\\.xml$`));
    expect(args).toEqual(['/Create', '/XML', args[2], '/TN', '\\CanonicalTests\\DailyEvaluation', '/F']);
    expect(readdirSync(dir)).toEqual([]); // removed after schtasks ran
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    expect(taskDocument.parse(xmlParser.parse(bytes.subarray(2).toString('utf16le'))).Task.Principals.Principal.LogonType).toBe('S4U');
    expect(stdout).toBe('installed \\CanonicalTests\\DailyEvaluation');
  });

  it('refuses a project folder systemd or cron cannot carry, naming the field', () => {
    expect(() => schedule({ format: 'systemd' }, { workingDirectory: '/srv/a\nb' })).toThrow(/workingDirectory/);
    expect(() => schedule({ format: 'cron' }, { workingDirectory: 'C:\\canonical-tests' })).toThrow(/workingDirectory/);
  });
});
