import type { Command } from 'commander';
import { runSchedule, type ScheduleFlags } from '../../schedule/scheduleCommand.js';
import { err, out, settingsOf, type CommandContext } from '../output.js';

/** `canonical-tests schedule`: what a scheduler needs to start the daily run (Task Scheduler XML, systemd units, a crontab line). */
export function registerSchedule(program: Command, ctx: CommandContext & { entryScript: string }): void {
  program
    .command('schedule')
    .description(
      'print what a scheduler needs to start the daily run: Task Scheduler XML (default), a systemd service and timer, or a crontab line',
    )
    .option('--time <HH:MM>', 'daily start time, also passed as --run-time (default 06:00)')
    .option('--format <format>', 'windows (Task Scheduler XML, default), systemd or cron')
    .option(
      '--logon <mode>',
      'windows: interactive (runs while you are logged on, default) or s4u (runs whether or not you are; no password stored)',
    )
    .option('--task-name <name>', 'windows: task path (default \\CanonicalTests\\DailyEvaluation)')
    .option('--output <file>', 'windows: write the XML as UTF-16LE with BOM instead of printing it')
    .option('--install', 'windows: register the task with schtasks (Windows only)')
    .action((flags: ScheduleFlags, command: Command) => {
      ctx.setExit(runSchedule(flags, { zone: settingsOf(command).zone, scriptPath: ctx.entryScript }, { out, err }));
    });
}
