/**
 * The benchmark's own database: a fresh `canonical_bench_<random>` on the
 * server in `DATABASE_URL`, or, when it is unset, an embedded PostgreSQL in a
 * temporary folder. Either is dropped / removed by the cleanup unless kept.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { redactUri } from '../../src/db/connectionTarget.js';
import { startEmbedded } from '../../src/db/embedded.js';
import { onCleanup } from './cleanup.js';

/** Where the bench database is. */
export interface BenchDatabase {
  /** Connection string of the bench database (may hold a password: print `description`). */
  uri: string;
  /** The same, safe to print. */
  description: string;
}

async function onServer(adminUri: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUri });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function onDatabaseUrl(serverUri: string, name: string, keep: boolean): Promise<BenchDatabase> {
  let url: URL;
  try {
    url = new URL(serverUri);
  } catch {
    throw new Error('DATABASE_URL must be a postgres:// URL for the benchmark (it creates a database beside the one named)');
  }
  await onServer(serverUri, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  url.pathname = `/${name}`;
  const uri = url.toString();
  if (!keep)
    onCleanup(`drop database ${name}`, () => onServer(serverUri, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
  return { uri, description: redactUri(uri) };
}

async function embedded(name: string, keep: boolean): Promise<BenchDatabase> {
  const root = mkdtempSync(join(tmpdir(), 'canonical-bench-pg-'));
  if (!keep) onCleanup(`remove ${root}`, () => rmSync(root, { recursive: true, force: true }));
  const server = await startEmbedded({ root, database: name, persistent: keep });
  onCleanup('stop the embedded PostgreSQL', () => server.stop());
  return { uri: server.uri, description: `embedded PostgreSQL in ${root}, database ${name}` };
}

/**
 * Creates the bench database (registering its removal with the cleanup unless `keep`).
 *
 * @param serverUri `DATABASE_URL`, or undefined for an embedded server.
 */
export async function createBenchDatabase(serverUri: string | undefined, keep: boolean): Promise<BenchDatabase> {
  const name = `canonical_bench_${randomBytes(4).toString('hex')}`;
  return serverUri ? onDatabaseUrl(serverUri, name, keep) : embedded(name, keep);
}

/** Runs `work` with a plain client on `uri`, closing it after. */
export async function withClient<T>(uri: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: uri });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
