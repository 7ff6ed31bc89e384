/**
 * Reynolds as src/index.ts starts it (src/composition/start-reynolds.ts), but without the inbox worker: `bench/intake/run.ts
 * --no-worker` uses it to measure intake alone (HTTP + verify + store write), which separates the
 * cost of accepting from the cost of processing that shares the same event loop in production.
 *
 * BENCH_REYNOLDS_SRC names the folder holding composition/start-reynolds.js and config.js: the TypeScript sources (via tsx)
 * or a tsc build (for --profile, so the profile has real line numbers).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import './orphan-guard.js';
import type * as StartModule from '../../src/composition/start-reynolds.js';
import type * as ConfigModule from '../../src/config.js';

const src = process.env.BENCH_REYNOLDS_SRC ?? path.resolve(import.meta.dirname, '../../src');
const { startReynolds } = (await import(
  pathToFileURL(path.join(src, 'composition/start-reynolds.js')).href
)) as typeof StartModule;
const { loadConfig } = (await import(
  pathToFileURL(path.join(src, 'config.js')).href
)) as typeof ConfigModule;

const reynolds = await startReynolds(loadConfig(), { worker: false });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    reynolds.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
