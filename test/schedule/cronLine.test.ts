import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCronEntry, escapeCronPercent, quoteShellArg, type CronOptions } from '../../src/schedule/cronLine.js';
import { dailyRunArguments } from '../../src/schedule/options.js';
import { cronToShell, parseCrontab } from './parsers.js';

const base: CronOptions = {
  time: '06:00',
  zone: 'Europe/Oslo',
  nodePath: '/usr/bin/node',
  scriptPath: '/srv/canonical-tests/dist/src/cli/main.js',
  arguments: dailyRunArguments('Europe/Oslo', '06:00'),
  workingDirectory: '/srv/canonical-tests',
  machineZone: 'UTC',
};

describe('buildCronEntry', () => {
  it('writes comment lines, then CRON_TZ, then one daily line at the time', () => {
    const entry = buildCronEntry(base);
    const crontab = parseCrontab(entry.lines.join('\n'));
    expect(entry.lines.at(-2)).toBe('CRON_TZ=Europe/Oslo');
    expect(entry.lines.slice(0, -2).every((l) => l.startsWith('#'))).toBe(true);
    expect(crontab.env).toEqual([['CRON_TZ', 'Europe/Oslo']]);
    expect(crontab.jobs).toEqual([
      {
        minute: '0',
        hour: '6',
        dayOfMonth: '*',
        month: '*',
        dayOfWeek: '*',
        command:
          'cd /srv/canonical-tests && /usr/bin/node /srv/canonical-tests/dist/src/cli/main.js run --catch-up --wait-for-db 300 --zone Europe/Oslo --run-time 06:00',
      },
    ]);
    expect([entry.minute, entry.hour, entry.command]).toEqual(['0', '6', crontab.jobs[0]!.command]);
  });

  it('says in a comment where CRON_TZ is honoured and what other crons do, naming the machine zone', () => {
    const comments = parseCrontab(buildCronEntry(base).lines.join('\n')).comments.join('\n');
    for (const word of [
      'CRON_TZ',
      'cronie',
      'Fedora',
      'RHEL',
      'Arch',
      "Ubuntu's cronie package",
      "machine's zone",
      'UTC',
      '06:00 Europe/Oslo',
    ]) {
      expect(comments).toContain(word);
    }
    expect(parseCrontab(buildCronEntry({ ...base, machineZone: 'Asia/Tokyo' }).lines.join('\n')).comments.join('\n')).toContain(
      'Asia/Tokyo',
    );
  });

  it.each([
    ['00:00', '0', '0'],
    ['23:59', '59', '23'],
    ['07:05', '5', '7'],
    ['12:30', '30', '12'],
  ])('puts %s into minute %s and hour %s', (time, minute, hour) => {
    const job = parseCrontab(buildCronEntry({ ...base, time }).lines.join('\n')).jobs[0]!;
    expect([job.minute, job.hour, job.dayOfMonth, job.month, job.dayOfWeek]).toEqual([minute, hour, '*', '*', '*']);
  });

  it('escapes % for cron and quotes paths for the shell', () => {
    const job = parseCrontab(
      buildCronEntry({ ...base, workingDirectory: "/srv/o'brien 100%", scriptPath: '/srv/a b/main.js' }).lines.join('\n'),
    ).jobs[0]!;
    expect(job.command).toBe(
      "cd '/srv/o'\\''brien 100\\%' && /usr/bin/node '/srv/a b/main.js' run --catch-up --wait-for-db 300 --zone Europe/Oslo --run-time 06:00",
    );
  });

  it.each([
    ['time', { time: '24:00' }],
    ['time', { time: '6:00' }],
    ['zone', { zone: 'Not/AZone' }],
    ['nodePath', { nodePath: 'node' }],
    ['scriptPath', { scriptPath: 'main.js' }],
    ['workingDirectory', { workingDirectory: '' }],
    ['workingDirectory', { workingDirectory: '/srv/new\nline' }],
    ['workingDirectory', { workingDirectory: '/srv/back\\%slash' }],
    ['arguments', { arguments: ['run', 'a\nb'] }],
    ['arguments', { arguments: ['run', '\\%'] }],
  ] as const)('refuses a bad %s, naming the field', (field, patch) => {
    expect(() => buildCronEntry({ ...base, ...patch } as CronOptions)).toThrow(new RegExp(`\\b${field}\\b`));
  });
});

describe('quoteShellArg and escapeCronPercent', () => {
  it('leaves plain words bare and single-quotes the rest', () => {
    expect(quoteShellArg('run')).toBe('run');
    expect(quoteShellArg('/usr/bin/node')).toBe('/usr/bin/node');
    expect(quoteShellArg('')).toBe("''");
    expect(quoteShellArg('a b')).toBe("'a b'");
    expect(quoteShellArg("o'brien")).toBe("'o'\\''brien'");
    expect(quoteShellArg('$HOME')).toBe("'$HOME'");
    expect(quoteShellArg('a;b')).toBe("'a;b'");
  });

  it('escapes every %', () => {
    expect(escapeCronPercent('date +%F %H')).toBe('date +\\%F \\%H');
  });
});

// The command as cron would run it: cron's % rule, then /bin/sh -c. A script in a
// folder with every awkward character prints the arguments and folder it got.
describe('the command round-trips through cron and /bin/sh', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('gives node exactly the script, the arguments and the project folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'cron line-'));
    const project = join(dir, `o'brien "x" 100% $HOME \\back; && $(echo no) \`echo no\` *`);
    mkdirSync(project);
    // .cjs: node's ESM loader refuses a script path holding a backslash.
    const script = join(project, 'print args.cjs');
    writeFileSync(script, 'console.log(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }));\n');
    const args = ['run', '--zone', 'Europe/Oslo', 'a b', '', "it's", '50%', '$PATH', '*'];
    const { command } = buildCronEntry({
      ...base,
      nodePath: process.execPath,
      scriptPath: script,
      workingDirectory: project,
      arguments: args,
    });
    const result = spawnSync('/bin/sh', ['-c', cronToShell(command)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ argv: args, cwd: project });
  });

  it('does not start node when the folder is missing', () => {
    dir = mkdtempSync(join(tmpdir(), 'cron line-'));
    const marker = join(dir, 'ran');
    const script = join(dir, 'touch.mjs');
    writeFileSync(script, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x');\n`);
    const { command } = buildCronEntry({ ...base, nodePath: process.execPath, scriptPath: script, workingDirectory: join(dir, 'gone') });
    const result = spawnSync('/bin/sh', ['-c', cronToShell(command)], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});
