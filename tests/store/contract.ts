/**
 * The Store contract: every implementation runs this same suite (sqlite-store.test.ts,
 * cosmos-store.test.ts), so "both stores behave alike" is a test, not a hope.
 */
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import {
  ConflictError,
  LeaseLostError,
  type RecordInput,
  type Store,
} from '../../src/store/store.js';
import { type DeliveryInput } from '../../src/core/inbox-item.js';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import { OrchestrationStage } from '../../src/orchestration/orchestration-stage.js';

export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

/** Every store under test is opened with this delivery TTL, so expiry tests know when to look. */
export const CONTRACT_DELIVERY_TTL_MS = 7 * 24 * 3600 * 1000;

let counter = 0;

export function delivery(overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  counter += 1;
  const deliveryId =
    overrides.deliveryId ?? `d-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    tenantId: 'tenant-a',
    key: `hook-1:${deliveryId}`,
    deliveryId,
    event: 'issues',
    action: 'opened',
    // One repository per delivery unless a test says otherwise: a repository's items are claimed in order.
    orderingKey: `octo-org/repo-${counter}`,
    receivedAt: Date.UTC(2026, 0, 1),
    body: JSON.stringify({ action: 'opened', n: counter }),
    ...overrides,
  };
}

export function storeContract(
  label: string,
  open: (clock: ManualClock) => Promise<OpenedStore>,
): void {
  describe(`Store contract: ${label}`, function () {
    let clock: ManualClock;
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async function () {
      clock = new ManualClock(Date.UTC(2026, 0, 1));
      ({ store, cleanup } = await open(clock));
      await store.init();
    });

    afterEach(async function () {
      await store.close();
      await cleanup();
    });

    it('init() is idempotent and ping() answers', async function () {
      await store.init();
      await store.ping();
    });

    it('accepts a delivery once and reports the second as a duplicate', async function () {
      const d = delivery();
      assert.equal(await store.acceptDelivery(d), 'accepted');
      assert.equal(await store.acceptDelivery(d), 'duplicate');
      assert.equal(await store.acceptDelivery({ ...d, body: '{"different":true}' }), 'duplicate');
      const item = await store.getDelivery(d.key);
      assert.ok(item);
      assert.equal(item.status, 'pending');
      assert.equal(item.body, d.body, 'the first body is kept, not the duplicate');
      assert.equal(item.tenantId, 'tenant-a');
      assert.equal(item.attempts, 0);
    });

    it('treats the same delivery id under another hook as a different delivery', async function () {
      const d = delivery();
      assert.equal(await store.acceptDelivery(d), 'accepted');
      assert.equal(await store.acceptDelivery({ ...d, key: `hook-2:${d.deliveryId}` }), 'accepted');
    });

    it('round-trips every field of an item', async function () {
      const d = delivery({ action: undefined, body: '{"x":"ünïcødé ✓ \\u0000"}' });
      await store.acceptDelivery(d);
      const item = await store.getDelivery(d.key);
      assert.ok(item);
      assert.deepEqual(
        {
          tenantId: item.tenantId,
          key: item.key,
          deliveryId: item.deliveryId,
          event: item.event,
          action: item.action,
          orderingKey: item.orderingKey,
          receivedAt: item.receivedAt,
          body: item.body,
        },
        {
          tenantId: d.tenantId,
          key: d.key,
          deliveryId: d.deliveryId,
          event: d.event,
          action: undefined,
          orderingKey: d.orderingKey,
          receivedAt: d.receivedAt,
          body: d.body,
        },
      );
      assert.equal(await store.getDelivery('hook-1:missing'), undefined);
    });

    it('claims due items oldest first, each once, and counts the attempt', async function () {
      const ds = [delivery(), delivery(), delivery()];
      for (const d of ds) {
        clock.advance(1);
        await store.acceptDelivery({ ...d, receivedAt: clock.now() });
      }
      const first = await store.claimInbox({ owner: 'w1', limit: 2, leaseMs: 60_000 });
      assert.deepEqual(
        first.map((i) => i.key),
        [ds[0]!.key, ds[1]!.key],
      );
      assert.ok(
        first.every((i) => i.status === 'processing' && i.leaseOwner === 'w1' && i.attempts === 1),
      );
      const second = await store.claimInbox({ owner: 'w2', limit: 10, leaseMs: 60_000 });
      assert.deepEqual(
        second.map((i) => i.key),
        [ds[2]!.key],
        'claimed items are not handed out again',
      );
      assert.deepEqual(await store.claimInbox({ owner: 'w3', limit: 10, leaseMs: 60_000 }), []);
      const counts = await store.inboxCounts();
      assert.equal(counts.processing, 3);
      assert.equal(counts.pending, 0);
    });

    it("keeps a repository's order across claimers: while one of its items is leased, its later ones wait", async function () {
      const repo = { orderingKey: 'octo-org/ordered' };
      const ds = [delivery(repo), delivery(repo), delivery(repo), delivery()];
      for (const d of ds) {
        clock.advance(1);
        await store.acceptDelivery({ ...d, receivedAt: clock.now() });
      }
      const first = await store.claimInbox({ owner: 'w1', limit: 1, leaseMs: 60_000 });
      assert.deepEqual(
        first.map((i) => i.key),
        [ds[0]!.key],
      );
      const second = await store.claimInbox({ owner: 'w2', limit: 10, leaseMs: 60_000 });
      assert.deepEqual(
        second.map((i) => i.key),
        [ds[3]!.key],
        'only the other repository: its items wait for the one w1 holds',
      );
      await store.completeInbox(ds[0]!.key, 'w1');
      const third = await store.claimInbox({ owner: 'w2', limit: 10, leaseMs: 60_000 });
      assert.deepEqual(
        third.map((i) => i.key),
        [ds[1]!.key, ds[2]!.key],
        'then the rest, in order, to one claimer',
      );
    });

    it('hands an item over when its lease runs out (its worker died), and the old owner loses it', async function () {
      const d = delivery();
      await store.acceptDelivery(d);
      await store.claimInbox({ owner: 'dead', limit: 10, leaseMs: 1000 });
      assert.deepEqual(
        await store.claimInbox({ owner: 'w2', limit: 10, leaseMs: 1000 }),
        [],
        'not before the lease ends',
      );
      clock.advance(1001);
      const taken = await store.claimInbox({ owner: 'w2', limit: 10, leaseMs: 1000 });
      assert.equal(taken.length, 1);
      assert.equal(taken[0]!.attempts, 2);
      await assert.rejects(store.completeInbox(d.key, 'dead'), LeaseLostError);
      await store.completeInbox(d.key, 'w2');
      assert.equal((await store.getDelivery(d.key))?.status, 'done');
    });

    it('completing drops the body, keeps the dedupe record for the delivery TTL, then expires it', async function () {
      const d = delivery();
      await store.acceptDelivery(d);
      await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 1000 });
      await store.completeInbox(d.key, 'w');
      const done = await store.getDelivery(d.key);
      assert.ok(done);
      assert.equal(done.status, 'done');
      assert.equal(done.body, null);
      assert.equal(done.completedAt, clock.now());
      assert.equal(done.expiresAt, clock.now() + CONTRACT_DELIVERY_TTL_MS);
      assert.equal(done.leaseOwner, undefined);

      clock.advance(CONTRACT_DELIVERY_TTL_MS - 1);
      assert.equal(
        await store.acceptDelivery(d),
        'duplicate',
        'a redelivery within the TTL is still a duplicate',
      );
      clock.advance(1);
      assert.equal(
        await store.getDelivery(d.key),
        undefined,
        'reads are expiry-aware before any sweep',
      );
      assert.equal((await store.inboxCounts()).done, 0);
      assert.equal(
        await store.acceptDelivery(d),
        'accepted',
        'after the TTL the key is free again',
      );
      assert.equal((await store.getDelivery(d.key))?.status, 'pending');
    });

    it('sweeps only expired records', async function () {
      const kept = delivery();
      const expiring = delivery();
      await store.acceptDelivery(kept);
      await store.acceptDelivery(expiring);
      const [first] = await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 1000 });
      assert.equal(first?.key, kept.key);
      await store.completeInbox(kept.key, 'w');
      const [second] = await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 1000 });
      await store.completeInbox(second!.key, 'w');
      clock.advance(1000);
      const third = delivery();
      await store.acceptDelivery(third); // pending: never expires
      assert.equal(await store.sweepExpired(), 0);
      clock.advance(CONTRACT_DELIVERY_TTL_MS - 999);
      assert.equal(await store.sweepExpired(), 2);
      assert.equal(await store.sweepExpired(), 0);
      assert.equal((await store.getDelivery(third.key))?.status, 'pending');
    });

    it('retries with backoff: not due before nextAttemptAt, due after, error kept', async function () {
      const d = delivery();
      await store.acceptDelivery(d);
      await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      await store.retryInbox(d.key, 'w', 'boom: connector said 500', clock.now() + 5000);
      const waiting = await store.getDelivery(d.key);
      assert.equal(waiting?.status, 'pending');
      assert.equal(waiting?.lastError, 'boom: connector said 500');
      assert.equal(waiting?.body, d.body, 'the body is kept for the retry');
      assert.deepEqual(await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 }), []);
      clock.advance(5000);
      const again = await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      assert.equal(again[0]?.attempts, 2);
    });

    it('parks a failed item with its body and never expires it', async function () {
      const d = delivery();
      await store.acceptDelivery(d);
      await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      await store.parkInbox(d.key, 'w', 'gave up after 5 attempts');
      clock.advance(365 * 24 * 3600 * 1000);
      await store.sweepExpired();
      const parked = await store.getDelivery(d.key);
      assert.equal(parked?.status, 'failed');
      assert.equal(parked?.body, d.body);
      assert.equal(parked?.lastError, 'gave up after 5 attempts');
      assert.deepEqual(
        (await store.listFailed(10)).map((i) => i.key),
        [d.key],
      );
      assert.deepEqual(
        await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 }),
        [],
        'parked items are not claimed',
      );
      assert.equal((await store.inboxCounts()).failed, 1);
    });

    it('release gives the item back without counting the attempt', async function () {
      const d = delivery();
      await store.acceptDelivery(d);
      await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      await store.releaseInbox(d.key, 'w');
      const item = await store.getDelivery(d.key);
      assert.equal(item?.status, 'pending');
      assert.equal(item?.attempts, 0);
      assert.equal(
        (await store.claimInbox({ owner: 'w2', limit: 1, leaseMs: 60_000 }))[0]?.key,
        d.key,
      );
    });

    it('refuses lease-checked updates from a worker that does not hold the item', async function () {
      const d = delivery();
      await store.acceptDelivery(d);
      await assert.rejects(store.completeInbox(d.key, 'w'), LeaseLostError, 'not claimed at all');
      await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
      await assert.rejects(store.retryInbox(d.key, 'other', 'x', clock.now()), LeaseLostError);
      await assert.rejects(store.parkInbox(d.key, 'other', 'x'), LeaseLostError);
      await assert.rejects(store.releaseInbox(d.key, 'other'), LeaseLostError);
      await store.completeInbox(d.key, 'w');
      await assert.rejects(store.completeInbox(d.key, 'w'), LeaseLostError, 'completing twice');
    });

    it('counts items per status', async function () {
      const ds = [delivery(), delivery(), delivery(), delivery()];
      for (const d of ds) await store.acceptDelivery(d);
      const claimed = await store.claimInbox({ owner: 'w', limit: 3, leaseMs: 60_000 });
      await store.completeInbox(claimed[0]!.key, 'w');
      await store.parkInbox(claimed[1]!.key, 'w', 'x');
      assert.deepEqual(await store.inboxCounts(), {
        pending: 1,
        processing: 1,
        done: 1,
        failed: 1,
      });
    });

    describe('records', function () {
      const chain = (
        id: string,
        data: Record<string, unknown>,
        extra: Partial<RecordInput> = {},
      ): RecordInput => ({
        kind: 'chain',
        tenantId: 'tenant-a',
        partition: 'tenant-a',
        id,
        data,
        ...extra,
      });

      it('puts, gets, replaces and deletes a record, changing its etag on every write', async function () {
        const first = await store.putRecord(chain('c1', { repo: 'o/r', depth: 1 }));
        assert.equal(first.updatedAt, clock.now());
        const read = await store.getRecord('chain', 'tenant-a', 'c1');
        assert.deepEqual(read?.data, { repo: 'o/r', depth: 1 });
        assert.equal(read?.etag, first.etag);
        clock.advance(10);
        const second = await store.putRecord(chain('c1', { repo: 'o/r', depth: 2 }));
        assert.notEqual(second.etag, first.etag);
        assert.equal((await store.getRecord('chain', 'tenant-a', 'c1'))?.data.depth, 2);
        assert.equal(await store.getRecord('chain', 'other-partition', 'c1'), undefined);
        assert.equal(
          await store.getRecord('audit', 'tenant-a', 'c1'),
          undefined,
          'kinds do not mix',
        );
        assert.equal(await store.deleteRecord('chain', 'tenant-a', 'c1'), true);
        assert.equal(await store.deleteRecord('chain', 'tenant-a', 'c1'), false);
        assert.equal(await store.getRecord('chain', 'tenant-a', 'c1'), undefined);
      });

      it('writes conditionally: ifMatch an etag, or ifMatch null for create-if-absent', async function () {
        const created = await store.putRecord(chain('c2', { v: 1 }), { ifMatch: null });
        await assert.rejects(
          store.putRecord(chain('c2', { v: 9 }), { ifMatch: null }),
          ConflictError,
        );
        const updated = await store.putRecord(chain('c2', { v: 2 }), { ifMatch: created.etag });
        await assert.rejects(
          store.putRecord(chain('c2', { v: 3 }), { ifMatch: created.etag }),
          ConflictError,
          'a stale etag loses',
        );
        await assert.rejects(
          store.putRecord(chain('missing', { v: 1 }), { ifMatch: created.etag }),
          ConflictError,
        );
        assert.equal((await store.getRecord('chain', 'tenant-a', 'c2'))?.etag, updated.etag);
      });

      it('queries newest first, per tenant, per partition, with equality filters', async function () {
        await store.putRecord(chain('a', { repo: 'o/one', verdict: 'proceed', broken: false }));
        clock.advance(1);
        await store.putRecord(chain('b', { repo: 'o/two', verdict: 'break', broken: true }));
        clock.advance(1);
        await store.putRecord(
          chain('c', { repo: 'o/one', verdict: 'break', broken: true, depth: 4 }),
        );
        clock.advance(1);
        await store.putRecord(
          chain(
            'd',
            { repo: 'o/one', verdict: 'break' },
            { tenantId: 'tenant-b', partition: 'tenant-b' },
          ),
        );
        const ids = async (q: Partial<Parameters<Store['queryRecords']>[0]>) =>
          (await store.queryRecords({ kind: 'chain', tenantId: 'tenant-a', limit: 10, ...q })).map(
            (r) => r.id,
          );
        assert.deepEqual(await ids({}), ['c', 'b', 'a']);
        assert.deepEqual(await ids({ limit: 2 }), ['c', 'b']);
        assert.deepEqual(await ids({ where: { repo: 'o/one' } }), ['c', 'a']);
        assert.deepEqual(await ids({ where: { repo: 'o/one', verdict: 'break' } }), ['c']);
        assert.deepEqual(await ids({ where: { broken: true } }), ['c', 'b']);
        assert.deepEqual(await ids({ where: { depth: 4 } }), ['c']);
        assert.deepEqual(await ids({ partition: 'tenant-a', where: { verdict: 'proceed' } }), [
          'a',
        ]);
        assert.deepEqual(
          await ids({ tenantId: 'tenant-b' }),
          ['d'],
          'tenants never see each other',
        );
        assert.deepEqual(
          await ids({ oldestFirst: true }),
          ['a', 'b', 'c'],
          'queues read oldest first',
        );
        assert.deepEqual(await ids({ oldestFirst: true, limit: 1 }), ['a']);
        await assert.rejects(ids({ where: { "x') OR 1=1 --": 'y' } }), /field name/);
      });

      it('expires records: invisible at expiresAt, swept after, and a create may reuse the id', async function () {
        await store.putRecord(
          chain(
            'short',
            { n: 1 },
            { kind: 'echo', partition: 'o/r|#1', expiresAt: clock.now() + 1000 },
          ),
        );
        await store.putRecord(chain('kept', { n: 2 }, { kind: 'echo', partition: 'o/r|#1' }));
        assert.equal(
          (
            await store.queryRecords({
              kind: 'echo',
              tenantId: 'tenant-a',
              partition: 'o/r|#1',
              limit: 10,
            })
          ).length,
          2,
        );
        clock.advance(1000);
        assert.equal(await store.getRecord('echo', 'o/r|#1', 'short'), undefined);
        assert.deepEqual(
          (
            await store.queryRecords({
              kind: 'echo',
              tenantId: 'tenant-a',
              partition: 'o/r|#1',
              limit: 10,
            })
          ).map((r) => r.id),
          ['kept'],
        );
        assert.equal(
          await store.deleteRecord('echo', 'o/r|#1', 'short'),
          false,
          'an expired record is not "there"',
        );
        await store.putRecord(chain('short', { n: 3 }, { kind: 'echo', partition: 'o/r|#1' }), {
          ifMatch: null,
        });
        assert.equal((await store.getRecord('echo', 'o/r|#1', 'short'))?.data.n, 3);
        await store.putRecord(
          chain('gone', { n: 4 }, { kind: 'audit', partition: 'x', expiresAt: clock.now() + 5 }),
        );
        clock.advance(5);
        assert.equal(await store.sweepExpired(), 1);
      });
    });

    it('holds the orchestration records: edges by dependency repository, found by either end, expiring after a close; interventions once', async function () {
      const stage = new OrchestrationStage({
        store,
        clock,
        thresholds: { reviewSlaMs: 10 * 3_600_000, lead: 0.5 },
      });
      const event = (
        repo: string,
        number: number,
        action: string,
        fields: Partial<BrokerEvent> = {},
      ): BrokerEvent => {
        const [owner, name] = repo.split('/') as [string, string];
        const at = new Date(clock.now()).toISOString();
        return {
          tenantId: 'tenant-a',
          deliveryId: `d-${repo}-${number}-${action}`,
          kind: 'pull_request',
          action,
          known: true,
          labels: [],
          occurredAt: at,
          receivedAt: at,
          repo: { owner, name, fullName: repo },
          target: { kind: 'pull_request', key: `#${number}`, number },
          state: 'open',
          ...fields,
        };
      };
      const run = async (e: BrokerEvent) => {
        const context = { event: e, item: { key: e.deliveryId } as never };
        await stage.run(context);
        return context as { coordination?: Array<{ text: string }> };
      };
      await run(event('acme/web', 5, 'opened', { body: 'Depends on acme/api#12' }));
      await run(event('acme/api', 12, 'opened'));
      assert.deepEqual(
        (await stage.graph.dependenciesOf('tenant-a', { repo: 'acme/web', number: 5 })).map(
          (edge) => edge.dependency,
        ),
        ['acme/api#12'],
      );
      clock.advance(3_600_000);
      assert.deepEqual(
        (await run(event('acme/api', 12, 'closed', { state: 'merged' }))).coordination?.map(
          (n) => n.text,
        ),
        ['unblocked: acme/api#12 merged'],
      );
      const [edge] = await store.queryRecords({
        kind: 'dependency_edge',
        tenantId: 'tenant-a',
        partition: 'tenant-a|acme/api',
        limit: 10,
      });
      assert.equal(
        edge?.expiresAt,
        clock.now() + 30 * 24 * 3_600_000,
        'an edge lives 30 days after an end closes',
      );
      assert.equal(
        (await store.queryRecords({ kind: 'dependency_edge', tenantId: 'tenant-b', limit: 10 }))
          .length,
        0,
        'tenants never see each other',
      );
      clock.advance(5 * 3_600_000);
      const raised = await stage.tick('tenant-a');
      assert.deepEqual(
        raised.map((i) => `${i.rule} ${i.item}`),
        ['review_wait acme/web#5'],
      );
      assert.deepEqual(await stage.tick('tenant-a'), [], 'raised once');
      assert.equal(
        (await stage.portfolio.figures('tenant-a', 'org:acme', 1, clock.now())).prsMerged,
        1,
      );
    });

    it('keeps large bodies intact', async function () {
      const big = JSON.stringify({ text: 'x'.repeat(1_500_000) });
      const d = delivery({ body: big });
      await store.acceptDelivery(d);
      assert.equal((await store.getDelivery(d.key))?.body?.length, big.length);
    });
  });
}
