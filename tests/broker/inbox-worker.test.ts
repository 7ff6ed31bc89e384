import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import {
  InboxWorker,
  MAX_RETRY_DELAY_MS,
  type InboxPipeline,
  type InboxWorkerOptions,
} from '../../src/broker/inbox-worker.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { type InboxItem } from '../../src/core/inbox-item.js';
import { delivery } from '../store/contract.js';

const TTL = 3600_000;

async function memoryStore(clock: ManualClock) {
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: TTL });
  await store.init();
  return store;
}

function worker(
  options: Partial<InboxWorkerOptions> & Pick<InboxWorkerOptions, 'store' | 'pipeline' | 'clock'>,
): InboxWorker {
  return new InboxWorker({
    owner: 'w1',
    concurrency: 4,
    batchSize: 50,
    maxAttempts: 3,
    retryBaseMs: 1000,
    leaseMs: 60_000,
    pollMs: 10,
    random: () => 1,
    ...options,
  });
}

describe('InboxWorker', function () {
  it('processes due items and marks them done', async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    const done: string[] = [];
    const w = worker({
      store,
      clock,
      pipeline: { process: async (item) => void done.push(item.key) },
    });
    const ds = [delivery(), delivery()];
    for (const d of ds) await store.acceptDelivery(d);
    assert.equal(await w.runOnce(), 2);
    assert.deepEqual(done.sort(), ds.map((d) => d.key).sort());
    for (const d of ds) assert.equal((await store.getDelivery(d.key))?.status, 'done');
    assert.equal(await w.runOnce(), 0);
  });

  it('keeps arrival order within a repository and runs repositories side by side', async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const pipeline: InboxPipeline = {
      async process(item) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`${item.orderingKey}:${JSON.parse(item.body!).n}`);
        inFlight -= 1;
      },
    };
    for (let n = 0; n < 5; n += 1) {
      await store.acceptDelivery(delivery({ orderingKey: 'a/a', body: JSON.stringify({ n }) }));
      await store.acceptDelivery(delivery({ orderingKey: 'b/b', body: JSON.stringify({ n }) }));
    }
    await worker({ store, clock, pipeline }).runOnce();
    assert.deepEqual(
      log.filter((l) => l.startsWith('a/a')),
      ['a/a:0', 'a/a:1', 'a/a:2', 'a/a:3', 'a/a:4'],
    );
    assert.deepEqual(
      log.filter((l) => l.startsWith('b/b')),
      ['b/b:0', 'b/b:1', 'b/b:2', 'b/b:3', 'b/b:4'],
    );
    assert.equal(maxInFlight, 2, 'two repositories, two at a time');
  });

  it('retries a failing item with growing backoff, then parks it after maxAttempts, keeping the body', async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    const retries: number[] = [];
    let parked: InboxItem | undefined;
    const w = worker({
      store,
      clock,
      pipeline: { process: async () => Promise.reject(new Error('connector said 500')) },
      observer: {
        onRetry: (_i, _e, delay) => retries.push(delay),
        onParked: (item) => (parked = item),
      },
    });
    const d = delivery();
    await store.acceptDelivery(d);
    assert.equal(await w.runOnce(), 1);
    assert.equal(await w.runOnce(), 0, 'not due again before the backoff');
    clock.advance(retries[0]!);
    assert.equal(await w.runOnce(), 1);
    clock.advance(retries[1]!);
    assert.equal(await w.runOnce(), 1);
    assert.deepEqual(retries, [1000, 2000], 'random() = 1 gives the ceiling: base, then base * 2');
    const item = await store.getDelivery(d.key);
    assert.equal(item?.status, 'failed');
    assert.match(item?.lastError ?? '', /gave up after 3 attempts: Error: connector said 500/);
    assert.equal(item?.body, d.body);
    assert.equal(parked?.key, d.key);
  });

  it('does not spend attempts while the store is down: an outage of any length never parks an item', async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    let outage = true;
    const w = worker({
      store,
      clock,
      pipeline: {
        process: async () => {
          // A stage wraps the store's error, as a stage may.
          if (outage)
            throw new Error('routing failed', {
              cause: new StoreUnavailableError('Cosmos: network error ECONNRESET'),
            });
        },
      },
    });
    const d = delivery();
    await store.acceptDelivery(d);
    for (let round = 0; round < 10; round += 1) {
      assert.equal(await w.runOnce(), 1, `round ${round}: claimed again after the backoff`);
      const item = await store.getDelivery(d.key);
      assert.equal(item?.status, 'pending', 'handed back, not parked');
      assert.equal(item?.attempts, 0, 'the outage used none of its attempts');
      assert.equal(await w.runOnce(), 0, 'not due again before the backoff');
      clock.advance(MAX_RETRY_DELAY_MS);
    }
    outage = false;
    await w.runOnce();
    assert.equal((await store.getDelivery(d.key))?.status, 'done');
  });

  it('parks at once when the error is permanent', async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    const w = worker({
      store,
      clock,
      pipeline: {
        process: async () =>
          Promise.reject(Object.assign(new Error('cannot decode'), { permanent: true })),
      },
    });
    const d = delivery();
    await store.acceptDelivery(d);
    await w.runOnce();
    assert.equal((await store.getDelivery(d.key))?.status, 'failed');
    assert.match((await store.getDelivery(d.key))?.lastError ?? '', /after 1 attempt:/);
  });

  it('bounds the backoff and jitters it', function () {
    const clock = new ManualClock();
    const base = { store: {} as never, clock, pipeline: { process: async () => undefined } };
    assert.equal(worker({ ...base, random: () => 1 }).retryDelay(40), MAX_RETRY_DELAY_MS);
    assert.equal(
      worker({ ...base, random: () => 0 }).retryDelay(3),
      500,
      'never below half the base',
    );
    const mid = worker({ ...base, random: () => 0.5 }).retryDelay(3);
    assert.ok(mid > 500 && mid < 4000);
  });

  it("resumes after a restart: a crashed worker's items are taken over once its lease ends", async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    const d = delivery();
    await store.acceptDelivery(d);
    await store.claimInbox({ owner: 'crashed-process', limit: 10, leaseMs: 60_000 });
    const processed: string[] = [];
    const w = worker({
      store,
      clock,
      owner: 'new-process',
      pipeline: { process: async (i) => void processed.push(i.key) },
    });
    assert.equal(await w.runOnce(), 0);
    clock.advance(60_000);
    assert.equal(await w.runOnce(), 1);
    assert.deepEqual(processed, [d.key]);
    assert.equal((await store.getDelivery(d.key))?.status, 'done');
  });

  it('on stop, finishes the item in flight and hands back the ones not started', async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const w = worker({
      store,
      clock,
      pollMs: 5,
      pipeline: {
        async process(item) {
          started.push(item.key);
          await gate;
        },
      },
    });
    const repo = { orderingKey: 'octo-org/one-repo' };
    const ds = [delivery(repo), delivery(repo), delivery(repo)];
    for (const d of ds) await store.acceptDelivery(d); // same repository: one after another
    w.start();
    while (started.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const stopped = w.stop(5000);
    release();
    await stopped;
    assert.deepEqual(started, [ds[0]!.key]);
    assert.equal((await store.getDelivery(ds[0]!.key))?.status, 'done');
    for (const d of ds.slice(1)) {
      const item = await store.getDelivery(d.key);
      assert.equal(item?.status, 'pending', 'handed back');
      assert.equal(item?.attempts, 0, 'a hand-back is not an attempt');
    }
  });

  it('keeps running when the store fails, and reports it', async function () {
    const clock = new ManualClock();
    const store = await memoryStore(clock);
    const errors: unknown[] = [];
    const w = worker({
      store,
      clock,
      pollMs: 5,
      pipeline: { process: async () => undefined },
      observer: { onWorkerError: (e) => errors.push(e) },
    });
    await store.close(); // every claim now throws StoreUnavailableError
    w.start();
    while (errors.length < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    await w.stop(100);
    assert.ok(errors.length >= 2);
  });
});
