import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toSnakeCase } from '../../src/cli/formatPlan.js';
import { parseDatabaseUrl, resolveTarget } from '../../src/db/connectionTarget.js';
import { passwordFromFile } from '../../src/db/passwordFile.js';
import { isNotMigrated, splitTls, tlsOptions } from '../../src/db/pool.js';
import { nearestCode, testCodeProblemMessage } from '../../src/domain/testCodeSuggestions.js';
import { UsageError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../helpers/tempDir.js';

const CA = join(packageRoot(), 'test', 'fixtures', 'tls', 'ca.crt');

describe('parseDatabaseUrl', () => {
  it('takes postgres:// and postgresql://, and refuses anything else naming DATABASE_URL', () => {
    expect(parseDatabaseUrl('postgres://u@h:5432/db').hostname).toBe('h');
    expect(parseDatabaseUrl('PostgreSQL://u@h/db').pathname).toBe('/db');
    for (const bad of ['127.0.0.1:5432/postgres', 'mysql://u:p@h/db', 'postgres://u@h:port/db', 'db.internal']) {
      expect(() => parseDatabaseUrl(bad)).toThrow(UsageError);
      expect(() => parseDatabaseUrl(bad)).toThrow(/^DATABASE_URL: .*expected postgres:\/\/user\[:password\]@host\[:port\]\/database/);
    }
  });
});

describe('resolveTarget', () => {
  const noFile = { PGPASSFILE: '/nonexistent/pgpass' };
  it('writes sslmode (from the URL, else PGSSLMODE) into the connection string with libpq semantics', () => {
    expect(resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u:p@h/db?sslmode=require' }).uri).toBe(
      'postgres://u:p@h/db?sslmode=require&uselibpqcompat=true',
    );
    expect(resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u:p@h/db', PGSSLMODE: 'verify-full', PGSSLROOTCERT: CA }).uri).toBe(
      `postgres://u:p@h/db?sslmode=verify-full&sslrootcert=${encodeURIComponent(CA)}&uselibpqcompat=true`,
    );
    expect(resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u:p@h/db' }).uri).toBe('postgres://u:p@h/db');
  });

  it('names the variable a bad TLS setting came from', () => {
    expect(() => resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u@h/db', PGSSLMODE: 'allow' })).toThrow(
      'PGSSLMODE: "allow" is not supported: use disable, require, verify-ca, verify-full',
    );
    expect(() => resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u@h/db?ssl=true' })).toThrow(/^DATABASE_URL: the parameter ssl=/);
  });

  it('knows whether a password is given: URL, PGPASSWORD, or the password file', () => {
    expect(resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u@h/db' }).hasPassword).toBe(false);
    expect(resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u:p@h/db' }).hasPassword).toBe(true);
    expect(resolveTarget({ ...noFile, DATABASE_URL: 'postgres://u@h/db', PGPASSWORD: 'p' }).hasPassword).toBe(true);
    const file = join(tempDir('pgpass'), 'pgpass');
    writeFileSync(file, 'h:5432:db:u:p@ss\n', { mode: 0o600 });
    const target = resolveTarget({ PGPASSFILE: file, DATABASE_URL: 'postgres://u@h/db' });
    expect(target).toEqual({ uri: 'postgres://u:p%40ss@h/db', description: 'postgres://u@h/db', hasPassword: true });
    // The PG* variables: the connection string is spelled out to carry the password.
    expect(resolveTarget({ PGPASSFILE: file, PGHOST: 'h', PGUSER: 'u', PGDATABASE: 'db' }).uri).toBe('postgres://u:p%40ss@h:5432/db');
  });
});

describe('passwordFromFile', () => {
  const endpoint = { host: 'db.internal', port: '5432', database: 'gov', user: 'svc' };
  it('reads libpq lines: comments, * wildcards, \\: and \\\\ escapes, the first match', () => {
    const file = join(tempDir('pgpass'), 'pgpass');
    writeFileSync(
      file,
      ['# a comment', 'other:*:*:*:no', 'db.internal:5433:*:svc:wrong-port', 'db.internal:5432:*:svc:a\\:b\\\\c', '*:*:*:*:later'].join(
        '\n',
      ),
      { mode: 0o600 },
    );
    expect(passwordFromFile(endpoint, { PGPASSFILE: file })).toBe('a:b\\c');
    expect(passwordFromFile({ ...endpoint, host: 'elsewhere' }, { PGPASSFILE: file })).toBe('later');
    expect(passwordFromFile(endpoint, { PGPASSFILE: join(tempDir('pgpass'), 'missing') })).toBeUndefined();
  });

  it.runIf(process.platform !== 'win32')('ignores a file others may read, and says so', () => {
    const file = join(tempDir('pgpass'), 'pgpass');
    writeFileSync(file, '*:*:*:*:secret\n');
    chmodSync(file, 0o640);
    const notices: string[] = [];
    expect(passwordFromFile(endpoint, { PGPASSFILE: file }, (m) => notices.push(m))).toBeUndefined();
    expect(notices).toEqual([
      `warning: password file "${file}" has group or world access; permissions should be u=rw (0600) or less; it is ignored`,
    ]);
  });
});

describe('tlsOptions (libpq sslmode)', () => {
  it('disable and no mode: no TLS; require: no verification; verify-ca: the chain only; verify-full: chain and host', () => {
    expect(tlsOptions({})).toBe(false);
    expect(tlsOptions({ sslmode: 'disable' })).toBe(false);
    expect(tlsOptions({ sslmode: 'require' })).toEqual({ rejectUnauthorized: false });
    const requireWithCa = tlsOptions({ sslmode: 'require', sslrootcert: CA });
    expect(requireWithCa).toMatchObject({ ca: expect.stringContaining('BEGIN CERTIFICATE') as unknown });
    expect(requireWithCa && requireWithCa.rejectUnauthorized).toBeUndefined();
    expect(requireWithCa && typeof requireWithCa.checkServerIdentity).toBe('function');
    const verifyCa = tlsOptions({ sslmode: 'verify-ca', sslrootcert: CA });
    expect(verifyCa && typeof verifyCa.checkServerIdentity).toBe('function');
    expect(tlsOptions({ sslmode: 'verify-full' })).toEqual({});
    expect(tlsOptions({ sslmode: 'verify-full', sslrootcert: CA })).toEqual({
      ca: expect.stringContaining('BEGIN CERTIFICATE') as unknown,
    });
  });

  it('refuses what it cannot honour', () => {
    expect(() => tlsOptions({ sslmode: 'prefer' })).toThrow('sslmode: "prefer" is not supported');
    expect(() => tlsOptions({ sslmode: 'verify-ca' })).toThrow('sslmode: verify-ca needs the root certificate');
    expect(() => tlsOptions({ sslmode: 'require', sslcert: CA })).toThrow('sslkey: a client certificate needs both sslcert and sslkey');
  });

  it('splitTls takes the TLS parameters out of the string the pool parses', () => {
    const { uri, ssl } = splitTls('postgres://u:p@h/db?sslmode=require&uselibpqcompat=true&application_name=x');
    expect(uri).toBe('postgres://u:p@h/db?application_name=x');
    expect(ssl).toEqual({ rejectUnauthorized: false });
  });
});

describe('isNotMigrated', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
  it('is a missing fhq_calendar relation or schema, nothing else', () => {
    expect(isNotMigrated(pgError('42P01', 'relation "fhq_calendar.evaluator_runs" does not exist'))).toBe(true);
    expect(isNotMigrated(pgError('3F000', 'schema "fhq_calendar" does not exist'))).toBe(true);
    expect(isNotMigrated(pgError('42P01', 'relation "fhq_learning.context_brier_daily" does not exist'))).toBe(false);
    expect(isNotMigrated(pgError('42501', 'permission denied for table "fhq_calendar.x"'))).toBe(false);
  });
});

describe('--test suggestions', () => {
  const tests = [
    { test_code: 'EC-022', status: 'ACTIVE' },
    { test_code: 'T-001', status: 'ACTIVE' },
    { test_code: 'EC-001', status: 'RESOLVED' },
    { test_code: 'EC-000', status: 'CANCELLED' },
  ];
  it('suggests the same code in another case, or one a typo away, and lists the ACTIVE codes', () => {
    expect(nearestCode('ec-022', ['EC-022', 'T-001'])).toBe('EC-022');
    expect(nearestCode('EC-02', ['EC-022', 'T-001'])).toBe('EC-022');
    expect(nearestCode('NOPE', ['EC-022', 'T-001'])).toBeNull();
    expect(testCodeProblemMessage(['ec-022'], tests)).toBe(
      'no test has the code "ec-022"; did you mean EC-022? ACTIVE tests: EC-022, T-001',
    );
    expect(testCodeProblemMessage(['NOPE'], tests)).toBe('no test has the code "NOPE"; ACTIVE tests: EC-022, T-001');
    // A RESOLVED test may be named (its past is re-evaluated); a CANCELLED one may not.
    expect(testCodeProblemMessage(['EC-001'], tests)).toBeNull();
    expect(testCodeProblemMessage(['EC-000'], tests)).toBe(
      '"EC-000" is CANCELLED: only ACTIVE and RESOLVED tests can be evaluated; ACTIVE tests: EC-022, T-001',
    );
    expect(testCodeProblemMessage(['EC-022', 'T-001'], tests)).toBeNull();
    expect(testCodeProblemMessage(['X'], [])).toBe('no test has the code "X"; there is no ACTIVE test');
  });

  it('lists at most 20 ACTIVE codes', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ test_code: `T-${String(i + 1).padStart(3, '0')}`, status: 'ACTIVE' }));
    expect(testCodeProblemMessage(['T-1000'], many)).toBe(
      `no test has the code "T-1000"; did you mean T-001? ACTIVE tests (the first 20 of 25): ${many
        .slice(0, 20)
        .map((t) => t.test_code)
        .join(', ')}, …`,
    );
  });
});

describe('toSnakeCase', () => {
  it('converts every key but leaves the entries of a metrics snapshot as registered', () => {
    expect(
      toSnakeCase({ exitCode: 0, plan: { asOf: { compactDate: 'x' }, runbook: [{ metricsSnapshot: { brierScore: { value: 1 } } }] } }),
    ).toEqual({ exit_code: 0, plan: { as_of: { compact_date: 'x' }, runbook: [{ metrics_snapshot: { brierScore: { value: 1 } } }] } });
  });
});
