import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { MigrationError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { lockKeySql } from './session.js';

/** A migration file: `sql/000001_name.sql`. */
export interface MigrationFile {
  version: number;
  name: string;
  sha256: string;
  text: string;
}

const ledgerSchema = z.object({ version: z.number().int(), name: z.string(), sha256: z.string() });

/**
 * The SHA-256 that migration files had before an edit of their comments only
 * (their statements are byte for byte the same): a database that applied the
 * earlier text is up to date with the file as it is now. Any other change to
 * an applied file is refused.
 */
export const EARLIER_CHECKSUMS: Readonly<Record<string, readonly string[]>> = {
  '000001_calendar_tables.sql': ['f5c2445eded5b4e06779f37e53dcabddbac13d9897ae0c8699a8ecd8d29dfa8f'],
  '000002_calendar_functions.sql': ['9cc3b83c36d324ed8761ce0f615c6d04fc1acf965a7b9f1c9dff85b56fd980e6'],
  '000004_pending_files.sql': ['751f51a1eb617151851c8ce15a974f9ef07521e7429cb082ebccbe91b3398fed'],
};

/**
 * Whether an applied migration's ledger row still matches its file: the same
 * name, and the file's text or an earlier text of {@link EARLIER_CHECKSUMS}.
 */
export function matchesApplied(file: MigrationFile, applied: { name: string; sha256: string }): boolean {
  if (file.name !== applied.name) return false;
  return file.sha256 === applied.sha256 || (EARLIER_CHECKSUMS[file.name] ?? []).includes(applied.sha256);
}
const FILE_NAME = /^(\d{6})_([a-z0-9_]+)\.sql$/;

/**
 * Reads the numbered migrations of `dir` in order.
 *
 * @throws MigrationError on a misnamed `.sql` file or a repeated number.
 */
export function readMigrations(dir = join(packageRoot(), 'sql')): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`migration file ${file} is not named NNNNNN_name.sql`);
    const version = Number(match[1]);
    if (seen.has(version)) throw new MigrationError(`two migration files are numbered ${match[1]}`);
    seen.add(version);
    const text = readFileSync(join(dir, file), 'utf8');
    return { version, name: file, sha256: createHash('sha256').update(text).digest('hex'), text };
  });
}

/**
 * Applies pending migrations: under an
 * advisory lock, each file in its own transaction that first records it in
 * `fhq_calendar.schema_migrations`. Idempotent: applied files are skipped.
 * Migration files are multi-statement batches, which slonik refuses by design,
 * so the migrator drives a plain `pg` client over the same connection string.
 *
 * @param connectionUri as for the pool (`postgres://` alone takes the `PG*` variables).
 * @returns the names of the files applied now (empty when up to date).
 * @throws MigrationError when an applied migration's file is missing or
 *   changed, or a new file is numbered below one already applied.
 */
export async function migrate(connectionUri: string, files: MigrationFile[] = readMigrations()): Promise<string[]> {
  const client = new pg.Client({ connectionString: connectionUri });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${lockKeySql('migrate')})`);
    await client.query('SET client_min_messages = warning');
    await client.query('CREATE SCHEMA IF NOT EXISTS fhq_calendar');
    await client.query(`
      CREATE TABLE IF NOT EXISTS fhq_calendar.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        sha256 text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const ledger = z
      .array(ledgerSchema)
      .parse((await client.query('SELECT version, name, sha256 FROM fhq_calendar.schema_migrations ORDER BY version')).rows);
    const byVersion = new Map(files.map((f) => [f.version, f]));
    for (const applied of ledger) {
      const file = byVersion.get(applied.version);
      if (!file) throw new MigrationError(`migration ${applied.name} is recorded as applied but its file is missing from sql/`);
      if (!matchesApplied(file, applied)) {
        throw new MigrationError(`migration ${applied.name} was changed after it was applied (migrations are immutable: add a new file)`);
      }
    }
    const newest = ledger.at(-1);
    const pending = files.filter((f) => !ledger.some((l) => l.version === f.version));
    const early = newest && pending.find((f) => f.version < newest.version);
    if (early) throw new MigrationError(`migration ${early.name} is numbered below the newest applied one (${newest.name})`);
    for (const file of pending) {
      await client.query('BEGIN');
      try {
        await client.query('INSERT INTO fhq_calendar.schema_migrations (version, name, sha256) VALUES ($1, $2, $3)', [
          file.version,
          file.name,
          file.sha256,
        ]);
        await client.query(file.text);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return pending.map((f) => f.name);
  } finally {
    await client.end();
  }
}
