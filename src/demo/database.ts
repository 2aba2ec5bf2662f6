import { embeddedRoot } from '../config/settings.js';
import { openDatabase, type Database } from '../db/connect.js';
import { migrate } from '../db/migrate.js';

/**
 * The embedded PostgreSQL of the demo and the benchmark, migrated. Never
 * `DATABASE_URL`: both reset EC-022, which must not happen to a real database.
 */
export async function openDemoDatabase(notice?: (message: string) => void): Promise<Database> {
  return openDatabase({
    env: {},
    embedded: true,
    embeddedRoot: embeddedRoot(),
    notice,
    prepareEmbedded: async (server) => void (await migrate(server.uri)),
  });
}
