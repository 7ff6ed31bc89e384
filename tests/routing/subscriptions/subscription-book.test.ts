import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.js';
import { AlertOutbox } from '../../../src/routing/alerts/alert-outbox.js';
import { SubscriptionBook } from '../../../src/routing/subscriptions/subscription-book.js';
import { DEFAULT_FEATURES } from '../../../src/routing/subscriptions/subscription.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

async function setup() {
  const clock = new ManualClock();
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 1000 });
  await store.init();
  return {
    clock,
    store,
    book: new SubscriptionBook(store, clock),
    outbox: new AlertOutbox(store, clock),
  };
}

const spec = (owner: string, repo?: string, features = [...DEFAULT_FEATURES]) => ({
  scope: { owner, repo },
  features,
  filters: {},
});

describe('SubscriptionBook', function () {
  it('creates, reports unchanged and updated, lists per conversation, and keeps tenants apart', async function () {
    const { book, store } = await setup();
    assert.equal(
      (await book.subscribe('t1', 'conv-a', spec('octo-org', 'hello'), 'alice')).status,
      'created',
    );
    assert.equal(
      (await book.subscribe('t1', 'conv-a', spec('Octo-Org', 'Hello'), 'bob')).status,
      'unchanged',
      'names compare without case',
    );
    const updated = await book.subscribe(
      't1',
      'conv-a',
      spec('octo-org', 'hello', ['issues']),
      'bob',
    );
    assert.equal(updated.status, 'updated');
    assert.equal(updated.subscription.createdBy, 'alice', 'the original subscriber is kept');
    await book.subscribe('t1', 'conv-b', spec('octo-org'), 'carol');
    await book.subscribe('t2', 'conv-z', spec('octo-org'), 'mallory');
    assert.deepEqual(
      (await book.list('t1', 'conv-a')).map((s) => s.features),
      [['issues']],
    );
    assert.equal((await book.forTenant('t1')).length, 2);
    assert.equal((await book.forTenant('t2')).length, 1);
    await store.close();
  });

  it('unsubscribes features, then the whole subscription, and says when there was none', async function () {
    const { book, store } = await setup();
    await book.subscribe('t1', 'conv-a', spec('octo-org', 'hello', ['issues', 'pulls']), 'alice');
    const reduced = await book.unsubscribe('t1', 'conv-a', { owner: 'octo-org', repo: 'hello' }, [
      'issues',
    ]);
    assert.equal(reduced.status, 'reduced');
    assert.equal(
      (await book.unsubscribe('t1', 'conv-a', { owner: 'octo-org', repo: 'hello' }, [])).status,
      'removed',
    );
    assert.equal(
      (await book.unsubscribe('t1', 'conv-a', { owner: 'octo-org', repo: 'hello' }, [])).status,
      'not_found',
    );
    assert.deepEqual(await book.forTenant('t1'), [], 'the cache forgets what was removed');
    await store.close();
  });

  it("removes a conversation's subscriptions when Reynolds is uninstalled there", async function () {
    const { book, store } = await setup();
    await book.subscribe('t1', 'conv-a', spec('a'), 'x');
    await book.subscribe('t1', 'conv-a', spec('b', 'c'), 'x');
    await book.subscribe('t1', 'conv-b', spec('a'), 'x');
    assert.equal(await book.removeConversation('t1', 'conv-a'), 2);
    assert.deepEqual(
      (await book.forTenant('t1')).map((s) => s.conversationId),
      ['conv-b'],
    );
    await store.close();
  });
});

describe('AlertOutbox', function () {
  const entry = {
    tenantId: 't1',
    conversationId: 'conv-a',
    card: {},
    text: 'x',
    priority: 'P2' as const,
    deliveryKey: 'hook-1:d1',
    chainId: 'c',
    nodeId: 'n',
    depth: 0,
  };

  it('queues one alert per delivery and conversation, however often the pipeline reruns', async function () {
    const { outbox, store } = await setup();
    assert.equal(await outbox.enqueue(entry), true);
    assert.equal(await outbox.enqueue(entry), false);
    assert.equal(await outbox.enqueue({ ...entry, conversationId: 'conv-b' }), true);
    assert.equal(await outbox.size('t1'), 2);
    await store.close();
  });

  it('lets one sender claim an entry; the other gets nothing', async function () {
    const { outbox, store, clock } = await setup();
    await outbox.enqueue(entry);
    const [due] = await outbox.due('t1', 10);
    const first = await outbox.claim(due!, 'replica-1', 60_000);
    const second = await outbox.claim(due!, 'replica-2', 60_000);
    assert.ok(first);
    assert.equal(second, undefined);
    assert.deepEqual(await outbox.due('t1', 10), [], 'leased entries are not due');
    clock.advance(60_000);
    assert.equal((await outbox.due('t1', 10)).length, 1, "a dead sender's lease runs out");
    await outbox.postpone(first!, clock.now() + 5000, '429');
    assert.deepEqual(await outbox.due('t1', 10), []);
    clock.advance(5000);
    const [again] = await outbox.due('t1', 10);
    assert.equal(again?.data.lastError, '429');
    await store.close();
  });
});
