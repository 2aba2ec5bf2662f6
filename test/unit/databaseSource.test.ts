import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { CONTAINER_IMAGE, databaseSource } from '../helpers/databaseSource.js';
import { usageErrorOf } from '../helpers/errors.js';

const URL = 'postgres://postgres@127.0.0.1:5432/postgres';

describe('databaseSource', () => {
  it('is the embedded server when nothing is set, or CANONICAL_TEST_DB is empty or embedded', () => {
    expect(databaseSource({})).toEqual({ kind: 'embedded' });
    expect(databaseSource({ CANONICAL_TEST_DB: '' })).toEqual({ kind: 'embedded' });
    expect(databaseSource({ CANONICAL_TEST_DB: 'embedded' })).toEqual({ kind: 'embedded' });
    expect(databaseSource({ TEST_DATABASE_URL: '' })).toEqual({ kind: 'embedded' });
  });

  it('is TEST_DATABASE_URL, unchanged, when it is set, whatever CANONICAL_TEST_DB says', () => {
    expect(databaseSource({ TEST_DATABASE_URL: URL })).toEqual({ kind: 'url', url: URL });
    expect(databaseSource({ TEST_DATABASE_URL: URL, CANONICAL_TEST_DB: 'container' })).toEqual({ kind: 'url', url: URL });
    expect(databaseSource({ TEST_DATABASE_URL: 'postgresql://u:p%40ss@db:6543/x?sslmode=disable' })).toEqual({
      kind: 'url',
      url: 'postgresql://u:p%40ss@db:6543/x?sslmode=disable',
    });
  });

  it('is a postgres:18-alpine container when CANONICAL_TEST_DB=container and no URL is set', () => {
    expect(CONTAINER_IMAGE).toBe('postgres:18-alpine');
    expect(databaseSource({ CANONICAL_TEST_DB: 'container' })).toEqual({ kind: 'container', image: 'postgres:18-alpine' });
    expect(databaseSource({ CANONICAL_TEST_DB: 'container', TEST_DATABASE_URL: '' })).toEqual({
      kind: 'container',
      image: 'postgres:18-alpine',
    });
  });

  it('refuses an unknown CANONICAL_TEST_DB, naming the variable and the accepted values, even beside a URL', () => {
    for (const env of [
      { CANONICAL_TEST_DB: 'docker' },
      { CANONICAL_TEST_DB: 'Container' },
      { CANONICAL_TEST_DB: 'docker', TEST_DATABASE_URL: URL },
    ]) {
      const error = usageErrorOf(() => databaseSource(env));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.setting).toBe('CANONICAL_TEST_DB');
      expect(error.message).toBe(
        `CANONICAL_TEST_DB: unknown value ${JSON.stringify(env.CANONICAL_TEST_DB)}; use "container" (a testcontainers PostgreSQL, needs Docker), "embedded" or leave it unset (embedded)`,
      );
    }
  });

  it('refuses a TEST_DATABASE_URL that is not a postgres URL, without echoing it', () => {
    const error = usageErrorOf(() => databaseSource({ TEST_DATABASE_URL: 'mysql://root:secret@db/x' }));
    expect(error.setting).toBe('TEST_DATABASE_URL');
    expect(error.message).toBe('TEST_DATABASE_URL: must be a postgres:// or postgresql:// connection string');
  });
});
