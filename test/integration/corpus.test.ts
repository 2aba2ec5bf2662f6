import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { runDate } from '../../src/run/runDate.js';
import { runCli } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { addDaily, createSources, insertTest, LIFT_ONLY_TEST, tempSettings } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tempDir.js';
import { HOSTILE_CORPUS, nestedCriteria } from '../fixtures/hostile/corpus.js';
import {
  applyRegistryChange,
  createHostileObjects,
  insertHostileTest,
  saveRegistry,
  snapshotDatabase,
  undoCase,
  type DatabaseSnapshot,
} from '../fixtures/hostile/database.js';

const DATE = '2026-03-10';

let db: TestDatabase;
/** One connection for the corpus's own SQL (fixtures, assertions, undo). */
let client: pg.Client;
let settings: Settings;
let healthyId: string;
let savedRegistry: string;
let before: DatabaseSnapshot;

beforeAll(async () => {
  db = await freshDatabase();
  // Fixture SQL runs as the administrator (`adminUri`, where the helpers log the evaluator in with a role of its own).
  client = new pg.Client({ connectionString: (db as TestDatabase & { adminUri?: string }).adminUri ?? db.uri });
  await client.connect();
  await createSources(db);
  await createHostileObjects(client);
  await addDaily(db, [['2026-03-09T16:00:00Z', 0.2, 0]]);
  healthyId = await insertTest(db, LIFT_ONLY_TEST);
  settings = tempSettings();
  savedRegistry = await saveRegistry(client);
  before = await snapshotDatabase(client);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

type Case = (typeof HOSTILE_CORPUS)[number];

/** The alert message and stderr lines of a case: `code: field: problem`, the code as the gate shows it. */
const defectLines = (c: Case) => c.defects.map((d) => `${c.shownAs ?? c.test.test_code}: ${d.field}: ${d.problem}`);

/** Applies a case, runs `work`, and undoes the case whatever happened. */
async function withCase<T>(c: Case, work: (testId: string) => Promise<T>): Promise<T> {
  try {
    const testId = await insertHostileTest(client, c.test);
    if (c.registry) await applyRegistryChange(client, c.registry);
    return await work(testId);
  } finally {
    await undoCase(client, healthyId, savedRegistry);
  }
}

describe('the hostile corpus', () => {
  it('has at least 50 cases, each with its own name and test code', () => {
    expect(HOSTILE_CORPUS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(HOSTILE_CORPUS.map((c) => c.name)).size).toBe(HOSTILE_CORPUS.length);
    expect(new Set(HOSTILE_CORPUS.map((c) => c.test.test_code)).size).toBe(HOSTILE_CORPUS.length);
    expect(HOSTILE_CORPUS.every((c) => c.defects.length > 0)).toBe(true);
  });

  it('PostgreSQL refuses NaN in JSONB and holds 1e400 and 5,000 levels of nesting (so those reach the gate)', async () => {
    await expect(client.query(`SELECT '{"value": NaN}'::jsonb`)).rejects.toThrow('invalid input syntax for type json');
    /** `{"all": [{"all": [… {"metric": …}]}]}`, as nestedCriteria builds it. */
    interface Nested {
      all?: Nested[];
    }
    const { rows } = await client.query<{ deep: Nested; big: unknown }>(`SELECT $1::jsonb AS deep, '{"v": 1e400}'::jsonb AS big`, [
      nestedCriteria(5_000).text,
    ]);
    let depth = 0;
    for (let node = rows[0]!.deep; node.all; node = node.all[0]!) depth += 1;
    expect(depth).toBe(5_000);
    expect(rows[0]!.big).toEqual({ v: Infinity });
  });

  for (const c of HOSTILE_CORPUS) {
    it(`halts with exit 3 on ${c.name}`, async () => {
      await withCase(c, async (testId) => {
        const result = await runDate(db.pool, { date: DATE, settings });

        expect(result.exitCode).toBe(3);
        expect(result.plan.defects.map((d) => ({ testId: d.testId, testCode: d.testCode, field: d.field, problem: d.problem }))).toEqual(
          c.defects.map((d) => ({ testId, testCode: c.test.test_code, ...d })),
        );
        const { rows: alerts } = await client.query(
          `SELECT test_id, severity, message FROM fhq_calendar.ceo_calendar_alerts WHERE alert_type = 'SYSTEM_ERROR'`,
        );
        expect(alerts).toEqual([{ test_id: testId, severity: 'CRITICAL', message: defectLines(c).join('\n') }]);
        const { rows: states } = await client.query(
          `SELECT test_id, escalation_state, ceo_action_required FROM fhq_calendar.canonical_test_events ORDER BY test_id = $1`,
          [healthyId],
        );
        expect(states).toEqual([
          { test_id: testId, escalation_state: 'SYSTEM_ERROR', ceo_action_required: true },
          { test_id: healthyId, escalation_state: 'NONE', ceo_action_required: false },
        ]);
      });
    });
  }

  describe('through the executable', () => {
    const byName = (name: string) => HOSTILE_CORPUS.find((c) => c.name === name)!;
    const representative = [
      byName('bidi override U+202E in test_code'),
      byName('SQL in source_table (DELETE)'),
      byName('value 1e400 (JSON.parse gives Infinity)'),
      byName('criteria nested 5,000 levels deep'),
    ];

    for (const c of representative) {
      it(`canonical-tests run exits 3 and names the defect on ${c.name}`, async () => {
        expect(c).toBeDefined();
        await withCase(c, async () => {
          const dir = tempDir('corpus');
          const { code, stderr } = await runCli(
            ['run', '--date', DATE, '--reports-dir', join(dir, 'reports'), '--evidence-dir', join(dir, 'evidence')],
            dir,
            { DATABASE_URL: db.uri },
          );
          expect(code).toBe(3);
          const halts = stderr.split('\n').filter((line) => line.startsWith('HALT '));
          expect(halts).toEqual(defectLines(c).map((line) => `HALT ${line}`));
          expect(stderr).not.toMatch(/[\u202E\u200B]/);
        });
      });
    }
  });

  it('leaves every object, function, source row, registry row and the healthy test as they were', async () => {
    const after = await snapshotDatabase(client);
    expect(after).toEqual(before);
    expect(before.relations).toEqual(
      expect.arrayContaining([
        { schema: 'fixture', name: 'daily', kind: 'r' },
        { schema: 'fixture', name: 'flags', kind: 'r' },
        { schema: 'hostile', name: 'samples', kind: 'r' },
        { schema: 'hostile', name: 'samples_at_idx', kind: 'i' },
        { schema: 'hostile', name: 'counter', kind: 'S' },
        { schema: 'hostile', name: 'v_samples', kind: 'v' },
        { schema: 'fhq_calendar', name: 'test_signal_registry', kind: 'r' },
      ]),
    );
    expect(before.functions.map((f) => f.name)).toEqual(
      expect.arrayContaining(['check_escalation_conditions', 'compute_test_progress', 'resolve_test_window']),
    );
    expect(before.rowCounts).toEqual({
      'fixture.daily': 1,
      'fixture.flags': 1,
      'hostile.samples': 1,
      'fhq_calendar.test_signal_registry': 4,
      'fhq_calendar.canonical_test_events': 1,
    });
  });
});
