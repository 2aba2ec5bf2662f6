import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDotEnv } from '../../src/config/dotEnv.js';
import { usageErrorOf } from '../helpers/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadDotEnv', () => {
  it('fills in the variables of <cwd>/.env and returns its path', () => {
    writeFileSync(
      join(dir, '.env'),
      '# the connection\nDATABASE_URL=postgres://evaluator:s3cret@db:5432/gov\nCANONICAL_TZ="Europe/Oslo"\nexport PGAPPNAME=canonical\n',
    );
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(env, dir)).toBe(join(dir, '.env'));
    expect(env).toEqual({ DATABASE_URL: 'postgres://evaluator:s3cret@db:5432/gov', CANONICAL_TZ: 'Europe/Oslo', PGAPPNAME: 'canonical' });
  });

  it('leaves a variable already in the environment alone, even an empty one', () => {
    writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgres://from-file/db\nCANONICAL_TZ=UTC\nREPORTS_DIR=file-reports\n');
    const env: NodeJS.ProcessEnv = { DATABASE_URL: 'postgres://from-env/db', CANONICAL_TZ: '' };
    loadDotEnv(env, dir);
    expect(env).toEqual({ DATABASE_URL: 'postgres://from-env/db', CANONICAL_TZ: '', REPORTS_DIR: 'file-reports' });
  });

  it('returns null and changes nothing when there is no .env', () => {
    const env: NodeJS.ProcessEnv = { A: '1' };
    expect(loadDotEnv(env, dir)).toBeNull();
    expect(env).toEqual({ A: '1' });
  });

  it('a .env that cannot be read is a usage error naming .env', () => {
    mkdirSync(join(dir, '.env'));
    const error = usageErrorOf(() => loadDotEnv({}, dir));
    expect(error.setting).toBe('.env');
    expect(error.exitCode).toBe(2);
  });
});
