/**
 * The proactive sender against a connector stand-in on loopback, through the real botbuilder
 * adapter: threading per PR/issue, nothing lost while the connector throttles, nothing posted
 * twice, nothing posted on a broken chain.
 */
import assert from 'node:assert/strict';
import type { ChainTracker } from '../../../src/loops/chain-tracker.js';
import type { AlertOutbox } from '../../../src/routing/alerts/alert-outbox.js';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { ProactiveSender } from '../../../src/teams/sending/proactive-sender.js';
import type { ConnectorStub } from '../../support/connector-stub.js';
import { startSenderFixture, type SenderFixture } from '../../support/sender-fixture.js';
import { eventually } from '../../support/reynolds.js';

const TENANT = 'tenant-a';
const CHANNEL = '19:alerts@thread.tacv2';

describe('ProactiveSender', function () {
  let connector: ConnectorStub;
  let store: SqliteStore;
  let outbox: AlertOutbox;
  let tracker: ChainTracker;
  let sender: ProactiveSender;
  let dropped: string[];

  let fixture: SenderFixture;

  beforeEach(async function () {
    fixture = await startSenderFixture(TENANT, CHANNEL, 'sender-test');
    ({ connector, store, outbox, tracker, sender, dropped } = fixture);
  });

  afterEach(async function () {
    await fixture.stop();
  });

  let n = 0;
  async function queue(threadKey: string | undefined, text: string, chainId = 'ch-1') {
    n += 1;
    // Each alert is about an event node of a live chain.
    const node = await tracker.assess(
      {
        tenantId: TENANT,
        deliveryId: `d-${n}`,
        kind: 'issues',
        action: 'edited',
        known: true,
        labels: [],
        occurredAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        actor: { login: 'alice', isBot: false },
        repo: { owner: 'o', name: 'r', fullName: 'o/r' },
        target: { kind: 'issue', key: `#${n}`, number: n },
      },
      `ev-${n}`,
    );
    await outbox.enqueue({
      tenantId: TENANT,
      conversationId: CHANNEL,
      threadKey,
      card: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text }] },
      text,
      priority: 'P2',
      deliveryKey: `hook-1:d-${n}`,
      chainId: chainId === 'ch-1' ? node.node.chainId : chainId,
      nodeId: node.node.nodeId,
      depth: 0,
    });
  }

  it('posts a card, then threads later cards about the same PR under it', async function () {
    await queue('o/r#7', 'PR opened');
    sender.start();
    await eventually(() => connector.posts.length === 1, 'first card posted');
    await queue('o/r#7', 'review requested');
    await queue('o/r#8', 'another PR');
    sender.wake();
    await eventually(() => connector.posts.length === 3, 'all cards posted');
    // Cards of different threads queued in the same millisecond may go out in either order.
    const byText = (text: string) =>
      connector.posts.find((p) => p.activity.attachments[0].content.body[0].text === text)!;
    const [first, second, third] = [
      byText('PR opened'),
      byText('review requested'),
      byText('another PR'),
    ];
    assert.equal(connector.posts[0], first, 'the first card went out first');
    assert.equal(first!.conversationId, CHANNEL);
    assert.equal(
      first!.activity.attachments[0].contentType,
      'application/vnd.microsoft.card.adaptive',
    );
    assert.equal(
      second!.conversationId,
      `${CHANNEL};messageid=${first!.id}`,
      'a reply in the PR thread',
    );
    assert.equal(third!.conversationId, CHANNEL, 'another PR starts its own thread');
    // The connector notes a post before it answers; the sender removes the entry after the answer.
    await eventually(
      async () => (await outbox.size(TENANT)) === 0,
      'the outbox is empty once the connector took everything',
    );
  });

  it('loses nothing while the connector answers 429 with Retry-After, and posts nothing twice', async function () {
    connector.refuseFor(1500, 429, 1);
    for (let i = 0; i < 5; i += 1) await queue(`o/r#${100 + i}`, `alert ${i}`);
    sender.start();
    await eventually(
      () => connector.posts.length === 5,
      'every alert arrives once the connector recovers',
      15_000,
    );
    assert.ok(connector.refusals >= 1, 'the connector did refuse');
    const texts = connector.posts.map((p) => p.activity.attachments[0].content.body[0].text).sort();
    assert.deepEqual(texts, ['alert 0', 'alert 1', 'alert 2', 'alert 3', 'alert 4']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(connector.posts.length, 5, 'no duplicates');
    assert.deepEqual(dropped, []);
  });

  it('retries 500s and 503s too, and drops (loudly) what can never be posted', async function () {
    connector.refuseFor(600, 503);
    await queue('o/r#200', 'after a 503');
    sender.start();
    await eventually(() => connector.posts.length === 1, 'posted after the 503s', 15_000);
    connector.refuseFor(60_000, 403);
    await queue('o/r#201', 'forbidden');
    sender.wake();
    await eventually(() => dropped.length === 1, 'the 403 alert is dropped, not retried forever');
    assert.match(dropped[0]!, /Teams answered 403/);
  });

  it('posts nothing about a chain the loop guard broke', async function () {
    await store.putRecord({
      kind: 'chain',
      tenantId: TENANT,
      partition: TENANT,
      id: 'ch-broken',
      data: {
        chainId: 'ch-broken',
        tenantId: TENANT,
        root: 'x',
        startedAt: 0,
        updatedAt: 0,
        depth: 9,
        nodes: 9,
        score: 0.99,
        verdict: 'break',
        adminAlerted: true,
      },
    });
    await queue('o/r#300', 'should never be posted', 'ch-broken');
    sender.start();
    await eventually(() => dropped.length === 1, 'refused by the guard');
    assert.match(dropped[0]!, /loop guard refused/);
    assert.equal(connector.posts.length, 0);
  });
});
