/**
 * Child process of tests/fuzz/memory.test.ts (run with --expose-gc): starts Reynolds, sends
 * fuzzed webhook requests, and prints heap-after-GC before and after as one JSON line.
 */
import fc from 'fast-check';
import { startTestReynolds } from '../support/reynolds.js';
import { FUZZ_SEED } from './fuzz-settings.js';
import { headersFor, rawPost, webhookRequest } from './webhook-cases.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const warmup = Number(process.argv[2] ?? 500);
const measured = Number(process.argv[3] ?? 3000);

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i += 1) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const reynolds = await startTestReynolds();
const cases = fc.sample(webhookRequest(), { seed: FUZZ_SEED, numRuns: warmup + measured });
let statuses5xx = 0;
const send = async (from: number, to: number) => {
  for (let i = from; i < to; i += 1) {
    const c = cases[i]!;
    const response = await rawPost(
      reynolds.url,
      '/api/github/webhook',
      await headersFor(c),
      c.body,
    );
    if (response.status >= 500) statuses5xx += 1;
  }
};
await send(0, warmup);
await new Promise((resolve) => setTimeout(resolve, 500)); // let the worker catch up
const before = await heapAfterGc();
await send(warmup, warmup + measured);
await new Promise((resolve) => setTimeout(resolve, 500)); // let the worker catch up
const after = await heapAfterGc();
await reynolds.dispose();
console.log(JSON.stringify({ before, after, requests: measured, statuses5xx }));
