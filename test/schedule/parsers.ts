import { z } from 'zod';

/**
 * Parsers the schedule tests read printed output with: systemd unit files (and
 * systemd's own word splitting of `ExecStart=`), the marker-separated text of
 * `schedule --format systemd`, and crontab lines. Written from the formats'
 * rules, independently of the builders, and strict: anything they do not
 * expect fails the test instead of being skipped. Plus the shape of a parsed
 * Task Scheduler document, so the tests walk it typed.
 */

/** An XML element as fast-xml-parser returns it: the children named here, and every other child and attribute kept as parsed. */
export const xmlElement = <T extends z.ZodRawShape>(children: T) => z.object(children).passthrough();

/**
 * A Task Scheduler document as fast-xml-parser returns it, whatever the parser's
 * options: checks only that the elements the tests walk are elements; their
 * values stay `unknown` for the assertions, and nothing is dropped (use
 * `.parse(parser.parse(xml))`).
 */
export const taskDocument = xmlElement({
  Task: xmlElement({
    RegistrationInfo: xmlElement({}),
    Triggers: xmlElement({ CalendarTrigger: xmlElement({ ScheduleByDay: xmlElement({}) }) }),
    Settings: xmlElement({}),
    Actions: xmlElement({ Exec: xmlElement({}) }),
    Principals: xmlElement({ Principal: xmlElement({}) }),
  }),
});

/** A unit file: section name → key → value (a repeated key fails the parse). */
export type Unit = Record<string, Record<string, string>>;

/**
 * Parses an INI-style unit file: `[Section]` headers, `Key=value` lines (whitespace
 * around `=` dropped, as systemd does), blank and `#`/`;` comment lines ignored.
 *
 * @throws Error on a key outside a section, a line that is neither, a repeated
 *   key in one section, or a line ending in a backslash (a continuation this
 *   parser does not expect the builder to write).
 */
export function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string> | undefined;
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '' || /^[#;]/.test(line)) continue;
    if (line.endsWith('\\')) throw new Error(`line ${i + 1} ends in a backslash: ${line}`);
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      if (unit[header[1]!]) throw new Error(`section [${header[1]}] appears twice`);
      section = unit[header[1]!] = {};
      continue;
    }
    const pair = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!pair || !section) throw new Error(`line ${i + 1} is not a key=value inside a section: ${JSON.stringify(line)}`);
    if (pair[1]! in section) throw new Error(`key ${pair[1]} appears twice`);
    section[pair[1]!] = pair[2]!;
  }
  return unit;
}

/** Expands the `%%` specifier (the only one a generated unit may use); any other `%x` fails. */
export function expandSpecifiers(value: string): string {
  return value.replace(/%(.)?/g, (_m, next: string | undefined) => {
    if (next === '%') return '%';
    throw new Error(`unexpected specifier %${next ?? ''} in ${JSON.stringify(value)}`);
  });
}

const C_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
  s: ' ',
};

/**
 * The argv systemd starts for an `ExecStart=` value: specifiers expanded, the line
 * split on whitespace with double- and single-quoted words and C-style escapes,
 * then `$$` turned into `$` in every argument but the executable. A `$NAME` or
 * `${NAME}` (a variable systemd would substitute) fails the parse.
 */
export function systemdArgv(execStart: string): string[] {
  const line = expandSpecifiers(execStart);
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let word = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      const c = line[i]!;
      if (c === '"' || c === "'") {
        const end = c;
        i++;
        while (line[i] !== end) {
          if (i >= line.length) throw new Error(`unbalanced quoting in ${JSON.stringify(execStart)}`);
          if (line[i] === '\\') {
            const escaped = C_ESCAPES[line[i + 1] ?? ''];
            if (escaped === undefined) throw new Error(`unknown escape \\${line[i + 1]} in ${JSON.stringify(execStart)}`);
            word += escaped;
            i += 2;
          } else word += line[i++];
        }
        i++;
      } else if (c === '\\') {
        const escaped = C_ESCAPES[line[i + 1] ?? ''];
        if (escaped === undefined) throw new Error(`unknown escape \\${line[i + 1]} in ${JSON.stringify(execStart)}`);
        word += escaped;
        i += 2;
      } else word += line[i++];
    }
    words.push(word);
  }
  return words.map((word, n) => {
    if (n === 0) return word;
    return word.replace(/\$(\$|\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)?/g, (m, rest: string | undefined) => {
      if (rest === '$') return '$';
      if (rest === undefined) return m;
      throw new Error(`systemd would substitute ${m} in ${JSON.stringify(word)}`);
    });
  });
}

/**
 * Splits `schedule --format systemd` output at its `# ---- <name> ----` markers.
 *
 * @returns marker name → the text up to the next marker; `preamble` for the text
 *   before the first marker.
 */
export function splitMarkers(text: string): Record<string, string> {
  const parts: Record<string, string> = {};
  let name = 'preamble';
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    const marker = /^# ---- (.+) ----$/.exec(line);
    if (marker) {
      parts[name] = lines.join('\n');
      name = marker[1]!;
      lines = [];
    } else lines.push(line);
  }
  parts[name] = lines.join('\n');
  return parts;
}

/** One crontab line that runs a command: the five time fields and the command field. */
export interface CronJob {
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  command: string;
}

/** A crontab: comment lines, environment assignments in order, and job lines. */
export interface Crontab {
  comments: string[];
  env: Array<[string, string]>;
  jobs: CronJob[];
}

/**
 * Parses crontab text: `#` comment lines, `NAME=value` assignments and job lines
 * of five whitespace-separated time fields and a command.
 *
 * @throws Error on any other line.
 */
export function parseCrontab(text: string): Crontab {
  const crontab: Crontab = { comments: [], env: [], jobs: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      crontab.comments.push(line);
      continue;
    }
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/.exec(line);
    if (assignment) {
      crontab.env.push([assignment[1]!, assignment[2]!]);
      continue;
    }
    const job = /^(\S+) (\S+) (\S+) (\S+) (\S+) (.+)$/.exec(line);
    if (!job) throw new Error(`not a crontab line: ${JSON.stringify(line)}`);
    const [, minute, hour, dayOfMonth, month, dayOfWeek, command] = job as unknown as string[];
    crontab.jobs.push({ minute: minute!, hour: hour!, dayOfMonth: dayOfMonth!, month: month!, dayOfWeek: dayOfWeek!, command: command! });
  }
  return crontab;
}

/**
 * What cron hands the shell for a command field: `\%` becomes `%`, and an
 * unescaped `%` would end the command (the rest going to standard input), which
 * fails here because the builder must never write one.
 */
export function cronToShell(command: string): string {
  let out = '';
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === '\\' && command[i + 1] === '%') {
      out += '%';
      i++;
    } else if (c === '%') {
      throw new Error(`unescaped % at ${i} in ${JSON.stringify(command)}`);
    } else out += c;
  }
  return out;
}
