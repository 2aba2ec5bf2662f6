import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempDir.js';
import { taskDocument, xmlElement } from './parsers.js';
import { UsageError } from '../../src/errors.js';
import { installTask, installTaskXml, UnsupportedPlatformError, type CommandRunner } from '../../src/schedule/installTask.js';
import type { TaskOptions } from '../../src/schedule/taskOptions.js';
import { buildTaskXml } from '../../src/schedule/taskXml.js';
import { writeTaskXmlFile } from '../../src/schedule/taskXmlFile.js';
import { quoteWindowsArg } from '../../src/schedule/windowsText.js';
import { zoneMismatchWarning } from '../../src/schedule/zoneMismatch.js';

const base: TaskOptions = {
  time: '06:00',
  zone: 'Europe/Oslo',
  taskName: '\\CanonicalTests\\DailyEvaluation',
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  scriptPath: 'C:\\Program Files\\canonical-tests\\dist\\src\\cli\\main.js',
  arguments: ['run', '--wait-for-db', '300', '--zone', 'Europe/Oslo'],
  workingDirectory: 'C:\\canonical-tests',
};

// Values kept as strings (no number/boolean coercion) so assertions are exact.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

/** The document with its XML declaration (`?xml`, attributes kept by this parser). */
const declaredTaskDocument = taskDocument.extend({ '?xml': xmlElement({}) });

function parse(xml: string) {
  return declaredTaskDocument.parse(parser.parse(xml));
}

/** An element's attributes and child elements, without the whitespace text between them. */
function elementsOf(node: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== '#text'));
}

