/**
 * The SQLite inbox alone, no HTTP: what one delivery costs to accept, to claim and to complete,
 * with the bench's ~21 KB payload and with a tiny one. It isolates the store from run.ts's
 * end-to-end number, so a store change can be judged in seconds.
 *
 *   npx tsx bench/intake/store-micro.ts [--count 20000]
 *
 * Single-threaded and sequential (one accept at a time), like the intake's event loop; the data
 * goes to a temp folder on the same disk as os.tmpdir().
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/core/clock.js';
import { SQLITE_FILE_NAME, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { exampleOf } from '../../tests/support/webhook-examples.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' } } });
const count = Number(values.count);
if (!Number.isInteger(count) || count < 100) {
  console.error('store-micro: --count must be a whole number >= 100');
  process.exit(2);
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
const now = (): number => Number(process.hrtime.bigint()) / 1000;

async function measure(label: string, body: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reynolds-store-micro-'));
  const store = new SqliteStore({
    file: path.join(dir, SQLITE_FILE_NAME),
    clock: systemClock,
    deliveryTtlMs: 24 * 3600 * 1000,
  });
  try {
    await store.init();
    const accept = () =>
      store.acceptDelivery({
        tenantId: 'local',
        key: `hook-1:${randomUUID()}`,
        deliveryId: randomUUID(),
        event: 'pull_request',
        action: 'opened',
        orderingKey: 'Codertocat/Hello-World',
        receivedAt: Date.now(),
        body,
      });
    // Warm up the JIT and the file, then drain so the measured part starts from the same state.
    for (let i = 0; i < 1000; i++) await accept();
    const latencies: number[] = [];
    const t0 = now();
    for (let i = 0; i < count; i++) {
      const start = now();
      await accept();
      latencies.push(now() - start);
    }
    const acceptMean = (now() - t0) / count;
    latencies.sort((a, b) => a - b);

    let claimUs = 0;
    let completeUs = 0;
    let processed = 0;
    for (;;) {
      let start = now();
      const items = await store.claimInbox({ owner: 'micro', limit: 64, leaseMs: 60_000 });
      claimUs += now() - start;
      if (items.length === 0) break;
      start = now();
      for (const item of items) await store.completeInbox(item.key, 'micro');
      completeUs += now() - start;
      processed += items.length;
    }
    console.log(
      `| ${label.padEnd(28)} | ${acceptMean.toFixed(0).padStart(6)} | ${percentile(latencies, 0.5).toFixed(0).padStart(5)} | ${percentile(latencies, 0.999).toFixed(0).padStart(6)} | ` +
        `${(claimUs / processed).toFixed(0).padStart(6)} | ${(completeUs / processed).toFixed(0).padStart(8)} | ${Math.round(
          1e6 / acceptMean,
        )
          .toLocaleString('en-US')
          .padStart(9)} |`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const prBody = JSON.stringify(exampleOf('pull_request', 'opened').payload);
console.log(
  `SQLite inbox, ${count.toLocaleString('en-US')} deliveries, sequential, ${os.tmpdir()} (µs per delivery)`,
);
console.log(
  '| body                         | accept | p50   | p99.9  | claim  | complete | accepts/s |',
);
console.log(
  '|:-----------------------------|-------:|------:|-------:|-------:|---------:|----------:|',
);
await measure(`pull_request.opened, ${(prBody.length / 1024).toFixed(1)} KB`, prBody);
await measure('tiny, 7 bytes', '{"a":1}');
