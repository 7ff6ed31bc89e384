import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { ManualClock } from '../../src/clock.js';
import { CosmosStore, DELIVERIES_CONTAINER, type CosmosStoreOptions } from '../../src/store/cosmos-store.js';
import { RECORD_KINDS, StoreUnavailableError } from '../../src/store/store.js';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server.js';
import { CONTRACT_DELIVERY_TTL_MS, delivery, storeContract } from './contract.js';

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

  function storeOptions(clock: ManualClock, databaseId: string, overrides: Partial<CosmosStoreOptions> = {}): CosmosStoreOptions {
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
  function open(clock: ManualClock): { store: CosmosStore; databaseId: string; cleanup(): Promise<void> } {
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

  async function rawDelivery(databaseId: string, id: string): Promise<Record<string, unknown> | undefined> {
    const { resource } = await admin.database(databaseId).container(DELIVERIES_CONTAINER).item(id, id).read();
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
        assert.deepEqual(a.filter((key) => new Set(b).has(key)), [], 'no item is claimed by both');
        assert.equal(a.length + b.length, 200);
        assert.deepEqual([...new Set([...a, ...b])].sort(), [...keys].sort(), 'every item is claimed');
        assert.ok(a.length > 0 && b.length > 0, 'both replicas took part');
        for (const key of keys) {
          const item = await store.getDelivery(key);
          assert.equal(item?.leaseOwner, inA.has(key) ? 'replica-a' : 'replica-b', `${key} is leased by whoever got it`);
        }
        assert.deepEqual(await store.inboxCounts(), { pending: 0, processing: 200, done: 0, failed: 0 });
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
      assert.equal(pending.ttl, undefined, 'a pending delivery must never be deleted by the server');
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

    it('gives expiring records a server ttl in their kind\'s container, partitioned by /partition', async function () {
      await store.putRecord({ kind: 'echo', tenantId: 't', partition: 'o/r|#1', id: 'e1', data: {}, expiresAt: clock.now() + 90_500 });
      await store.putRecord({ kind: 'chain', tenantId: 't', partition: 't', id: 'c1', data: {} });
      const echo = (await admin.database(databaseId).container('echo').item('e1', 'o/r|#1').read()).resource;
      assert.equal(echo?.ttl, 91, 'rounded up, so the server never deletes before reads call it expired');
      const chain = (await admin.database(databaseId).container('chain').item('c1', 't').read()).resource;
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
      await database.containers.create({ id: DELIVERIES_CONTAINER, partitionKey: { paths: ['/id'] } });
      assert.equal((await database.container(DELIVERIES_CONTAINER).read()).resource?.defaultTtl, undefined);
      await store.init();
      assert.equal((await database.container(DELIVERIES_CONTAINER).read()).resource?.defaultTtl, -1);
    });

    it('init() refuses a deliveries container partitioned by something else', async function () {
      const database = admin.database(databaseId);
      await database.container(DELIVERIES_CONTAINER).delete();
      await database.containers.create({ id: DELIVERIES_CONTAINER, partitionKey: { paths: ['/tenantId'] }, defaultTtl: -1 });
      await assert.rejects(store.init(), /partitioned by \/tenantId, but Reynolds needs \/id/);
    });

    it('stores keys with characters Cosmos ids forbid, and gives them back unchanged', async function () {
      const d = delivery({ key: 'hook-1:a/b\\c?d#e%2F' });
      assert.equal(await store.acceptDelivery(d), 'accepted');
      assert.equal(await store.acceptDelivery(d), 'duplicate');
      assert.equal(await store.acceptDelivery({ ...d, key: 'hook-1:a%2Fb\\c?d#e%2F' }), 'accepted', 'escaping stays one-to-one');
      assert.equal((await store.getDelivery(d.key))?.key, d.key);
      const claimedKeys = (await store.claimInbox({ owner: 'w', limit: 10, leaseMs: 1000 })).map((i) => i.key);
      assert.deepEqual(claimedKeys, [d.key, 'hook-1:a%2Fb\\c?d#e%2F']);
      await store.completeInbox(d.key, 'w');
      assert.equal((await store.getDelivery(d.key))?.status, 'done');
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
        await assert.rejects(store.claimInbox({ owner: 'w', limit: 1, leaseMs: 1000 }), StoreUnavailableError);
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
