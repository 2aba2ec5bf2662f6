import { embeddedRoot, poolTimeouts, type Settings } from '../config/settings.js';
import { openDatabase, type Database } from '../db/connect.js';
import { asUnreachable } from '../db/connectionErrors.js';
import { migrate } from '../db/migrate.js';
import { DatabaseUnreachableError } from '../errors.js';

/**
 * Opens the configured database for one command (README "Pointing it at a
 * real database"), runs `work` on it and closes it, whatever happens. A lost
 * connection during `work` becomes DatabaseUnreachableError (exit 4).
 * `io.onUnreachable` is told when the database cannot be reached at all.
 *
 * @param notice where notices go (stderr in the CLI).
 * @param warn told when closing fails: that must not hide the command's own outcome.
 * @returns what `work` returns.
 */
export async function withCommandDatabase<T>(
  settings: Settings,
  work: (db: Database) => Promise<T>,
  io: { notice: (line: string) => void; warn: (line: string) => void; onUnreachable?: (error: DatabaseUnreachableError) => void },
): Promise<T> {
  const db = await openDatabase({
    waitForDbSeconds: settings.waitForDbSeconds,
    pool: poolTimeouts(settings),
    embeddedRoot: embeddedRoot(),
    notice: io.notice,
    embedded: settings.embedded,
    // The embedded database is ours: migrate it. Only `seed` ever loads demo data.
    prepareEmbedded: async (server) => void (await migrate(server.uri)),
  }).catch((error: unknown) => {
    if (error instanceof DatabaseUnreachableError) io.onUnreachable?.(error);
    throw error;
  });
  try {
    return await work(db);
  } catch (error) {
    throw asUnreachable(error, db.description);
  } finally {
    await db.close().catch((error: unknown) => io.warn(`warning: closing the database connection failed: ${(error as Error).message}`));
  }
}
