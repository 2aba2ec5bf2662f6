import { chmodSync, chownSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { startEmbeddedProcess, type EmbeddedProcess } from '../helpers/embeddedProcess.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * How the executable connects, against an embedded PostgreSQL of this file's
 * own that has what the shared test server lacks: password authentication
 * (plain and SCRAM) and TLS (test/fixtures/tls), with one role that may only
 * connect over TLS. Every case runs the built executable and pins its exit
 * code and message.
 */

const TLS = join(packageRoot(), 'test', 'fixtures', 'tls');
const EXPECTED_FORM = 'expected postgres://user[:password]@host[:port]/database (postgresql:// also works)';

let server: EmbeddedProcess;
let port: string;
let cwd: string;
/** A password file that does not exist: no test reads the account's own ~/.pgpass. */
let noPassFile: string;

const url = (user: string, password: string | null, database: string, query = '') =>
  `postgres://${user}${password === null ? '' : `:${password}`}@127.0.0.1:${port}/${database}${query}`;
const cli = (args: string[], env: Record<string, string>) => runCli(args, cwd, { PGPASSFILE: noPassFile, ...env });
const CHECK_OK = 'checked 0 ACTIVE test(s): none\nOK: every definition passes the gate\n';

beforeAll(async () => {
  server = await startEmbeddedProcess();
  port = new URL(server.adminUri).port;
  cwd = tempDir('connection');
  noPassFile = join(cwd, 'no-such-pgpass');
  const admin = new pg.Client({ connectionString: server.adminUri });
  await admin.connect();
  try {
    const dataDir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    const hbaFile = (await admin.query<{ hba_file: string }>('SHOW hba_file')).rows[0]!.hba_file;
    const owner = statSync(dataDir);
    for (const file of ['server.crt', 'server.key']) {
      const target = join(dataDir, `canonical-test-${file}`);
      copyFileSync(join(TLS, file), target);
      chmodSync(target, 0o600);
      if (process.getuid?.() === 0) chownSync(target, owner.uid, owner.gid);
    }
    await admin.query(`ALTER SYSTEM SET ssl = on`);
    await admin.query(`ALTER SYSTEM SET ssl_cert_file = 'canonical-test-server.crt'`);
    await admin.query(`ALTER SYSTEM SET ssl_key_file = 'canonical-test-server.key'`);
    await admin.query(`SET password_encryption = 'scram-sha-256'`);
    for (const user of ['plain_user', 'scram_user', 'tls_user']) {
      await admin.query(`CREATE ROLE ${user} LOGIN SUPERUSER PASSWORD '${user}-pw'`);
    }
    await admin.query(`CREATE ROLE pgpass_user LOGIN SUPERUSER PASSWORD 'pgpass:pw'`);
    for (const db of ['empty_db', 'app_db', 'tls_db', 'pgpass_db']) await admin.query(`CREATE DATABASE ${db}`);
    // plain_user: cleartext password; scram_user: SCRAM; tls_user: SCRAM over TLS only.
    writeFileSync(
      hbaFile,
      [
        'hostssl all tls_user     127.0.0.1/32 scram-sha-256',
        'host    all scram_user   127.0.0.1/32 scram-sha-256',
        'host    all pgpass_user  127.0.0.1/32 scram-sha-256',
        'host    all plain_user   127.0.0.1/32 password',
        'host    all postgres     127.0.0.1/32 password',
      ].join('\n') + '\n',
    );
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
  const check = new pg.Client({ connectionString: server.adminUri });
  await check.connect();
  expect((await check.query<{ ssl: string }>('SHOW ssl')).rows[0]!.ssl).toBe('on');
  await check.end();
});
afterAll(async () => {
  await server?.stop();
});

describe('DATABASE_URL must be a PostgreSQL URL (exit 2)', () => {
  it('a bare host:port/database is refused, naming DATABASE_URL and the form', async () => {
    expect(await cli(['check'], { DATABASE_URL: '127.0.0.1:5432/postgres' })).toEqual({
      code: 2,
      stdout: '',
      stderr: `canonical-tests: DATABASE_URL: is not a connection URL: ${EXPECTED_FORM}\n`,
    });
  });

  it('another scheme is refused without echoing the URL', async () => {
    expect(await cli(['run', '--date', '2026-03-10'], { DATABASE_URL: 'mysql://root:Sup3rSecret@127.0.0.1:3306/app' })).toEqual({
      code: 2,
      stdout: '',
      stderr: `canonical-tests: DATABASE_URL: the scheme mysql:// is not PostgreSQL: ${EXPECTED_FORM}\n`,
    });
  });

  it('a URL that does not parse (a port that is not a number) is refused', async () => {
    expect(await cli(['check'], { DATABASE_URL: 'postgres://someone:Sup3rSecret@db:port/app' })).toEqual({
      code: 2,
      stdout: '',
      stderr: `canonical-tests: DATABASE_URL: is not a valid URL (a port must be a number; characters such as @ : / # in the password must be percent-encoded): ${EXPECTED_FORM}\n`,
    });
  });

  it('postgresql:// is accepted as well as postgres://', async () => {
    const migrated = await cli(['migrate'], {
      DATABASE_URL: url('scram_user', 'scram_user-pw', 'app_db').replace('postgres://', 'postgresql://'),
    });
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    expect(
      await cli(['check'], { DATABASE_URL: url('scram_user', 'scram_user-pw', 'app_db').replace('postgres://', 'postgresql://') }),
    ).toEqual({
      code: 0,
      stdout: CHECK_OK,
      stderr: '',
    });
  });
});

describe('a server that asks for a password none was given (exit 4)', () => {
  for (const user of ['plain_user', 'scram_user']) {
    it(`says so, for ${user === 'plain_user' ? 'password' : 'SCRAM'} authentication, by URL and by the PG* variables`, async () => {
      expect(await cli(['check'], { DATABASE_URL: url(user, null, 'postgres') })).toEqual({
        code: 4,
        stdout: '',
        stderr: `canonical-tests: database unreachable at ${url(user, null, 'postgres')}: the server asks for a password; set it in DATABASE_URL or PGPASSWORD\n`,
      });
      expect(
        await cli(['run', '--date', '2026-03-10'], { PGHOST: '127.0.0.1', PGPORT: port, PGUSER: user, PGDATABASE: 'postgres' }),
      ).toEqual({
        code: 4,
        stdout: '',
        stderr:
          'canonical-tests: database unreachable at the PG* variables (host 127.0.0.1, database postgres): the server asks for a password; set it in DATABASE_URL or PGPASSWORD\n',
      });
    });
  }

  it('a wrong password is still reported as the server words it', async () => {
    expect(await cli(['check'], { DATABASE_URL: url('scram_user', 'wrong', 'postgres') })).toEqual({
      code: 4,
      stdout: '',
      stderr: `canonical-tests: database unreachable at ${url('scram_user', '***', 'postgres')}: password authentication failed for user "scram_user" (28P01)\n`,
    });
  });
});

describe('the password file (.pgpass)', () => {
  it('gives the password to the probe, the migrator and the pool, with no DeprecationWarning', async () => {
    const passFile = join(cwd, 'pgpass');
    // A comment, a line for another user, then the match; `\:` is a colon of the password.
    writeFileSync(passFile, `# host:port:database:user:password\n*:*:*:someone_else:nope\n127.0.0.1:${port}:*:pgpass_user:pgpass\\:pw\n`, {
      mode: 0o600,
    });
    const byUrl = { DATABASE_URL: url('pgpass_user', null, 'pgpass_db'), PGPASSFILE: passFile };
    const migrated = await cli(['migrate'], byUrl);
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/^applied 000001_/);
    expect(await cli(['check'], byUrl)).toEqual({ code: 0, stdout: CHECK_OK, stderr: '' });
    const byVariables = { PGHOST: '127.0.0.1', PGPORT: port, PGUSER: 'pgpass_user', PGDATABASE: 'pgpass_db', PGPASSFILE: passFile };
    expect(await cli(['check'], byVariables)).toEqual({ code: 0, stdout: CHECK_OK, stderr: '' });
    expect(await cli(['migrate'], byVariables)).toEqual({ code: 0, stdout: 'up to date: no migration to apply\n', stderr: '' });
  });

  it.runIf(process.platform !== 'win32')('is ignored, with a warning, when others may read it', async () => {
    const passFile = join(cwd, 'pgpass-open');
    writeFileSync(passFile, `127.0.0.1:${port}:*:pgpass_user:pgpass\\:pw\n`);
    chmodSync(passFile, 0o644);
    expect(await cli(['check'], { DATABASE_URL: url('pgpass_user', null, 'pgpass_db'), PGPASSFILE: passFile })).toEqual({
      code: 4,
      stdout: '',
      stderr:
        `warning: password file "${passFile}" has group or world access; permissions should be u=rw (0600) or less; it is ignored\n` +
        `canonical-tests: database unreachable at ${url('pgpass_user', null, 'pgpass_db')}: the server asks for a password; set it in DATABASE_URL or PGPASSWORD\n`,
    });
  });
});

describe('a database that was never migrated (exit 1)', () => {
  it('run, check and status say to run migrate', async () => {
    const env = { DATABASE_URL: url('plain_user', 'plain_user-pw', 'empty_db') };
    const advice = 'the database is not migrated: run `canonical-tests migrate`';
    expect(await cli(['run', '--date', '2026-03-10'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `canonical-tests: ${advice} (relation "fhq_calendar.evaluator_runs" does not exist)\n`,
    });
    expect(await cli(['check', '--date', '2026-03-10'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `canonical-tests: ${advice} (relation "fhq_calendar.canonical_test_events" does not exist)\n`,
    });
    expect(await cli(['status'], env)).toMatchObject({ code: 1, stdout: '' });
    // status checks the migration ledger first and says so in its own words.
    expect((await cli(['status'], env)).stderr).toBe(
      'canonical-tests: the database has no fhq_calendar.evaluator_runs: it was never migrated; run canonical-tests migrate (as an administrator)\n',
    );
    // The run log says the same.
    const failed = readFileSync(join(cwd, 'logs', 'canonical-tests.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event?: string; msg?: string })
      .filter((line) => line.event === 'run_failed');
    expect(failed.map((line) => line.msg)).toEqual([`${advice} (relation "fhq_calendar.evaluator_runs" does not exist)`]);
  });
});

describe('TLS (sslmode, libpq semantics) for the probe, the migrator and the pool', () => {
  const tlsUrl = (query: string) => url('tls_user', 'tls_user-pw', 'tls_db', query);
  const shown = (query: string) => url('tls_user', '***', 'tls_db', query);

  it('sslmode=require encrypts without checking the certificate, and prints no warning', async () => {
    const migrated = await cli(['migrate'], { DATABASE_URL: tlsUrl('?sslmode=require') });
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    // The role may only connect over TLS (hostssl): the pool's queries prove it used TLS too.
    expect(await cli(['check'], { DATABASE_URL: tlsUrl('?sslmode=require') })).toEqual({ code: 0, stdout: CHECK_OK, stderr: '' });
  });

  it('PGSSLMODE is honoured when the URL has no sslmode', async () => {
    expect(await cli(['check'], { DATABASE_URL: tlsUrl(''), PGSSLMODE: 'require' })).toEqual({ code: 0, stdout: CHECK_OK, stderr: '' });
    expect(
      await cli(['check'], {
        PGHOST: '127.0.0.1',
        PGPORT: port,
        PGUSER: 'tls_user',
        PGPASSWORD: 'tls_user-pw',
        PGDATABASE: 'tls_db',
        PGSSLMODE: 'require',
      }),
    ).toEqual({ code: 0, stdout: CHECK_OK, stderr: '' });
  });

  it('without TLS (no sslmode, or disable) the hostssl-only role is refused', async () => {
    for (const query of ['', '?sslmode=disable']) {
      expect(await cli(['check'], { DATABASE_URL: tlsUrl(query) })).toEqual({
        code: 4,
        stdout: '',
        stderr: `canonical-tests: database unreachable at ${shown(query)}: no pg_hba.conf entry for host "127.0.0.1", user "tls_user", database "tls_db", no encryption (28000)\n`,
      });
    }
  });

  it('verify-full and verify-ca check the certificate against sslrootcert or PGSSLROOTCERT', async () => {
    const ca = join(TLS, 'ca.crt');
    expect(await cli(['check'], { DATABASE_URL: tlsUrl('?sslmode=verify-full'), PGSSLROOTCERT: ca })).toEqual({
      code: 0,
      stdout: CHECK_OK,
      stderr: '',
    });
    expect(await cli(['check'], { DATABASE_URL: tlsUrl(`?sslmode=verify-ca&sslrootcert=${encodeURIComponent(ca)}`) })).toEqual({
      code: 0,
      stdout: CHECK_OK,
      stderr: '',
    });
    expect(await cli(['check'], { DATABASE_URL: tlsUrl(''), PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca })).toEqual({
      code: 0,
      stdout: CHECK_OK,
      stderr: '',
    });
  });

  it('verify-full without the root certificate refuses the server (exit 4)', async () => {
    expect(await cli(['check'], { DATABASE_URL: tlsUrl('?sslmode=verify-full') })).toEqual({
      code: 4,
      stdout: '',
      stderr: `canonical-tests: database unreachable at ${shown('?sslmode=verify-full')}: the server's TLS certificate was refused (unable to verify the first certificate; UNABLE_TO_VERIFY_LEAF_SIGNATURE): give the root certificate of its authority in sslrootcert or PGSSLROOTCERT\n`,
    });
  });

  it('a mode it cannot honour, or verify-ca without a root certificate, is a usage error naming where it came from', async () => {
    expect(await cli(['check'], { DATABASE_URL: tlsUrl(''), PGSSLMODE: 'prefer' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'canonical-tests: PGSSLMODE: "prefer" is not supported: use disable, require, verify-ca, verify-full\n',
    });
    expect(await cli(['check'], { DATABASE_URL: tlsUrl('?sslmode=verify-ca') })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'canonical-tests: DATABASE_URL (sslmode): verify-ca needs the root certificate of your certificate authority: set sslrootcert or PGSSLROOTCERT\n',
    });
    const missing = join(cwd, 'no-such-ca.crt');
    expect(await cli(['check'], { DATABASE_URL: tlsUrl('?sslmode=verify-full'), PGSSLROOTCERT: missing })).toEqual({
      code: 2,
      stdout: '',
      stderr: `canonical-tests: PGSSLROOTCERT: cannot read ${missing}: ENOENT\n`,
    });
  });

  it('a server without TLS, when sslmode asks for it, is exit 4 saying so', async () => {
    // Answers PostgreSQL's SSLRequest with 'N' (no TLS here), as a server without ssl = on does.
    const noTls: Server = createServer((socket) => {
      socket.once('data', () => socket.end('N'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => noTls.listen(0, '127.0.0.1', resolve));
    const address = noTls.address();
    const noTlsPort = typeof address === 'object' && address ? address.port : 0;
    try {
      const target = `postgres://someone@127.0.0.1:${noTlsPort}/db?sslmode=require`;
      expect(await cli(['check'], { DATABASE_URL: target })).toEqual({
        code: 4,
        stdout: '',
        stderr: `canonical-tests: database unreachable at ${target}: the server does not accept TLS, but sslmode (in DATABASE_URL or PGSSLMODE) asks for it: enable TLS on the server, or use sslmode=disable on a network you trust\n`,
      });
    } finally {
      await new Promise((resolve) => noTls.close(resolve));
    }
  });
});

it('no file of the fixtures is missing', () => {
  for (const file of ['ca.crt', 'server.crt', 'server.key']) expect(existsSync(join(TLS, file))).toBe(true);
});
