import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requiredPrivileges, runPrivileges, describePrivileges } from '../../src/db/privileges.js';
import type { DailyRunRow } from '../../src/db/health.js';
import { formatDoctor } from '../../src/run/doctor.js';
import { folderCheck } from '../../src/run/doctor/folders.js';
import { migrationCheck, serverVersionCheck } from '../../src/run/doctor/judges.js';
import { lenientSettings, nextAsOf } from '../../src/run/doctor/settings.js';
import type { HealthFacts, HealthReport } from '../../src/run/health.js';
import { healthChecks } from '../../src/run/health/checks.js';
import { formatHealth } from '../../src/run/health/lines.js';
import { dateRanges, describeRange, formatTable, dayText, escalationText } from '../../src/run/status.js';

const scratch = mkdtempSync(join(tmpdir(), 'canonical-tests-unit-monitoring-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('status formatting', () => {
  it('groups missed dates into ranges of consecutive days, across month and year ends', () => {
    expect(dateRanges([])).toEqual([]);
    expect(dateRanges(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-03', '2026-02-28', '2026-03-01'])).toEqual([
      { from: '2025-12-30', to: '2026-01-01', days: 3 },
      { from: '2026-01-03', to: '2026-01-03', days: 1 },
      { from: '2026-02-28', to: '2026-03-01', days: 2 },
    ]);
    expect(describeRange({ from: '2026-01-01', to: '2026-03-31', days: 90 })).toBe('2026-01-01 … 2026-03-31 (90 days)');
    expect(describeRange({ from: '2026-03-11', to: '2026-03-11', days: 1 })).toBe('2026-03-11 (1 day)');
  });

  it('lays out a table: header, aligned columns two spaces apart, no trailing spaces, no line breaks inside a cell', () => {
    expect(
      formatTable(
        ['A', 'LONG HEADER', 'C'],
        [
          ['xyz', '—', ''],
          ['a\nb', 'é', 'last'],
        ],
      ),
    ).toEqual(['A    LONG HEADER  C', 'xyz  —', 'a b  é            last']);
  });

  it('Day n of N, — before the first evaluation; ESCALATED since a date', () => {
    expect(dayText({ days_elapsed: 5, required_days: 30 })).toBe('Day 5 of 30');
    expect(dayText({ days_elapsed: null, required_days: 30 })).toBe('—');
    expect(escalationText({ escalation_state: 'ESCALATED', escalated_since: '2026-03-04' })).toBe('ESCALATED since 2026-03-04');
    expect(escalationText({ escalation_state: 'SYSTEM_ERROR', escalated_since: null })).toBe('SYSTEM_ERROR');
  });
});

const daily = (patch: Partial<DailyRunRow> = {}): DailyRunRow => ({
  run_id: '00000000-0000-4000-8000-000000000001',
  as_of_date: '2026-03-10',
  mode: 'daily',
  started_at: '2026-03-10T05:00:00.000Z',
  finished_at: '2026-03-10T05:00:04.000Z',
  outcome: 'DONE',
  exit_code: 0,
  error: null,
  rerun_done: false,
  ...patch,
});

const healthyFacts = (patch: Partial<HealthFacts> = {}): HealthFacts => ({
  today: '2026-03-10',
  last_daily_run: daily(),
  last_done_run: { ...daily(), within_hours: true },
  missed_dates: [],
  system_error_tests: [],
  unacknowledged_critical_alerts: [],
  ...patch,
});
const options = { today: '2026-03-10', zone: 'Europe/Oslo', strict: false, evidenceDir: join(scratch, 'evidence'), cwd: scratch };

