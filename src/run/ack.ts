import { randomUUID } from 'node:crypto';
import type { DatabasePool } from 'slonik';
import {
  acknowledgementsMigrated,
  lockTestForAck,
  missingAckPrivileges,
  recordAcknowledgement,
  type AckedAlert,
} from '../db/acknowledgements.js';
import { EvaluatorError, UsageError } from '../errors.js';

/** Control, format, line- and paragraph-separator characters: a name with one would break or hide the lines that show it. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Longest `--by` accepted, in code points (after trimming). */
export const MAX_ACK_BY_LENGTH = 200;
/** Longest `--note` accepted, in code points. */
export const MAX_ACK_NOTE_LENGTH = 4000;

/** The first sentence of the role script's advice, shared by both ways a missing privilege is found. */
export const NOT_AN_APPROVER =
  'the connected role may not acknowledge: connect as a member of canonical_approver (sql/roles/03_canonical_approver.sql)';

/** The connected role lacks a privilege acknowledging needs (exit 1); the message names it and the role to use. */
export class AcknowledgePrivilegeError extends EvaluatorError {}

/** What `canonical-tests ack` is asked to do. */
export interface AckOptions {
  /** `--test`: the test's code, exactly as stored. */
  testCode: string;
  /** `--by`: who acknowledges (a person's name or account). */
  by: string;
  /** `--note`: why, or what was decided. */
  note?: string;
}

/** What an acknowledgement did (the `--json` document: snake_case). */
export interface AckResult {
  ack_id: string;
  test_code: string;
  test_id: string;
  acknowledged_at: string;
  acknowledged_by: string;
  note: string | null;
  /** Whether `ceo_action_required` was set before (it is cleared now either way). */
  ceo_action_was_required: boolean;
  /** The alerts stamped now, oldest first; empty when none was open. */
  alerts: AckedAlert[];
}

/**
 * Checks `--by` before anything touches the database.
 *
 * @returns the problem as a sentence, or null when acceptable (pure; never throws).
 */
export function ackByProblem(by: string): string | null {
  if (by.trim() === '') return by === '' ? 'must not be empty: say who acknowledges' : 'must not be blank: say who acknowledges';
  if (INVISIBLE.test(by)) return 'must not contain control or format characters';
  if ([...by.trim()].length > MAX_ACK_BY_LENGTH) return `must be at most ${MAX_ACK_BY_LENGTH} characters`;
  return null;
}

/**
 * Checks `--note`: line breaks and tabs are allowed, other control or format characters are not.
 *
 * @returns the problem as a sentence, or null when acceptable (pure; never throws).
 */
export function ackNoteProblem(note: string): string | null {
  if (/[^\P{Cc}\n\t]|[\p{Cf}\p{Zl}\p{Zp}]/u.test(note.replace(/\r\n/g, '\n'))) {
    return 'must not contain control or format characters other than line breaks and tabs';
  }
  if ([...note].length > MAX_ACK_NOTE_LENGTH) return `must be at most ${MAX_ACK_NOTE_LENGTH} characters`;
  return null;
}

/**
 * Checks `--by` and `--note` before anything touches the database (the CLI
 * calls it before connecting, so a refused option is exit 2 even without a
 * database).
 *
 * @returns `--by` trimmed, and `--note` trimmed (null when absent or blank).
 * @throws UsageError naming `--by` or `--note`.
 */
export function checkAckOptions(options: Pick<AckOptions, 'by' | 'note'>): { by: string; note: string | null } {
  const byProblem = ackByProblem(options.by);
  if (byProblem) throw new UsageError('--by', byProblem);
  const noteProblem = options.note === undefined ? null : ackNoteProblem(options.note);
  if (noteProblem) throw new UsageError('--note', noteProblem);
  const note = options.note?.trim() ?? '';
  return { by: options.by.trim(), note: note === '' ? null : note };
}

/** The first error in `error`'s cause chain that carries a SQLSTATE (slonik wraps the driver's error). */
function databaseError(error: unknown): { code: string; message: string } | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return { code, message: e.message };
  }
  return undefined;
}

/**
 * Acknowledges a test (docs/alerts.md "Acknowledging"), in one transaction:
 * clears its `ceo_action_required`, stamps who and when on its open alerts,
 * and appends a row to `fhq_calendar.acknowledgements` naming them. A test
 * with nothing open is acknowledged too (0 alerts). Run-level alerts (no test)
 * are not touched.
 *
 * @throws UsageError (exit 2) naming `--by` or `--note` when it is refused, or `--test` when no test has the code; nothing is written.
 * @throws AcknowledgePrivilegeError (exit 1) when the connected role may not acknowledge (not a member of canonical_approver).
 * @throws EvaluatorError (exit 1) when the database lacks migration 000007.
 */
export async function acknowledge(pool: DatabasePool, options: AckOptions): Promise<AckResult> {
  const { by, note } = checkAckOptions(options);

  if (!(await acknowledgementsMigrated(pool))) {
    throw new EvaluatorError(
      'the database has no fhq_calendar.acknowledgements table: apply the migrations first (canonical-tests migrate, as an administrator)',
    );
  }
  const missing = await missingAckPrivileges(pool);
  if (missing.length > 0) throw new AcknowledgePrivilegeError(`${NOT_AN_APPROVER}; it lacks ${missing.join(', ')}`);

  try {
    return await pool.transaction(async (tx) => {
      const test = await lockTestForAck(tx, options.testCode);
      if (!test) throw new UsageError('--test', `no test has the code ${JSON.stringify(options.testCode)}`);
      const written = await recordAcknowledgement(tx, { ackId: randomUUID(), testId: test.test_id, by, note });
      return {
        ack_id: written.ackId,
        test_code: test.test_code,
        test_id: test.test_id,
        acknowledged_at: written.acknowledgedAt,
        acknowledged_by: written.acknowledgedBy,
        note: written.note,
        ceo_action_was_required: test.ceo_action_required,
        alerts: written.alerts,
      };
    });
  } catch (error) {
    // A grant revoked between the check and the writes still gets the advice, with the database's own words.
    const refused = databaseError(error);
    if (refused?.code === '42501') {
      throw new AcknowledgePrivilegeError(`${NOT_AN_APPROVER}; the database said: ${refused.message}`, { cause: error });
    }
    throw error;
  }
}
