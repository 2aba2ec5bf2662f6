import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { cronToShell, parseCrontab, parseUnit, splitMarkers, systemdArgv, taskDocument } from './parsers.js';

// `schedule` through the built executable, in a project folder whose name has a space.
let root: string;
let project: string;
beforeAll(() => {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`).toBe(true);
  root = realpathSync(mkdtempSync(join(tmpdir(), 'canonical-tests-schedule-')));
  project = join(root, 'project folder');
  mkdirSync(project);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schedule = (args: string[]) => runCli(['schedule', ...args], project);
/** POSIX shell quoting, for the expected crontab line. */
const sh = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const RUN_ARGS = ['run', '--catch-up', '--wait-for-db', '300', '--zone', 'America/New_York', '--run-time', '05:45'];
const script = realpathSync(CLI);

describe('canonical-tests schedule', () => {
  it('--format windows (the default) prints task XML that parses', async () => {
    for (const args of [[], ['--format', 'windows']]) {
      const { code, stdout } = await schedule([...args, '--time', '05:45', '--zone', 'America/New_York']);
      expect(code).toBe(0);
      const task = taskDocument.parse(new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(stdout)).Task;
      expect(task.Triggers.CalendarTrigger.StartBoundary).toBe('2026-01-01T05:45:00');
      expect(task.Principals.Principal.LogonType).toBe('InteractiveToken');
      expect(task.Actions.Exec.Command).toBe(process.execPath);
      expect(task.Actions.Exec.Arguments).toBe(`"${script}" ${RUN_ARGS.join(' ')}`);
      expect(task.Actions.Exec.WorkingDirectory).toBe(project);
    }
  });

  it('--logon s4u prints a task with an S4U principal', async () => {
    const { code, stdout } = await schedule(['--logon', 's4u']);
    expect(code).toBe(0);
    expect(taskDocument.parse(new XMLParser().parse(stdout)).Task.Principals.Principal.LogonType).toBe('S4U');
  });

  it('--format systemd prints a service and a timer that parse, and no zone warning', async () => {
    const { code, stdout, stderr } = await schedule(['--format', 'systemd', '--time', '05:45', '--zone', 'America/New_York']);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/Warning/);
    const parts = splitMarkers(stdout);
    const service = parseUnit(parts['/etc/systemd/system/canonical-tests.service']!);
    const timer = parseUnit(parts['/etc/systemd/system/canonical-tests.timer']!);
    expect(service.Service!.Type).toBe('oneshot');
    expect(service.Service!.WorkingDirectory).toBe(project);
    expect(systemdArgv(service.Service!.ExecStart!)).toEqual([process.execPath, script, ...RUN_ARGS]);
    expect(timer.Timer).toEqual({ OnCalendar: '*-*-* 05:45:00 America/New_York', Persistent: 'true', Unit: 'canonical-tests.service' });
    expect(parts['then, as root']).toContain('systemctl enable --now canonical-tests.timer');
  });

  it('--format cron prints CRON_TZ and a crontab line that parse, and no zone warning', async () => {
    const { code, stdout, stderr } = await schedule(['--format', 'cron', '--time', '05:45', '--zone', 'America/New_York']);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/Warning/);
    const crontab = parseCrontab(stdout);
    expect(crontab.env).toEqual([['CRON_TZ', 'America/New_York']]);
    expect(crontab.comments.join('\n')).toContain('cronie');
    expect(crontab.jobs).toHaveLength(1);
    const job = crontab.jobs[0]!;
    expect([job.minute, job.hour, job.dayOfMonth, job.month, job.dayOfWeek]).toEqual(['45', '5', '*', '*', '*']);
    expect(cronToShell(job.command)).toBe(`cd ${sh(project)} && ${sh(process.execPath)} ${sh(script)} ${RUN_ARGS.join(' ')}`);
  });

  it('an unknown --format is a usage error (exit 2) naming --format', async () => {
    const { code, stdout, stderr } = await schedule(['--format', 'launchd']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--format');
    expect(stderr).toContain('launchd');
  });

  it('--logon with --format cron is a usage error (exit 2) naming --logon', async () => {
    const { code, stderr } = await schedule(['--format', 'cron', '--logon', 's4u']);
    expect(code).toBe(2);
    expect(stderr).toContain('--logon');
  });

  it('--help lists the formats and logon modes', async () => {
    const { code, stdout } = await schedule(['--help']);
    expect(code).toBe(0);
    for (const word of ['--format', 'systemd', 'cron', '--logon', 's4u', 'interactive']) expect(stdout).toContain(word);
  });
});
