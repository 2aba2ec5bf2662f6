import { describe, expect, it } from 'vitest';
import { describeAck } from '../../src/cli/commands/ack.js';
import { UsageError } from '../../src/errors.js';
import {
  ackByProblem,
  ackNoteProblem,
  checkAckOptions,
  MAX_ACK_BY_LENGTH,
  MAX_ACK_NOTE_LENGTH,
  type AckResult,
} from '../../src/run/ack.js';

describe('--by', () => {
  it.each([
    ['', 'must not be empty: say who acknowledges'],
    ['   ', 'must not be blank: say who acknowledges'],
    ['\t\n', 'must not be blank: say who acknowledges'],
    ['ali\u0000ce', 'must not contain control or format characters'],
    ['alice\u202E', 'must not contain control or format characters'],
    ['line\u2028break', 'must not contain control or format characters'],
    ['a'.repeat(MAX_ACK_BY_LENGTH + 1), `must be at most ${MAX_ACK_BY_LENGTH} characters`],
  ])('refuses %j', (by, problem) => {
    expect(ackByProblem(by)).toBe(problem);
  });

  it.each(['alice', 'Åse Ødegård', 'ceo-office@example.com', ` ${'a'.repeat(MAX_ACK_BY_LENGTH)} `])('accepts %j', (by) => {
    expect(ackByProblem(by)).toBeNull();
  });
});

describe('--note', () => {
  it('allows line breaks (also CRLF) and tabs, nothing else invisible', () => {
    expect(ackNoteProblem('Rolled back.\nAgreed with\tthe owner.\r\nDone.')).toBeNull();
    for (const bad of ['bell\u0007', 'lone\rreturn', 'zero\u200Bwidth', 'para\u2029graph']) {
      expect(ackNoteProblem(bad)).toBe('must not contain control or format characters other than line breaks and tabs');
    }
  });

  it('is at most MAX_ACK_NOTE_LENGTH characters', () => {
    expect(ackNoteProblem('x'.repeat(MAX_ACK_NOTE_LENGTH))).toBeNull();
    expect(ackNoteProblem('x'.repeat(MAX_ACK_NOTE_LENGTH + 1))).toBe(`must be at most ${MAX_ACK_NOTE_LENGTH} characters`);
  });
});

describe('checkAckOptions', () => {
  it('trims --by and --note; a blank or absent note is null', () => {
    expect(checkAckOptions({ by: ' alice ', note: '  why \n' })).toEqual({ by: 'alice', note: 'why' });
    expect(checkAckOptions({ by: 'alice', note: '   ' })).toEqual({ by: 'alice', note: null });
    expect(checkAckOptions({ by: 'alice' })).toEqual({ by: 'alice', note: null });
  });

  it('throws a UsageError naming the option (exit 2)', () => {
    expect(() => checkAckOptions({ by: ' ' })).toThrow(new UsageError('--by', 'must not be blank: say who acknowledges'));
    expect(() => checkAckOptions({ by: 'alice', note: '\u0000' })).toThrow(UsageError);
    try {
      checkAckOptions({ by: 'alice', note: '\u0000' });
    } catch (error) {
      expect((error as UsageError).setting).toBe('--note');
      expect((error as UsageError).exitCode).toBe(2);
    }
  });
});

describe('what ack prints', () => {
  const result: AckResult = {
    ack_id: '00000000-0000-4000-8000-000000000001',
    test_code: 'EC-030',
    test_id: '00000000-0000-4000-8000-00000000000a',
    acknowledged_at: '2026-03-20T09:15:00.000Z',
    acknowledged_by: 'alice',
    note: 'Rolled back.\nAgreed with the owner.',
    ceo_action_was_required: true,
    alerts: [
      { alert_id: 'a1', alert_type: 'ESCALATION', run_date: '2026-03-05', severity: 'CRITICAL' },
      { alert_id: 'a2', alert_type: 'CHECKPOINT', run_date: '2026-03-16', severity: 'WARNING' },
    ],
  };

  it('names the test, who, when, the flag, each alert by date, severity and type, and the note', () => {
    expect(describeAck(result)).toEqual([
      'acknowledged EC-030 by alice at 2026-03-20T09:15:00.000Z (acknowledgement 00000000-0000-4000-8000-000000000001)',
      '  ceo_action_required: cleared',
      '  2 alert(s) acknowledged:',
      '    2026-03-05  CRITICAL  ESCALATION',
      '    2026-03-16  WARNING   CHECKPOINT',
      '  note: Rolled back.\n        Agreed with the owner.',
    ]);
  });

  it('says so when nothing was open and the flag was not set; a hostile code is shown quoted', () => {
    expect(describeAck({ ...result, test_code: 'EC\u202E1', note: null, ceo_action_was_required: false, alerts: [] })).toEqual([
      'acknowledged "EC\\u{202E}1" by alice at 2026-03-20T09:15:00.000Z (acknowledgement 00000000-0000-4000-8000-000000000001)',
      '  ceo_action_required: was not set',
      '  0 alerts acknowledged: none was open',
    ]);
  });
});
