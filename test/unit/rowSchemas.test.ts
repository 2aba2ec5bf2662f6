import { describe, expect, it } from 'vitest';
import { runbookHistorySchema } from '../../src/domain/history.js';
import { testRowSchema } from '../../src/domain/testRow.js';
import { windowStateSchema } from '../../src/domain/windowState.js';
import { ID_A, testRow } from '../helpers/rows.js';

const RUN = '11111111-1111-4111-8111-111111111111';

describe('the schemas of rows as read', () => {
  it('accept a test row, a window state and a runbook history row', () => {
    expect(testRowSchema.parse(testRow())).toEqual(testRow());
    const state = {
      test_id: ID_A,
      days_elapsed: 3,
      days_remaining: 27,
      is_overdue: false,
      should_escalate: true,
      escalation_reason: 'checkpoint reached',
      recommended_actions: ['Review'],
    };
    expect(windowStateSchema.parse(state)).toEqual(state);
    const history = {
      test_id: ID_A,
      run_date: '2026-03-29',
      run_id: RUN,
      escalation_state: 'ESCALATED',
      escalation_reasons: ['failure: ready == false'],
      escalated_since: '2026-03-28',
      evidence_sha256: null,
    };
    expect(runbookHistorySchema.parse(history)).toEqual(history);
  });

  it('refuse a row whose test id is not a uuid', () => {
    expect(testRowSchema.safeParse(testRow({ test_id: 'x' })).success).toBe(false);
    expect(windowStateSchema.safeParse({ test_id: 'x' }).success).toBe(false);
    expect(runbookHistorySchema.safeParse({ test_id: ID_A, run_id: 'x' }).success).toBe(false);
  });
});