describe('buildTaskXml', () => {
  const doc = parse(buildTaskXml(base));
  const task = doc.Task;

  it('declares UTF-16 and Task version 1.2 in the task namespace', () => {
    expect(doc['?xml']['@_version']).toBe('1.0');
    expect(doc['?xml']['@_encoding']).toBe('UTF-16');
    expect(task['@_version']).toBe('1.2');
    expect(task['@_xmlns']).toBe('http://schemas.microsoft.com/windows/2004/02/mit/task');
    expect(buildTaskXml(base).startsWith('<?xml version="1.0" encoding="UTF-16"?>')).toBe(true);
  });

  it('sets RegistrationInfo URI to the task name and a description naming time and zone', () => {
    expect(task.RegistrationInfo.URI).toBe('\\CanonicalTests\\DailyEvaluation');
    expect(task.RegistrationInfo.Description).toContain('06:00');
    expect(task.RegistrationInfo.Description).toContain('Europe/Oslo');
    const custom = parse(buildTaskXml({ ...base, description: 'Daily & nightly' }));
    expect(custom.Task.RegistrationInfo.Description).toBe('Daily & nightly');
  });

  it('uses a daily CalendarTrigger with a local StartBoundary (no offset, no Z)', () => {
    const trigger = task.Triggers.CalendarTrigger;
    expect(trigger.StartBoundary).toBe('2026-01-01T06:00:00');
    expect(trigger.StartBoundary).not.toMatch(/Z|[+-]\d{2}:\d{2}$/);
    expect(trigger.Enabled).toBe('true');
    expect(trigger.ScheduleByDay.DaysInterval).toBe('1');
  });

  it('honours startDate and time in the StartBoundary', () => {
    const doc2 = parse(buildTaskXml({ ...base, time: '23:59', startDate: '2028-02-29' }));
    expect(doc2.Task.Triggers.CalendarTrigger.StartBoundary).toBe('2028-02-29T23:59:00');
    const doc3 = parse(buildTaskXml({ ...base, time: '00:00' }));
    expect(doc3.Task.Triggers.CalendarTrigger.StartBoundary).toBe('2026-01-01T00:00:00');
  });

  it('has the required settings', () => {
    const s = task.Settings;
    expect(s.MultipleInstancesPolicy).toBe('IgnoreNew');
    expect(s.StartWhenAvailable).toBe('true');
    expect(s.DisallowStartIfOnBatteries).toBe('false');
    expect(s.StopIfGoingOnBatteries).toBe('false');
    expect(s.ExecutionTimeLimit).toBe('PT2H');
    expect(s.Enabled).toBe('true');
    expect(s.AllowStartOnDemand).toBe('true');
    expect(s.RestartOnFailure).toBeUndefined();
    const doc2 = parse(buildTaskXml({ ...base, executionTimeLimit: 'PT30M' }));
    expect(doc2.Task.Settings.ExecutionTimeLimit).toBe('PT30M');
  });

  it('has one Exec action in the Author context with exact command, arguments and folder', () => {
    expect(task.Actions['@_Context']).toBe('Author');
    expect(Array.isArray(task.Actions.Exec)).toBe(false);
    expect(task.Actions.Exec.Command).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(task.Actions.Exec.Arguments).toBe(
      '"C:\\Program Files\\canonical-tests\\dist\\src\\cli\\main.js" run --wait-for-db 300 --zone Europe/Oslo',
    );
    expect(task.Actions.Exec.WorkingDirectory).toBe('C:\\canonical-tests');
    expect(task.Principals.Principal['@_id']).toBe('Author');
  });

  it('logs on with an interactive token by default: no UserId, no password, least privilege', () => {
    const principal = elementsOf(task.Principals.Principal);
    expect(principal).toEqual({ '@_id': 'Author', LogonType: 'InteractiveToken', RunLevel: 'LeastPrivilege' });
    expect(parse(buildTaskXml({ ...base, logon: 'interactive' }))).toEqual(doc);
  });

  it('logon s4u: Principal LogonType S4U, still no UserId and no password; nothing else changes', () => {
    const xml = buildTaskXml({ ...base, logon: 's4u' });
    const s4u = parse(xml);
    expect(elementsOf(s4u.Task.Principals.Principal)).toEqual({ '@_id': 'Author', LogonType: 'S4U', RunLevel: 'LeastPrivilege' });
    expect(Array.isArray(s4u.Task.Principals.Principal)).toBe(false);
    expect(s4u.Task.Actions['@_Context']).toBe('Author');
    expect(xml).not.toMatch(/Password|UserId/);
    const rest = structuredClone(s4u);
    rest.Task.Principals.Principal.LogonType = 'InteractiveToken';
    expect(rest).toEqual(doc);
  });

  it('refuses an unknown logon, naming the field', () => {
    expect(() => buildTaskXml({ ...base, logon: 'password' as never })).toThrow(/\blogon\b/);
  });

  it('quotes the script path always and arguments with spaces or quotes by Windows rules', () => {
    const doc2 = parse(
      buildTaskXml({
        ...base,
        scriptPath: 'C:\\apps\\main.js',
        arguments: ['run', '--reports-dir', 'D:\\My Reports\\', '--test', 'say "hi"', ''],
      }),
    );
    expect(doc2.Task.Actions.Exec.Arguments).toBe('"C:\\apps\\main.js" run --reports-dir "D:\\My Reports\\\\" --test "say \\"hi\\"" ""');
  });

  it('XML-escapes & < > " in paths and round-trips them exactly', () => {
    const weird = 'C:\\a&b <c> "d"';
    const xml = buildTaskXml({ ...base, workingDirectory: weird, nodePath: weird, taskName: "\\T&'<x>" });
    expect(xml).toContain('<WorkingDirectory>C:\\a&amp;b &lt;c&gt; &quot;d&quot;</WorkingDirectory>');
    expect(xml).toContain('<URI>\\T&amp;&apos;&lt;x&gt;</URI>');
    const doc2 = parse(xml);
    expect(doc2.Task.Actions.Exec.WorkingDirectory).toBe(weird);
    expect(doc2.Task.Actions.Exec.Command).toBe(weird);
    expect(doc2.Task.RegistrationInfo.URI).toBe("\\T&'<x>");
  });

  it.each(['24:00', '6:00', '06:60', '', '06:00:00', 'ab:cd'])('rejects time %j naming "time"', (time) => {
    expect(() => buildTaskXml({ ...base, time })).toThrow(/\btime\b/);
  });

  it.each([
    ['nodePath', { nodePath: '' }],
    ['scriptPath', { scriptPath: '' }],
    ['workingDirectory', { workingDirectory: '' }],
    ['workingDirectory', { workingDirectory: 'relative\\dir' }],
    ['startDate', { startDate: '2026-02-30' }],
    ['startDate', { startDate: '2026-1-1' }],
    ['executionTimeLimit', { executionTimeLimit: '2 hours' }],
    ['zone', { zone: 'Not/AZone' }],
    ['taskName', { taskName: '' }],
  ] as const)('rejects a bad %s naming the field', (field, patch) => {
    const run = () => buildTaskXml({ ...base, ...patch });
    expect(run).toThrow(Error);
    expect(run).toThrow(new RegExp(`\\b${field}\\b`));
  });
});

