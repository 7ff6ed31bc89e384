import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { ManualClock } from '../../../src/core/clock.js';
import {
  BODIES_CONTAINER,
  MAX_DOCUMENT_BYTES,
  ORPHAN_GRACE_MS,
} from '../../../src/store/cosmos/cosmos-bodies.js';
import {
  CosmosStore,
  DELIVERIES_CONTAINER,
  type CosmosStoreOptions,
} from '../../../src/store/cosmos/cosmos-store.js';
import { RECORD_KINDS, StoreUnavailableError } from '../../../src/store/store.js';
import { type DeliveryInput } from '../../../src/core/inbox-item.js';
import { startCosmosServer, type CosmosTestServer } from '../../support/cosmos-server.js';
import { mulberry32 } from '../../support/prng.js';
import { CONTRACT_DELIVERY_TTL_MS, delivery, storeContract } from '../contract.js';

describe('CosmosStore', function () {
  let server: CosmosTestServer;
  /** A client of its own, to look at raw documents and containers the way an operator would. */
  let admin: CosmosClient;
  let databases = 0;

  before(async function () {
    server = await startCosmosServer();
    admin = new CosmosClient({
      endpoint: server.endpoint,
      key: server.key,
      agent: new https.Agent({ rejectUnauthorized: false }),
      connectionPolicy: { enableEndpointDiscovery: false },
    });
  });

  after(async function () {
    admin?.dispose();
    await server?.stop();
  });

  function storeOptions(
    clock: ManualClock,
    databaseId: string,
    overrides: Partial<CosmosStoreOptions> = {},
  ): CosmosStoreOptions {
    return {
      endpoint: server.endpoint,
      key: server.key,
      databaseId,
      clock,
      deliveryTtlMs: CONTRACT_DELIVERY_TTL_MS,
      allowInsecureTls: true,
      requestTimeoutMs: 2000,
      ...overrides,
    };
  }

  /** A store on a database of its own; cleanup drops the database so big test bodies do not pile up. */
  function open(clock: ManualClock): {
    store: CosmosStore;
    databaseId: string;
    cleanup(): Promise<void>;
  } {
    databases += 1;
    const databaseId = `reynolds-test-${databases}`;
    return {
      store: new CosmosStore(storeOptions(clock, databaseId)),
      databaseId,
      cleanup: async () => {
        await admin.database(databaseId).delete();
      },
    };
  }

  async function rawDelivery(
    databaseId: string,
    id: string,
  ): Promise<Record<string, unknown> | undefined> {
    const { resource } = await admin
      .database(databaseId)
      .container(DELIVERIES_CONTAINER)
      .item(id, id)
      .read();
    return resource as Record<string, unknown> | undefined;
  }

  storeContract('cosmos', async (clock) => {
    const { store, cleanup } = open(clock);
    return { store, cleanup };
  });

  describe('on Cosmos specifically', function () {
    let clock: ManualClock;
    let store: CosmosStore;
    let databaseId: string;
    let cleanup: () => Promise<void>;

    beforeEach(async function () {
      clock = new ManualClock(Date.UTC(2026, 0, 1));
      ({ store, databaseId, cleanup } = open(clock));
      await store.init();
    });

    afterEach(async function () {
      await store.close();
      await cleanup();
    });

    it('never hands one item to two replicas claiming at the same time', async function () {
      // A second client on the same database: what a second Reynolds replica is.
      const replica = new CosmosStore(storeOptions(clock, databaseId));
      try {
        const keys: string[] = [];
        for (let i = 0; i < 200; i += 1) {
          const d = delivery();
          keys.push(d.key);
          assert.equal(await (i % 2 ? replica : store).acceptDelivery(d), 'accepted');
        }
        const drain = async (s: CosmosStore, owner: string) => {
          const got: string[] = [];
          for (;;) {
            const batch = await s.claimInbox({ owner, limit: 7, leaseMs: 60_000 });
            if (batch.length === 0) return got;
            for (const item of batch) {
              assert.equal(item.attempts, 1, `${item.key} was claimed more than once`);
              got.push(item.key);
            }
          }
        };
        const [a, b] = await Promise.all([drain(store, 'replica-a'), drain(replica, 'replica-b')]);
        const inA = new Set(a);
        assert.deepEqual(
          a.filter((key) => new Set(b).has(key)),
          [],
          'no item is claimed by both',
        );
        assert.equal(a.length + b.length, 200);
        assert.deepEqual(
          [...new Set([...a, ...b])].sort(),
          [...keys].sort(),
          'every item is claimed',
        );
        assert.ok(a.length > 0 && b.length > 0, 'both replicas took part');
        for (const key of keys) {
          const item = await store.getDelivery(key);
          assert.equal(
            item?.leaseOwner,
            inA.has(key) ? 'replica-a' : 'replica-b',
            `${key} is leased by whoever got it`,
          );
        }
        assert.deepEqual(await store.inboxCounts(), {
          pending: 0,
          processing: 200,
          done: 0,
          failed: 0,
        });
      } finally {
        await replica.close();
      }
    });

    it('sets ttl on the raw document only once it is done, and never while pending or parked', async function () {
      const [kept, parkedOne] = [delivery(), delivery()];
      await store.acceptDelivery(kept);
      await store.acceptDelivery(parkedOne);
      const pending = await rawDelivery(databaseId, kept.key);
      assert.ok(pending);
      assert.equal(
        pending.ttl,
        undefined,
        'a pending delivery must never be deleted by the server',
      );
      assert.equal(pending.expiresAt, null);

      await store.claimInbox({ owner: 'w', limit: 2, leaseMs: 60_000 });
      await store.completeInbox(kept.key, 'w');
      await store.parkInbox(parkedOne.key, 'w', 'gave up');

      const done = await rawDelivery(databaseId, kept.key);
      assert.equal(done?.ttl, CONTRACT_DELIVERY_TTL_MS / 1000);
      assert.equal(done?.expiresAt, clock.now() + CONTRACT_DELIVERY_TTL_MS);
      assert.equal(done?.body, null);
      const parked = await rawDelivery(databaseId, parkedOne.key);
      assert.equal(parked?.ttl, undefined, 'a parked delivery waits for an operator');
      assert.equal(parked?.expiresAt, null);
    });

    it("gives expiring records a server ttl in their kind's container, partitioned by /partition", async function () {
      await store.putRecord({
        kind: 'echo',
        tenantId: 't',
        partition: 'o/r|#1',
        id: 'e1',
        data: {},
        expiresAt: clock.now() + 90_500,
      });
      await store.putRecord({ kind: 'chain', tenantId: 't', partition: 't', id: 'c1', data: {} });
      const echo = (await admin.database(databaseId).container('echo').item('e1', 'o/r|#1').read())
        .resource;
      assert.equal(
        echo?.ttl,
        91,
        'rounded up, so the server never deletes before reads call it expired',
      );
      const chain = (await admin.database(databaseId).container('chain').item('c1', 't').read())
        .resource;
      assert.ok(chain);
      assert.equal(chain.ttl, undefined);
    });

    it('init() is idempotent and turns TTL on for every container it owns', async function () {
      await store.init();
      await store.init();
      const database = admin.database(databaseId);
      const deliveries = (await database.container(DELIVERIES_CONTAINER).read()).resource;
      assert.equal(deliveries?.defaultTtl, -1);
      assert.deepEqual(deliveries?.partitionKey?.paths, ['/id']);
      for (const kind of RECORD_KINDS) {
        const container = (await database.container(kind).read()).resource;
        assert.equal(container?.defaultTtl, -1, kind);
        assert.deepEqual(container?.partitionKey?.paths, ['/partition'], kind);
      }
    });

    it('init() succeeds on every replica when several start at once on an empty account', async function () {
      const fresh = `${databaseId}-fresh`;
      const replicas = [1, 2, 3].map(() => new CosmosStore(storeOptions(clock, fresh)));
      try {
        await Promise.all(replicas.map((replica) => replica.init()));
        for (const replica of replicas) await replica.ping();
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
        await admin.database(fresh).delete();
      }
    });

    it('init() turns TTL on in a container someone created without it', async function () {
      const database = admin.database(databaseId);
      await database.container(DELIVERIES_CONTAINER).delete();
      await database.containers.create({
        id: DELIVERIES_CONTAINER,
        partitionKey: { paths: ['/id'] },
      });
      assert.equal(
        (await database.container(DELIVERIES_CONTAINER).read()).resource?.defaultTtl,
        undefined,
      );
      await store.init();
      assert.equal(
        (await database.container(DELIVERIES_CONTAINER).read()).resource?.defaultTtl,
        -1,
      );
    });

    it('init() refuses a deliveries container partitioned by something else', async function () {
      const database = admin.database(databaseId);
      await database.container(DELIVERIES_CONTAINER).delete();
      await database.containers.create({
        id: DELIVERIES_CONTAINER,
        partitionKey: { paths: ['/tenantId'] },
        defaultTtl: -1,
      });
      await assert.rejects(store.init(), /partitioned by \/tenantId, but Reynolds needs \/id/);
    });

    it('stores keys with characters Cosmos ids forbid, and gives them back unchanged', async function () {
      const d = delivery({ key: 'hook-1:a/b\\c?d#e%2F' });
      assert.equal(await store.acceptDelivery(d), 'accepted');
      assert.equal(await store.acceptDelivery(d), 'duplicate');
      assert.equal(
        await store.acceptDelivery({ ...d, key: 'hook-1:a%2Fb\\c?d#e%2F' }),
        'accepted',
        'escaping stays one-to-one',
      );
      assert.equal((await store.getDelivery(d.key))?.key, d.key);
      const claimedKeys = (await store.claimInbox({ owner: 'w', limit: 10, leaseMs: 1000 })).map(
        (i) => i.key,
      );
      assert.deepEqual(claimedKeys, [d.key, 'hook-1:a%2Fb\\c?d#e%2F']);
      await store.completeInbox(d.key, 'w');
      assert.equal((await store.getDelivery(d.key))?.status, 'done');
    });
  });

  describe('large bodies', function () {
    let clock: ManualClock;
    let store: CosmosStore;
    let databaseId: string;
    let cleanup: () => Promise<void>;

    beforeEach(async function () {
      clock = new ManualClock(Date.UTC(2026, 0, 1));
      ({ store, databaseId, cleanup } = open(clock));
      await store.init();
    });

    afterEach(async function () {
      await store.close();
      await cleanup();
    });

    type RawChunk = { id: string; partition: string; n: number; writtenAt: number; _etag: string };

    /** Chunk metadata (not the payload slices), in a stable order. */
    async function rawChunks(): Promise<RawChunk[]> {
      const { resources } = await admin
        .database(databaseId)
        .container(BODIES_CONTAINER)
        .items.query<RawChunk>('SELECT c.id, c.partition, c.n, c.writtenAt, c._etag FROM c')
        .fetchAll();
      return resources.sort((a, b) => a.partition.localeCompare(b.partition) || a.n - b.n);
    }

    /**
     * The largest raw document in any container of the database, in UTF-8 bytes of its JSON with
     * system properties: what Cosmos measures against its 2 MB limit (at least `.length`).
     */
    async function largestRawDocument(): Promise<{ container: string; id: string; bytes: number }> {
      const database = admin.database(databaseId);
      const { resources: containers } = await database.containers.readAll().fetchAll();
      let largest = { container: '', id: '', bytes: 0 };
      for (const { id: container } of containers) {
        const { resources } = await database
          .container(container)
          .items.query<{ id: string }>('SELECT * FROM c')
          .fetchAll();
        for (const doc of resources) {
          const bytes = Buffer.byteLength(JSON.stringify(doc), 'utf8');
          if (bytes > largest.bytes) largest = { container, id: doc.id, bytes };
        }
      }
      return largest;
    }

    async function assertNoDocumentOverTheCap(): Promise<void> {
      const largest = await largestRawDocument();
      assert.ok(
        largest.bytes <= MAX_DOCUMENT_BYTES,
        `${largest.container}/${largest.id} is ${largest.bytes} bytes, over ${MAX_DOCUMENT_BYTES}`,
      );
    }

    /** Compared with ===: assert.equal on two 25 MB strings would try to print a diff of them. */
    function assertSameBody(
      actual: string | null | undefined,
      expected: string,
      what: string,
    ): void {
      assert.ok(
        actual === expected,
        `${what}: got ${actual?.length ?? actual} characters, expected ${expected.length}, not identical`,
      );
    }

    async function acceptLarge(body: string): Promise<DeliveryInput> {
      const d = delivery({ event: 'push', action: undefined, body });
      assert.equal(await store.acceptDelivery(d), 'accepted');
      return d;
    }

    it('keeps a 3 MB push payload byte for byte, in chunks, with no document over the cap', async function () {
      const body = pushPayload(3 * MB, mulberry32(1), 'repetitive');
      const d = await acceptLarge(body);

      const raw = await rawDelivery(databaseId, d.key);
      assert.equal(raw?.body, null, 'the payload is not inline');
      assert.equal(raw?.bodyEncoding, 'gzip-base64');
      const chunks = await rawChunks();
      assert.equal(raw?.bodyChunks, chunks.length);
      assert.deepEqual(
        chunks.map((c) => c.id),
        chunks.map((_, n) => `${d.key}:${n}`),
      );
      assert.ok(chunks.every((c) => c.partition === d.key));
      await assertNoDocumentOverTheCap();

      assertSameBody((await store.getDelivery(d.key))?.body, body, 'getDelivery');
      const [claimed] = await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      assert.equal(claimed?.key, d.key);
      assertSameBody(claimed?.body, body, 'claimInbox');
    });

    it('keeps a 25 MB payload of random-ish content, across several chunks, with no document over the cap', async function () {
      const body = pushPayload(25 * MB, mulberry32(25), 'random');
      assert.ok(Buffer.byteLength(body) >= 25 * MB);
      const d = await acceptLarge(body);

      const raw = await rawDelivery(databaseId, d.key);
      assert.equal(raw?.body, null);
      assert.ok(
        typeof raw?.bodyChunks === 'number' && raw.bodyChunks > 1,
        `${String(raw?.bodyChunks)} chunks: compression alone must not be enough here`,
      );
      assert.equal((await rawChunks()).length, raw.bodyChunks);
      await assertNoDocumentOverTheCap();

      assertSameBody((await store.getDelivery(d.key))?.body, body, 'getDelivery');
      const [claimed] = await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      assertSameBody(claimed?.body, body, 'claimInbox');
    });

    it('keeps a body that fits inline in the delivery document, with no chunks', async function () {
      const body = pushPayload(MB, mulberry32(2), 'random');
      const d = await acceptLarge(body);
      const raw = await rawDelivery(databaseId, d.key);
      assertSameBody(raw?.body as string | undefined, body, 'the raw document');
      assert.equal(raw?.bodyChunks, null);
      assert.deepEqual(await rawChunks(), []);
      assertSameBody((await store.getDelivery(d.key))?.body, body, 'getDelivery');
    });

    it('answers a duplicate of a large delivery as a duplicate, without rewriting or replacing its chunks', async function () {
      const body = pushPayload(5 * MB, mulberry32(3), 'random');
      const d = await acceptLarge(body);
      const before = await rawChunks();
      assert.ok(before.length > 1);

      clock.advance(1000);
      assert.equal(await store.acceptDelivery(d), 'duplicate');
      assert.equal(
        await store.acceptDelivery({ ...d, body: pushPayload(4 * MB, mulberry32(4), 'random') }),
        'duplicate',
      );
      assert.deepEqual(await rawChunks(), before, 'same chunks, same etags');
      assertSameBody((await store.getDelivery(d.key))?.body, body, 'the first body is kept');
    });

    it('deletes the chunks when the item completes, and keeps them while it is retried or parked', async function () {
      const [done, parkedOne] = [
        await acceptLarge(pushPayload(3 * MB, mulberry32(5), 'random')),
        await acceptLarge(pushPayload(3 * MB, mulberry32(6), 'random')),
      ];
      const partitions = async () =>
        [...new Set((await rawChunks()).map((c) => c.partition))].sort();
      assert.deepEqual(await partitions(), [done.key, parkedOne.key].sort());

      await store.claimInbox({ owner: 'w', limit: 2, leaseMs: 60_000 });
      await store.retryInbox(done.key, 'w', 'boom', clock.now());
      await store.parkInbox(parkedOne.key, 'w', 'gave up');
      assert.deepEqual(
        await partitions(),
        [done.key, parkedOne.key].sort(),
        'retrying or parking keeps the body',
      );
      await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      await store.completeInbox(done.key, 'w');

      assert.deepEqual(
        await partitions(),
        [parkedOne.key],
        'only the completed item lost its chunks',
      );
      const raw = await rawDelivery(databaseId, done.key);
      assert.equal(raw?.status, 'done');
      assert.equal(raw?.bodyChunks, null);
      assert.equal((await store.getDelivery(done.key))?.body, null);

      clock.advance(365 * 24 * 3600 * 1000);
      await store.sweepExpired();
      const [failed] = await store.listFailed(10);
      assert.equal(failed?.key, parkedOne.key);
      assertSameBody(failed?.body, parkedOne.body, 'a parked item keeps its body for good');
    });

    it('sweeps chunks no delivery needs once the grace has passed, and only those', async function () {
      const kept = await acceptLarge(pushPayload(3 * MB, mulberry32(7), 'random'));
      // Done, but its cleanup "failed": its chunks are put back as they were.
      const done = await acceptLarge(pushPayload(3 * MB, mulberry32(8), 'random'));
      const doneChunks = (await rawChunks()).filter((c) => c.partition === done.key);
      const fullChunks = await Promise.all(
        doneChunks.map(
          async (c) =>
            (
              await admin
                .database(databaseId)
                .container(BODIES_CONTAINER)
                .item(c.id, c.partition)
                .read()
            ).resource,
        ),
      );
      assert.deepEqual(
        (await store.claimInbox({ owner: 'w', limit: 2, leaseMs: 60_000 })).map((i) => i.key),
        [kept.key, done.key],
      );
      await store.completeInbox(done.key, 'w');
      for (const chunk of fullChunks)
        await admin.database(databaseId).container(BODIES_CONTAINER).items.create(chunk);
      // Intake wrote the chunks, then failed to create the delivery.
      const abandoned = await acceptLarge(pushPayload(3 * MB, mulberry32(9), 'random'));
      await admin
        .database(databaseId)
        .container(DELIVERIES_CONTAINER)
        .item(abandoned.key, abandoned.key)
        .delete();

      const orphans =
        doneChunks.length + (await rawChunks()).filter((c) => c.partition === abandoned.key).length;
      assert.equal(
        await store.sweepExpired(),
        0,
        'nothing is an orphan within the grace: intake may be between its two writes',
      );
      clock.advance(ORPHAN_GRACE_MS);
      assert.equal(await store.sweepExpired(), orphans);
      assert.deepEqual(
        [...new Set((await rawChunks()).map((c) => c.partition))],
        [kept.key],
        'the pending item keeps its chunks',
      );
      assertSameBody((await store.getDelivery(kept.key))?.body, kept.body, 'and its body');
    });

    it('fails reads of a body with a missing or damaged chunk, retries the claim after the lease, then parks it', async function () {
      const broken = await acceptLarge(pushPayload(5 * MB, mulberry32(10), 'random'));
      const fine = delivery();
      await store.acceptDelivery(fine);
      const bodies = admin.database(databaseId).container(BODIES_CONTAINER);
      const count = (await rawChunks()).length;
      assert.ok(count > 1);
      await bodies.item(`${broken.key}:1`, broken.key).delete();

      const missing = new RegExp(
        `body of delivery ${broken.key} cannot be reassembled: chunk 1 of ${count} is missing from delivery_bodies`,
      );
      await assert.rejects(store.getDelivery(broken.key), missing);

      const leaseMs = 60_000;
      const claimed = await store.claimInbox({ owner: 'w', limit: 10, leaseMs });
      assert.deepEqual(
        claimed.map((i) => i.key),
        [fine.key],
        'the broken item is not handed out, and does not hold up the rest',
      );
      await store.completeInbox(fine.key, 'w');
      let raw = await rawDelivery(databaseId, broken.key);
      assert.equal(raw?.status, 'pending');
      assert.equal(raw?.attempts, 1);
      assert.equal(raw?.nextAttemptAt, clock.now() + leaseMs);
      assert.match(String(raw?.lastError), missing);
      assert.deepEqual(
        await store.claimInbox({ owner: 'w', limit: 10, leaseMs }),
        [],
        'not before the lease would have run out',
      );

      for (const attempt of [2, 3]) {
        clock.advance(leaseMs);
        assert.deepEqual(await store.claimInbox({ owner: 'w', limit: 10, leaseMs }), []);
        raw = await rawDelivery(databaseId, broken.key);
        assert.equal(raw?.attempts, attempt);
      }
      assert.equal(raw?.status, 'failed', 'parked after the third attempt');
      assert.match(String(raw?.lastError), missing);
      assert.equal(raw?.bodyChunks, count, 'the chunk reference is kept for an operator');
      await assert.rejects(store.listFailed(10), missing);

      // A chunk that is there but damaged is caught too (gzip's CRC), not handed out garbled.
      const damaged = await acceptLarge(pushPayload(3 * MB, mulberry32(11), 'random'));
      const chunk = (await bodies.item(`${damaged.key}:0`, damaged.key).read<{ body: string }>())
        .resource;
      assert.ok(chunk);
      const middle = chunk.body.length >> 1;
      await bodies.item(`${damaged.key}:0`, damaged.key).replace({
        ...chunk,
        body:
          chunk.body.slice(0, middle) +
          (chunk.body[middle] === 'A' ? 'B' : 'A') +
          chunk.body.slice(middle + 1),
      });
      await assert.rejects(
        store.getDelivery(damaged.key),
        /cannot be reassembled: its \d+ chunks? do not decode/,
      );
    });

    it('init() creates the body container partitioned by /partition, with TTL on', async function () {
      const container = (await admin.database(databaseId).container(BODIES_CONTAINER).read())
        .resource;
      assert.equal(container?.defaultTtl, -1);
      assert.deepEqual(container?.partitionKey?.paths, ['/partition']);
    });
  });

  describe('when Cosmos cannot be reached', function () {
    it('rejects with StoreUnavailableError within a few seconds once the server is gone', async function () {
      const own = await startCosmosServer();
      const store = new CosmosStore({
        endpoint: own.endpoint,
        key: own.key,
        databaseId: 'reynolds-dead',
        clock: new ManualClock(),
        deliveryTtlMs: 1000,
        allowInsecureTls: true,
        requestTimeoutMs: 1000,
      });
      try {
        await store.init();
        assert.equal(await store.acceptDelivery(delivery()), 'accepted');
        await own.stop();
        const started = Date.now();
        await assert.rejects(store.acceptDelivery(delivery()), (error: Error) => {
          assert.ok(error instanceof StoreUnavailableError, `${error.name}: ${error.message}`);
          assert.match(error.message, /COSMOS_ENDPOINT/);
          assert.match(error.message, /COSMOS_KEY/);
          return true;
        });
        await assert.rejects(store.ping(), StoreUnavailableError);
        await assert.rejects(
          store.claimInbox({ owner: 'w', limit: 1, leaseMs: 1000 }),
          StoreUnavailableError,
        );
        assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      } finally {
        await store.close();
        await own.stop();
      }
    });

    it('gives up on a server that accepts connections but never answers within the request timeout', async function () {
      const sockets = new Set<net.Socket>();
      const blackHole = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
      const { port } = blackHole.address() as net.AddressInfo;
      const store = new CosmosStore({
        endpoint: `https://127.0.0.1:${port}/`,
        key: server.key,
        databaseId: 'reynolds-hung',
        clock: new ManualClock(),
        deliveryTtlMs: 1000,
        allowInsecureTls: true,
        requestTimeoutMs: 500,
      });
      try {
        const started = Date.now();
        await assert.rejects(store.acceptDelivery(delivery()), (error: Error) => {
          assert.ok(error instanceof StoreUnavailableError, `${error.name}: ${error.message}`);
          assert.match(error.message, /timed out/);
          return true;
        });
        await assert.rejects(store.ping(), StoreUnavailableError);
        assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      } finally {
        await store.close();
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => blackHole.close(() => resolve()));
      }
    });

    it('explains a certificate it cannot verify instead of calling it a crash', async function () {
      const store = new CosmosStore({
        endpoint: server.endpoint,
        key: server.key,
        databaseId: 'reynolds-tls',
        clock: new ManualClock(),
        deliveryTtlMs: 1000,
        requestTimeoutMs: 1000,
      });
      try {
        await assert.rejects(store.ping(), (error: Error) => {
          assert.ok(error instanceof StoreUnavailableError, `${error.name}: ${error.message}`);
          assert.match(error.message, /TLS error/);
          return true;
        });
      } finally {
        await store.close();
      }
    });
  });
});

