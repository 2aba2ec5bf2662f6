import { validateTaskOptions, type LogonMode, type TaskOptions, type ValidTaskOptions } from './taskOptions.js';
import { quoteWindowsArg, xmlEscape } from './windowsText.js';

const LOGON_TYPE: Record<LogonMode, string> = { interactive: 'InteractiveToken', s4u: 'S4U' };

/** Task Scheduler XML namespace (schema version 1.2). */
const TASK_NAMESPACE = 'http://schemas.microsoft.com/windows/2004/02/mit/task';

/**
 * Builds the Task Scheduler task XML (schema 1.2) for the daily run.
 *
 * What Task Scheduler needs for an unattended daily run (README.md "Scheduling"):
 * - `encoding="UTF-16"` declaration (write it with {@link writeTaskXmlFile});
 * - `CalendarTrigger` + `ScheduleByDay/DaysInterval 1` with a `StartBoundary`
 *   `YYYY-MM-DDTHH:MM:00` **without** offset or `Z`, so the task fires at that
 *   wall-clock time in the machine's local zone and follows DST;
 * - `StartWhenAvailable` true (a missed start runs later; the CLI still evaluates
 *   the scheduled date's as-of instant), `MultipleInstancesPolicy` IgnoreNew,
 *   `ExecutionTimeLimit`, `Exec/Command` = absolute node.exe, `Arguments`,
 *   `WorkingDirectory`. No `RestartOnFailure`: it never retries a non-zero exit,
 *   so transient database outages are handled by `--wait-for-db` instead;
 * - `Principal/LogonType` `InteractiveToken` or `S4U` after `logon`, no `UserId`
 *   (schtasks registers the task for the account that runs it) and `RunLevel`
 *   LeastPrivilege, so no password ever goes into the XML.
 *
 * `Arguments` is the script path (always quoted) followed by each argument,
 * quoted by Windows command-line rules when it contains spaces or quotes. Every
 * text value is XML-escaped.
 *
 * @returns the XML document as a string (no BOM).
 * @throws Error whose message names the offending field(s) (e.g. `time`) when the
 *   options are invalid: time not `HH:MM` 00:00–23:59, empty or relative paths,
 *   unknown zone, `startDate` not a real date, bad ISO duration, `logon` neither
 *   `interactive` nor `s4u`.
 */
export function buildTaskXml(options: TaskOptions): string {
  const o = validateTaskOptions(options);
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    `<Task version="1.2" xmlns="${TASK_NAMESPACE}">`,
    ...registrationAndTrigger(o),
    ...principals(o),
    ...taskSettings(o),
    ...actions(o),
    '</Task>',
    '',
  ].join('\n');
}

function registrationAndTrigger(o: ValidTaskOptions): string[] {
  const description =
    o.description ?? `Canonical test-window evaluator: daily run at ${o.time} machine local time ` + `(configured zone ${o.zone}).`;
  return [
    '  <RegistrationInfo>',
    `    <Description>${xmlEscape(description)}</Description>`,
    `    <URI>${xmlEscape(o.taskName)}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <CalendarTrigger>',
    `      <StartBoundary>${xmlEscape(`${o.startDate}T${o.time}:00`)}</StartBoundary>`,
    '      <Enabled>true</Enabled>',
    '      <ScheduleByDay>',
    '        <DaysInterval>1</DaysInterval>',
    '      </ScheduleByDay>',
    '    </CalendarTrigger>',
    '  </Triggers>',
  ];
}

/**
 * No UserId and no password in either mode: schtasks registers the task for
 * the account that runs it (`/RU user /RP pw` would override this principal with
 * a stored-password logon). InteractiveToken needs neither elevation nor a
 * password and gets the user's own token, but only runs while that user is
 * logged on. S4U runs whether or not the user is logged on, without a stored
 * password, and its process has no network credentials: fine for a local
 * project folder and a PostgreSQL over TCP whose connection string is in the
 * project folder's .env file.
 */
function principals(o: ValidTaskOptions): string[] {
  return [
    '  <Principals>',
    '    <Principal id="Author">',
    `      <LogonType>${LOGON_TYPE[o.logon]}</LogonType>`,
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
  ];
}

function taskSettings(o: ValidTaskOptions): string[] {
  return [
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    `    <ExecutionTimeLimit>${xmlEscape(o.executionTimeLimit)}</ExecutionTimeLimit>`,
    '  </Settings>',
  ];
}

function actions(o: ValidTaskOptions): string[] {
  const commandLine = [quoteWindowsArg(o.scriptPath, true), ...o.arguments.map((arg) => quoteWindowsArg(arg))].join(' ');
  return [
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlEscape(o.nodePath)}</Command>`,
    `      <Arguments>${xmlEscape(commandLine)}</Arguments>`,
    `      <WorkingDirectory>${xmlEscape(o.workingDirectory)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
  ];
}