describe('quoteWindowsArg', () => {
  it('leaves plain arguments bare and quotes by MSVCRT rules otherwise', () => {
    expect(quoteWindowsArg('run')).toBe('run');
    expect(quoteWindowsArg('C:\\x\\y')).toBe('C:\\x\\y');
    expect(quoteWindowsArg('C:\\x\\y', true)).toBe('"C:\\x\\y"');
    expect(quoteWindowsArg('a b')).toBe('"a b"');
    expect(quoteWindowsArg('')).toBe('""');
    expect(quoteWindowsArg('a"b')).toBe('"a\\"b"');
    expect(quoteWindowsArg('a\\"b')).toBe('"a\\\\\\"b"');
    expect(quoteWindowsArg('a b\\')).toBe('"a b\\\\"');
  });
});

describe('writeTaskXmlFile', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes UTF-16LE with a BOM atomically, leaving no temp file', () => {
    dir = mkdtempSync(join(tmpdir(), 'taskxml-'));
    const file = join(dir, 'task.xml');
    writeFileSync(file, 'old content');
    const xml = buildTaskXml({ ...base, description: 'Ærlig talt – ø & å' });
    writeTaskXmlFile(file, xml);
    const bytes = readFileSync(file);
    expect(bytes[0]).toBe(0xff);
    expect(bytes[1]).toBe(0xfe);
    expect(bytes.subarray(2).toString('utf16le')).toBe(xml);
    expect(bytes.length).toBe(2 + xml.length * 2);
    expect(readdirSync(dir)).toEqual(['task.xml']);
  });

  it('throws and leaves nothing behind when the folder does not exist', () => {
    dir = mkdtempSync(join(tmpdir(), 'taskxml-'));
    const missing = join(dir, 'nope', 'task.xml');
    expect(() => writeTaskXmlFile(missing, '<x/>')).toThrow();
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('zoneMismatchWarning', () => {
  it('returns null when the zones are equal', () => {
    expect(zoneMismatchWarning('Europe/Oslo', 'Europe/Oslo')).toBeNull();
    expect(zoneMismatchWarning('UTC', 'Etc/UTC')).toBeNull();
  });

  it('returns a sentence naming both zones when they differ', () => {
    const w = zoneMismatchWarning('Europe/Oslo', 'America/New_York');
    expect(typeof w).toBe('string');
    expect(w).toContain('Europe/Oslo');
    expect(w).toContain('America/New_York');
  });

  it('defaults the machine zone to the process zone', () => {
    const machine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(zoneMismatchWarning(machine)).toBeNull();
  });
});

describe('installTask', () => {
  const xmlPath = 'C:\\tasks\\canonical task.xml';
  const name = '\\CanonicalTests\\DailyEvaluation';

  it('refuses on non-Windows platforms without running anything', () => {
    const calls: unknown[] = [];
    const run: CommandRunner = (...a) => {
      calls.push(a);
      return { status: 0, stdout: '', stderr: '' };
    };
    expect(() => installTask(xmlPath, name, 'linux', run)).toThrow(/Windows/);
    expect(() => installTask(xmlPath, name, 'darwin', run)).toThrow(UnsupportedPlatformError);
    expect(() => installTask(xmlPath, name, 'linux', run)).toThrow(/--install/);
    expect(calls).toEqual([]);
  });

  it('runs schtasks /Create /XML <path> /TN <name> /F on win32', () => {
    const calls: Array<[string, string[]]> = [];
    const run: CommandRunner = (command, args) => {
      calls.push([command, args]);
      return { status: 0, stdout: 'SUCCESS: The scheduled task was created.', stderr: '' };
    };
    const result = installTask(xmlPath, name, 'win32', run);
    expect(calls).toEqual([['schtasks', ['/Create', '/XML', xmlPath, '/TN', name, '/F']]]);
    expect(result).toEqual({
      command: 'schtasks',
      args: ['/Create', '/XML', xmlPath, '/TN', name, '/F'],
    });
  });

  it('throws with schtasks stderr on a non-zero exit', () => {
    const run: CommandRunner = () => ({
      status: 1,
      stdout: '',
      stderr: 'ERROR: The task XML is malformed.',
    });
    expect(() => installTask(xmlPath, name, 'win32', run)).toThrow(/ERROR: The task XML is malformed\./);
    expect(() => installTask(xmlPath, name, 'win32', run)).not.toThrow(UnsupportedPlatformError);
  });

  it('throws when schtasks cannot be started', () => {
    const run: CommandRunner = () => ({
      status: null,
      stdout: '',
      stderr: '',
      error: new Error('spawnSync schtasks ENOENT'),
    });
    expect(() => installTask(xmlPath, name, 'win32', run)).toThrow(/ENOENT/);
  });
});

describe('installTaskXml', () => {
  const name = '\\CanonicalTests\\DailyEvaluation';
  const xml = buildTaskXml(base);
  /** A runner that records each call and the bytes of the XML file it was given, as schtasks would read them. */
  const recording = (status: number) => {
    const calls: { command: string; args: string[]; bytes: Buffer }[] = [];
    const run: CommandRunner = (command, args) => {
      calls.push({ command, args, bytes: readFileSync(args[2]!) });
      return { status, stdout: '', stderr: status === 0 ? '' : 'ERROR: Access is denied.' };
    };
    return { calls, run };
  };

  it('off Windows: a UsageError naming --install (exit 2), before anything is written or run', () => {
    const root = tempDir('install');
    const output = join(root, 'kept.xml');
    const { calls, run } = recording(0);
    for (const platform of ['linux', 'darwin']) {
      let thrown: unknown;
      try {
        installTaskXml(xml, name, { platform, run, tempRoot: root, output: platform === 'darwin' ? output : undefined });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UnsupportedPlatformError);
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as UsageError).setting).toBe('--install');
      expect((thrown as UsageError).exitCode).toBe(2);
      expect((thrown as Error).message).toBe(
        `--install: only works on Windows (it registers the task with schtasks); this is ${platform}. ` +
          'Run "canonical-tests schedule" without --install to print the task XML and register it on the Windows machine.',
      );
    }
    expect(calls).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it('on Windows: schtasks reads UTF-16LE XML from a folder of its own, which is removed afterwards', () => {
    const root = tempDir('install');
    const { calls, run } = recording(0);
    const result = installTaskXml(xml, name, { platform: 'win32', run, tempRoot: root });
    expect(calls.length).toBe(1);
    const [call] = calls;
    expect(call!.command).toBe('schtasks');
    expect(call!.args).toEqual(['/Create', '/XML', call!.args[2], '/TN', name, '/F']);
    const file = call!.args[2]!;
    expect([dirname(dirname(file)), basename(file)]).toEqual([root, 'task.xml']);
    expect(basename(dirname(file))).toMatch(/^canonical-tests-task-[A-Za-z0-9]{6}$/);
    expect(call!.bytes.equals(Buffer.from('\ufeff' + xml, 'utf16le'))).toBe(true);
    expect(result).toEqual({ command: 'schtasks', args: call!.args });
    expect(readdirSync(root)).toEqual([]);
  });

  it('on Windows: two installs at once get two different files', () => {
    const root = tempDir('install');
    const { calls, run } = recording(0);
    const nested: CommandRunner = (command, args) => {
      if (calls.length === 0) installTaskXml(xml, name, { platform: 'win32', run, tempRoot: root });
      return run(command, args);
    };
    installTaskXml(xml, name, { platform: 'win32', run: nested, tempRoot: root });
    expect(calls.length).toBe(2);
    expect(new Set(calls.map((c) => c.args[2])).size).toBe(2);
    expect(readdirSync(root)).toEqual([]);
  });

  it('on Windows: a failing schtasks still leaves no temporary folder', () => {
    const root = tempDir('install');
    const { run } = recording(1);
    expect(() => installTaskXml(xml, name, { platform: 'win32', run, tempRoot: root })).toThrow(
      'schtasks /Create exited with code 1: ERROR: Access is denied.',
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('on Windows with output: the XML is written there, installed from there and kept', () => {
    const root = tempDir('install');
    const output = join(root, 'kept.xml');
    const { calls, run } = recording(0);
    installTaskXml(xml, name, { platform: 'win32', run, tempRoot: root, output });
    expect(calls.map((c) => c.args)).toEqual([['/Create', '/XML', output, '/TN', name, '/F']]);
    expect(readdirSync(root)).toEqual(['kept.xml']);
    expect(readFileSync(output).equals(Buffer.from('\ufeff' + xml, 'utf16le'))).toBe(true);
  });
});
