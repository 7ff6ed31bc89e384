/**
 * StoreStorage, the Bot Framework Storage over the Store port: reads what was written (also from a
 * new instance over the same file, as after a restart), honours eTags like MemoryStorage, expires
 * quiet conversations, and keeps keys Cosmos would refuse usable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../../src/core/clock.js';
import { CosmosStore } from '../../../src/store/cosmos/cosmos-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import {
  ChatStateConflictError,
  StoreStorage,
  stateId,
} from '../../../src/teams/chat/store-storage.js';
import { startCosmosServer, type CosmosTestServer } from '../../support/cosmos-server.js';

/** Opens the store under test; called again after close() it must see the same data (a restart). */
type Backend = {
  name: string;
  setUp(): Promise<void>;
  open(clock: ManualClock): Promise<Store>;
  tearDown(): Promise<void>;
  close(): Promise<void>;
};

function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'SQLite',
    async setUp() {
      dir = mkdtempSync(path.join(tmpdir(), 'reynolds-state-'));
    },
    async open(clock) {
      const s = new SqliteStore({
        file: path.join(dir, 'state.db'),
        clock,
        deliveryTtlMs: 3600_000,
      });
      await s.init();
      return s;
    },
    async tearDown() {
      rmSync(dir, { recursive: true, force: true });
    },
    async close() {},
  };
}

function cosmosBackend(): Backend {
  let server: CosmosTestServer | undefined;
  let n = 0;
  let databaseId = '';
  return {
    name: 'Cosmos (cosmosdb-server)',
    async setUp() {
      server ??= await startCosmosServer();
      n += 1;
      databaseId = `chat-state-${n}`;
    },
    async open(clock) {
      const s = new CosmosStore({
        endpoint: server!.endpoint,
        key: server!.key,
        databaseId,
        clock,
        deliveryTtlMs: 3600_000,
        allowInsecureTls: true,
        requestTimeoutMs: 2000,
      });
      await s.init();
      return s;
    },
    async tearDown() {},
    async close() {
      await server?.stop();
    },
  };
}

for (const backend of [sqliteBackend(), cosmosBackend()]) {
  describe(`StoreStorage (chat state in the store): ${backend.name}`, function () {
    this.timeout(20_000);
    let clock: ManualClock;
    let store: Store;
    const open = () => backend.open(clock);

    after(async function () {
      await backend.close();
    });
    const KEY = 'msteams/bot-1/conversations/a:1Xy?z#w\\v';

    beforeEach(async function () {
      await backend.setUp();
      clock = new ManualClock(Date.UTC(2026, 10, 24));
      store = await open();
    });

    afterEach(async function () {
      await store.close();
      await backend.tearDown();
    });

    it('reads back what it wrote, with an eTag, and a restarted store still has it', async function () {
      const storage = new StoreStorage(store, 'tenant-1', clock);
      await storage.write({ [KEY]: { lastReference: 'acme/app#12', nested: { n: 1 } } });
      const read = await storage.read([KEY, 'msteams/bot-1/users/u1']);
      assert.deepEqual(Object.keys(read), [KEY]);
      assert.equal(read[KEY].lastReference, 'acme/app#12');
      assert.equal(typeof read[KEY].eTag, 'string');
      await store.close();
      store = await open();
      const again = await new StoreStorage(store, 'tenant-1', clock).read([KEY]);
      assert.deepEqual(
        { ...again[KEY], eTag: undefined },
        { lastReference: 'acme/app#12', nested: { n: 1 }, eTag: undefined },
      );
    });

    it('writes an item with the current eTag and refuses a stale one', async function () {
      const storage = new StoreStorage(store, 'tenant-1', clock);
      await storage.write({ [KEY]: { v: 1 } });
      const first = (await storage.read([KEY]))[KEY];
      await storage.write({ [KEY]: { ...first, v: 2 } });
      await assert.rejects(storage.write({ [KEY]: { ...first, v: 3 } }), ChatStateConflictError);
      assert.equal((await storage.read([KEY]))[KEY].v, 2);
      await storage.write({ [KEY]: { v: 4, eTag: '*' } });
      assert.equal((await storage.read([KEY]))[KEY].v, 4, '* overwrites');
    });

    it('expires state after the TTL of quiet, and an eTagged write to expired state succeeds', async function () {
      const storage = new StoreStorage(store, 'tenant-1', clock, 60_000);
      await storage.write({ [KEY]: { v: 1 } });
      const read = (await storage.read([KEY]))[KEY];
      clock.advance(60_001);
      assert.deepEqual(await storage.read([KEY]), {});
      await storage.write({ [KEY]: { ...read, v: 2 } });
      assert.equal((await storage.read([KEY]))[KEY].v, 2);
    });

    it('deletes, keeps tenants apart, and makes ids Cosmos accepts', async function () {
      const a = new StoreStorage(store, 'tenant-a', clock);
      const b = new StoreStorage(store, 'tenant-b', clock);
      await a.write({ [KEY]: { who: 'a' } });
      assert.deepEqual(await b.read([KEY]), {});
      await a.delete([KEY]);
      assert.deepEqual(await a.read([KEY]), {});
      for (const key of [KEY, `msteams/bot/conversations/${'x'.repeat(400)}`]) {
        const id = stateId(key);
        assert.doesNotMatch(id, /[/\\?#]/);
        assert.ok(id.length <= 255);
      }
      const long = `msteams/bot/conversations/${'y'.repeat(400)}`;
      await a.write({ [long]: { ok: true } });
      assert.equal((await a.read([long]))[long].ok, true);
    });
  });
}
