import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

/**
 * The two advisory locks of the evaluator, by name: one run at a time per
 * database, one migrator at a time. Each key is `hashtextextended(name, 0)`,
 * computed by the server, so every client agrees on it.
 */
export const ADVISORY_LOCKS = {
  run: 'fhq_calendar.canonical-tests.run',
  migrate: 'fhq_calendar.canonical-tests.migrate',
} as const;

/** The SQL expression of a lock's key, for clients that send plain text (the migrator's `pg` client). */
export function lockKeySql(lock: keyof typeof ADVISORY_LOCKS): string {
  return `hashtextextended('${ADVISORY_LOCKS[lock]}', 0)`;
}

const lockKey = (lock: keyof typeof ADVISORY_LOCKS) => sql.fragment`hashtextextended(${ADVISORY_LOCKS[lock]}, 0)`;

/** The run lock's key as a SQL fragment (tests hold it to simulate another run). */
export const RUN_LOCK = lockKey('run');

/**
 * Sets the session's time zone: calendar days and date/timestamp source
 * columns are then read in `zone` (an IANA name already validated by the settings).
 */
export async function setSessionZone(conn: CommonQueryMethods, zone: string): Promise<void> {
  await conn.query(sql.unsafe`SELECT set_config('TimeZone', ${zone}, false)`);
}

/** Tries to take the run lock for this session; false when another session holds it. */
export async function tryRunLock(conn: CommonQueryMethods): Promise<boolean> {
  return conn.oneFirst(sql.type(z.object({ locked: z.boolean() }))`SELECT pg_try_advisory_lock(${lockKey('run')}) AS locked`);
}

/** Releases the run lock taken by {@link tryRunLock}. */
export async function releaseRunLock(conn: CommonQueryMethods): Promise<void> {
  await conn.query(sql.unsafe`SELECT pg_advisory_unlock(${lockKey('run')})`);
}

/** Makes the caller's (just begun) transaction a read-only REPEATABLE READ snapshot: every read sees one database state. */
export async function readOnlySnapshot(tx: CommonQueryMethods): Promise<void> {
  await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
}
