import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { ExitCode, UsageError } from '../../errors.js';
import { installTask, UnsupportedPlatformError } from '../../schedule/installTask.js';
import { buildTaskXml, writeTaskXmlFile, zoneMismatchWarning } from '../../schedule/taskXml.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, out, settingsOf, type CommandContext } from '../output.js';

interface ScheduleFlags {
  time: string;
  taskName: string;
  output?: string;
  install?: boolean;
}

/** `canonical-tests schedule`: the Task Scheduler XML of the daily run (print, write or install). */
export function registerSchedule(program: Command, ctx: CommandContext & { entryScript: string }): void {
  program
    .command('schedule')
    .description('print the Windows Task Scheduler task XML for the daily run')
    .option('--time <HH:MM>', 'local start time', '06:00')
    .option('--task-name <name>', 'task path', '\\CanonicalTests\\DailyEvaluation')
    .option('--output <file>', 'write the XML as UTF-16LE with BOM instead of printing it')
    .option('--install', 'register the task with schtasks (Windows only)')
    .action((flags: ScheduleFlags, command: Command) => {
      const settings = settingsOf(command);
      const time = resolveSettings({ runTime: flags.time }).runTime;
      const xml = buildTaskXml({
        time,
        zone: settings.zone,
        taskName: flags.taskName,
        nodePath: process.execPath,
        scriptPath: ctx.entryScript,
        arguments: ['run', '--catch-up', '--wait-for-db', '300', '--zone', settings.zone, '--run-time', time],
        workingDirectory: process.cwd(),
      });
      const warning = zoneMismatchWarning(settings.zone);
      if (warning) err(warning);
      if (flags.install) {
        const file = flags.output ? resolve(flags.output) : join(tmpdir(), 'canonical-tests-task.xml');
        writeTaskXmlFile(file, xml);
        try {
          installTask(file, flags.taskName);
        } catch (error) {
          if (error instanceof UnsupportedPlatformError) throw new UsageError('--install', error.message);
          throw error;
        }
        out(`installed ${flags.taskName}`);
      } else if (flags.output) {
        writeTaskXmlFile(resolve(flags.output), xml);
        out(`wrote ${resolve(flags.output)}`);
      } else {
        out(xml);
      }
      ctx.setExit(ExitCode.done);
    });
}