describe('health checks', () => {
  it('all OK on a DONE daily run, no missed day, a recent run, no finding', () => {
    expect(healthChecks(healthyFacts(), options).map((c) => c.status)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
  });

  it('a DONE run with exit 0 is required; any other outcome fails unless the date was run again to DONE', () => {
    for (const patch of [
      { exit_code: 1 },
      { outcome: 'HALTED', exit_code: 3 },
      { outcome: 'FAILED', exit_code: 1 },
      { outcome: 'RUNNING', exit_code: null },
    ]) {
      expect(healthChecks(healthyFacts({ last_daily_run: daily(patch) }), options)[0]!.status).toBe('FAIL');
      expect(healthChecks(healthyFacts({ last_daily_run: daily({ ...patch, rerun_done: true }) }), options)[0]!.status).toBe('OK');
    }
  });

  it('the halt file is named relative to the working folder when it lies inside it', () => {
    const [check] = healthChecks(healthyFacts({ last_daily_run: daily({ outcome: 'HALTED', exit_code: 3 }) }), options);
    expect(check!.action).toContain(`read ${join('evidence', 'ORCHESTRATOR_HALT_20260310.json')},`);
    const outside = healthChecks(healthyFacts({ last_daily_run: daily({ outcome: 'HALTED', exit_code: 3 }) }), {
      ...options,
      cwd: join(scratch, 'elsewhere'),
    });
    expect(outside[0]!.action).toContain(`read ${join(scratch, 'evidence', 'ORCHESTRATOR_HALT_20260310.json')},`);
  });

  it('findings are WARN, or FAIL with strict; at most 20 lines of a kind, then a count', () => {
    const alerts = Array.from({ length: 23 }, (_, i) => ({
      alert_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      run_date: '2026-03-09',
      alert_type: 'SIGNAL_ERROR',
      test_code: `T-${i}`,
      title: `signal ${i} failed`,
    }));
    const facts = healthyFacts({ unacknowledged_critical_alerts: alerts });
    const lenient = healthChecks(facts, options);
    expect(lenient.filter((c) => c.status === 'WARN')).toHaveLength(23);
    const strict = healthChecks(facts, { ...options, strict: true });
    expect(strict.filter((c) => c.status === 'FAIL')).toHaveLength(23);
    const report: HealthReport = { ...facts, healthy: false, strict: true, zone: 'Europe/Oslo', missed_ranges: [], checks: strict };
    const text = formatHealth(report);
    expect(text.filter((l) => l.startsWith('FAIL unacknowledged CRITICAL alerts: '))).toHaveLength(20);
    expect(text.at(-2)).toBe('     … and 3 more unacknowledged CRITICAL alerts line(s) (health --json lists them all)');
    expect(text.at(-1)).toBe('unhealthy: 23 problem(s)');
    expect(text[4]).toBe(
      'FAIL unacknowledged CRITICAL alerts: 2026-03-09 SIGNAL_ERROR T-0: signal 0 failed — deal with it (docs/alerts.md, SIGNAL_ERROR), then acknowledge it (set acknowledged_at)',
    );
  });
});

describe('doctor checks', () => {
  it('reads the rights a run needs from the role script: tables, columns, functions with their argument types, the schema', () => {
    const required = runPrivileges();
    expect(required).toContainEqual({
      kind: 'schema',
      schema: 'fhq_calendar',
      name: 'fhq_calendar',
      column: null,
      args: null,
      privilege: 'USAGE',
    });
    expect(required).toContainEqual({
      kind: 'column',
      schema: 'fhq_calendar',
      name: 'canonical_test_events',
      column: 'escalation_state',
      args: null,
      privilege: 'UPDATE',
    });
    expect(required).toContainEqual({
      kind: 'function',
      schema: 'fhq_calendar',
      name: 'retire_stale_halt_rows',
      column: null,
      args: 'date, uuid[]',
      privilege: 'EXECUTE',
    });
    // The record is append-only for the evaluator: read and insert, never update or delete.
    expect(required.filter((p) => p.kind === 'table' && p.name === 'evidence_bundles').map((p) => p.privilege)).toEqual([
      'SELECT',
      'INSERT',
    ]);
    // Never the definition's columns.
    expect(required.some((p) => p.kind === 'column' && p.name === 'canonical_test_events' && p.column === 'success_criteria')).toBe(false);
  });

  it('ignores DO blocks, comments, REVOKEs and grants to other roles', () => {
    const script = `
      -- GRANT DELETE ON x.y TO canonical_evaluator;
      DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO canonical_evaluator', current_database()); END $$;
      REVOKE EXECUTE ON FUNCTION s.f(int) FROM PUBLIC;
      GRANT SELECT ON s.t TO someone_else;
      GRANT INSERT, UPDATE (a, b) ON TABLE s.t TO canonical_evaluator;
      GRANT EXECUTE ON FUNCTION s.f(int, text[]), s.g() TO canonical_evaluator;`;
    expect(describePrivileges(requiredPrivileges(script))).toEqual([
      'INSERT on s.t',
      'UPDATE (a, b) on s.t',
      'EXECUTE on s.f(int, text[])',
      'EXECUTE on s.g()',
    ]);
  });

  it('the server must be PostgreSQL 15 or newer', () => {
    expect(serverVersionCheck(150020, '15.2').status).toBe('OK');
    expect(serverVersionCheck(140010, '14.10')).toEqual({
      check: 'server_version',
      status: 'FAIL',
      message: 'PostgreSQL 14.10 is older than 15',
      action: 'upgrade the server to PostgreSQL 15 or newer (the migrations use UNIQUE NULLS NOT DISTINCT)',
    });
  });

  it('a migration the evaluator does not have fails the migration line', () => {
    const files = [{ version: 1, name: '000001_a.sql', sha256: 'x', text: '' }];
    expect(
      migrationCheck(
        {
          state: 'read',
          applied: [
            { version: 1, name: '000001_a.sql', sha256: 'x' },
            { version: 2, name: '000002_b.sql', sha256: 'y' },
          ],
        },
        files,
        'svc',
      ),
    ).toEqual({
      check: 'migrations',
      status: 'FAIL',
      message: 'the database has 000002_b.sql applied, which sql/ of this evaluator does not have',
      action: 'update the evaluator to the release that applied it',
    });
  });

  it('an invalid setting is recorded and left out, so every other one still resolves', () => {
    const { settings, problems } = lenientSettings(
      { zone: 'Nowhere/Land' },
      { CANONICAL_TZ: 'Also/Bad', CANONICAL_RUN_TIME: '6am', REPORTS_DIR: 'r' },
      scratch,
    );
    expect(problems.map((p) => p.setting)).toEqual(['--zone', 'CANONICAL_TZ', 'CANONICAL_RUN_TIME']);
    expect(settings).toMatchObject({ zone: 'Europe/Oslo', runTime: '06:00', reportsDir: resolve(scratch, 'r') });
  });

  it('the next as-of instant: today when still ahead, else tomorrow; a run time in the DST gap moves forward', () => {
    expect(nextAsOf('Europe/Oslo', '02:30', new Date('2026-03-29T00:30:00Z'))).toEqual({
      date: '2026-03-29',
      instant: '2026-03-29T01:30:00.000Z',
      local: '2026-03-29 03:30',
    });
    expect(nextAsOf('Europe/Oslo', '06:00', new Date('2026-03-10T05:00:00Z'))).toEqual({
      date: '2026-03-11',
      instant: '2026-03-11T05:00:00.000Z',
      local: '2026-03-11 06:00',
    });
  });

  it('a folder check writes a probe file and removes it; a path under a file fails', () => {
    const dir = join(scratch, 'reports');
    expect(folderCheck('reports_folder', dir, '--reports-dir').status).toBe('OK');
    expect(readdirSync(scratch)).toEqual([]);
    writeFileSync(join(scratch, 'file'), '');
    expect(folderCheck('reports_folder', join(scratch, 'file', 'reports'), '--reports-dir').status).toBe('FAIL');
    expect(readdirSync(scratch)).toEqual(['file']);
  });

  it('the summary line counts failed and skipped checks', () => {
    expect(
      formatDoctor({
        ok: false,
        checks: [
          { check: 'connection', status: 'FAIL', message: 'refused', action: 'start it' },
          { check: 'migrations', status: 'SKIP', message: 'skipped: no connection', action: null },
          { check: 'zone_and_run_time', status: 'OK', message: 'UTC', action: null },
        ],
      }),
    ).toEqual([
      'FAIL connection: refused — start it',
      'SKIP migrations: skipped: no connection',
      'OK   zone and run time: UTC',
      '1 check(s) failed, 1 skipped of 3',
    ]);
  });

  it('with findingsOnly (-q), doctor and health leave out the OK checks and keep their summary', () => {
    const checks = [
      { check: 'connection', status: 'FAIL', message: 'refused', action: 'start it' },
      { check: 'zone_and_run_time', status: 'OK', message: 'UTC', action: null },
    ] as const;
    expect(formatDoctor({ ok: false, checks: [...checks] }, true)).toEqual([
      'FAIL connection: refused — start it',
      '1 check(s) failed of 2',
    ]);
    const facts = healthyFacts({});
    const report: HealthReport = {
      ...facts,
      healthy: true,
      strict: false,
      zone: 'Europe/Oslo',
      missed_ranges: [],
      checks: healthChecks(facts, options),
    };
    expect(formatHealth(report).length).toBeGreaterThan(1);
    expect(formatHealth(report, true)).toEqual(['healthy']);
  });
});