const MB = 1024 * 1024;

const WORDS = [
  'fix',
  'add',
  'refactor',
  'bump',
  'parser',
  'webhook',
  'retry',
  'lease',
  'cosmos',
  'chunk',
  'test',
  'docs',
  'ünïcødé',
  'naïve',
  'café',
  '✓',
  '🚀',
  'the',
  'of',
  'and',
];

/**
 * A push payload of at least `bytes` UTF-8 bytes, as JSON: a huge `commits` array. 'repetitive'
 * commits share their messages and files (realistic; gzip shrinks them several-fold, so the body
 * still has to be chunked, into one chunk); 'random' ones carry random words and hashes, which
 * compress far less, so a big one needs several chunks. Non-ASCII text checks the bytes survive.
 */
function pushPayload(bytes: number, random: () => number, kind: 'repetitive' | 'random'): string {
  const hex = (length: number) =>
    Array.from({ length }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
  const words = (count: number) =>
    Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const author = { name: 'Zoë Ünïcødé', email: 'zoe@example.com', username: 'zoe' };
  const commits: object[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const id = hex(40);
    const commit = {
      id,
      tree_id: hex(40),
      distinct: true,
      message:
        kind === 'random'
          ? `${words(12)}\n\n${hex(200)} ${words(40)}`
          : `Fix the flaky retry test (#${i % 50})\n\nThe lease ran out before the worker finished.`,
      timestamp: '2026-01-01T00:00:00Z',
      url: `https://github.com/octo-org/octo-repo/commit/${id}`,
      author,
      committer: author,
      added: kind === 'random' ? [`src/${hex(8)}/${words(1)}.ts`] : ['src/store/cosmos-bodies.ts'],
      removed: [],
      modified:
        kind === 'random'
          ? [`src/${hex(8)}.ts`, `tests/${hex(8)}.test.ts`]
          : ['src/store/cosmos-store.ts', 'tests/store/cosmos-store.test.ts'],
    };
    commits.push(commit);
    size += Buffer.byteLength(JSON.stringify(commit)) + 1;
  }
  return JSON.stringify({
    ref: 'refs/heads/main',
    before: hex(40),
    after: hex(40),
    repository: { full_name: 'octo-org/octo-repo' },
    pusher: author,
    commits,
    head_commit: commits.at(-1),
  });
}
