/**
 * Editing posted cards in place (AlertOutbox.enqueueUpdate) against the connector stand-in,
 * through the real botbuilder adapter: a queued card goes out already updated, a posted one is
 * edited with PUT .../activities/{id}, edits coalesce, and a throttled edit is late, not lost.
 */
import assert from 'node:assert/strict';
import type { ChainTracker } from '../../../src/loops/chain-tracker.js';
import type { AlertOutbox } from '../../../src/routing/alerts/alert-outbox.js';
import { UnknownAlertError } from '../../../src/routing/alerts/alert-updates.js';
import type { ProactiveSender } from '../../../src/teams/sending/proactive-sender.js';
import type { ConnectorStub } from '../../support/connector-stub.js';
import { startSenderFixture, type SenderFixture } from '../../support/sender-fixture.js';
import { eventually } from '../../support/reynolds.js';

const TENANT = 'tenant-a';
const CHANNEL = '19:alerts@thread.tacv2';
const card = (text: string) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text }],
});
const textOf = (activity: Record<string, any>) =>
  activity.attachments[0].content.body[0].text as string;

describe('card updates in place', function () {
  let connector: ConnectorStub;
  let outbox: AlertOutbox;
  let tracker: ChainTracker;
  let sender: ProactiveSender;
  let dropped: string[];

  let fixture: SenderFixture;

  beforeEach(async function () {
    fixture = await startSenderFixture(TENANT, CHANNEL, 'update-test');
    ({ connector, outbox, tracker, sender, dropped } = fixture);
  });

  afterEach(async function () {
    await fixture.stop();
  });

  let n = 0;
  /** Queues an alert about a new issue and returns its alert id. */
  async function queue(threadKey: string | undefined, text: string): Promise<string> {
    n += 1;
    const node = await tracker.assess(
      {
        tenantId: TENANT,
        deliveryId: `u-${n}`,
        kind: 'issues',
        action: 'opened',
        known: true,
        labels: [],
        occurredAt: new Date().toISOString(),
        receivedAt: new Date().toISOString(),
        actor: { login: 'alice', isBot: false },
        repo: { owner: 'o', name: 'r', fullName: 'o/r' },
        target: { kind: 'issue', key: `#${n}`, number: n },
      },
      `uev-${n}`,
    );
    const deliveryKey = `hook-1:u-${n}`;
    await outbox.enqueue({
      tenantId: TENANT,
      conversationId: CHANNEL,
      threadKey,
      card: card(text),
      text,
      priority: 'P2',
      deliveryKey,
      chainId: node.node.chainId,
      nodeId: node.node.nodeId,
      depth: 0,
    });
    return `${deliveryKey}|${CHANNEL}`;
  }

  it('replaces the card of an alert that is not posted yet: it goes out once, updated', async function () {
    const id = await queue('o/r#1', 'first words');
    await outbox.enqueueUpdate(id, { card: card('better words'), text: 'better words' });
    sender.start();
    await eventually(() => connector.posts.length === 1, 'posted');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(textOf(connector.posts[0]!.activity), 'better words');
    assert.equal(connector.posts.length, 1);
    assert.equal(connector.updates.length, 0, 'nothing to edit: it went out updated');
  });

  it('edits a posted card with PUT on the activity id Teams gave it, in its thread', async function () {
    const root = await queue('o/r#2', 'the PR');
    const reply = await queue('o/r#2', 'a review');
    sender.start();
    await eventually(() => connector.posts.length === 2, 'both posted');
    await outbox.enqueueUpdate(reply, {
      card: card('a review, summarised'),
      text: 'a review, summarised',
    });
    await outbox.enqueueUpdate(root, {
      card: card('the PR, summarised'),
      text: 'the PR, summarised',
    });
    sender.wake();
    await eventually(() => connector.updates.length === 2, 'both edited');
    const byId = new Map(connector.posts.map((p) => [p.id, p]));
    for (const update of connector.updates) {
      const original = byId.get(update.activityId)!;
      assert.ok(original, 'an edit of an activity that was posted');
      assert.equal(
        update.conversationId,
        original.conversationId,
        'edited where it was posted (the thread for a reply)',
      );
      assert.equal(textOf(update.activity), `${textOf(original.activity)}, summarised`);
    }
    assert.equal(connector.posts.length, 2, 'no new posts');
    await eventually(async () => (await outbox.size(TENANT)) === 0, 'the outbox is empty');
  });

  it('coalesces several edits to one alert into the latest, and a throttled edit is late, not lost', async function () {
    const id = await queue(undefined, 'v0');
    sender.start();
    await eventually(() => connector.posts.length === 1, 'posted');
    connector.refuseFor(800, 429, 1);
    for (let v = 1; v <= 5; v += 1)
      await outbox.enqueueUpdate(id, { card: card(`v${v}`), text: `v${v}` });
    sender.wake();
    await eventually(
      () => connector.updates.length >= 1 && textOf(connector.updates.at(-1)!.activity) === 'v5',
      'the latest edit arrives',
      15_000,
    );
    assert.ok(connector.refusals >= 1, 'the connector did refuse');
    assert.ok(
      connector.updates.length <= 2,
      `coalesced: ${connector.updates.length} edits for 5 updates`,
    );
    await eventually(async () => (await outbox.size(TENANT)) === 0, 'the outbox is empty');
    assert.deepEqual(dropped, []);
  });

  it('an edit queued while a newer one arrives sends the newer one too', async function () {
    const id = await queue(undefined, 'v0');
    sender.start();
    await eventually(() => connector.posts.length === 1, 'posted');
    await outbox.enqueueUpdate(id, { card: card('v1'), text: 'v1' });
    sender.wake();
    await outbox.enqueueUpdate(id, { card: card('v2'), text: 'v2' });
    sender.wake();
    await eventually(
      () => connector.updates.length >= 1 && textOf(connector.updates.at(-1)!.activity) === 'v2',
      'v2 is the card in the end',
    );
  });

  it('sends every edit when each goes out before the next is queued (no edit mistaken for a repeat)', async function () {
    const id = await queue(undefined, 'v0');
    sender.start();
    await eventually(() => connector.posts.length === 1, 'posted');
    for (let v = 1; v <= 3; v += 1) {
      await outbox.enqueueUpdate(id, { card: card(`v${v}`), text: `v${v}` });
      sender.wake();
      await eventually(() => connector.updates.length === v, `edit ${v} sent`);
      await eventually(async () => (await outbox.size(TENANT)) === 0, 'the edit left the outbox');
    }
    assert.deepEqual(
      connector.updates.map((u) => textOf(u.activity)),
      ['v1', 'v2', 'v3'],
    );
  });

  it('refuses to update an alert it never queued, clearly', async function () {
    await assert.rejects(
      outbox.enqueueUpdate(`hook-1:nope|${CHANNEL}`, { card: card('x'), text: 'x' }),
      UnknownAlertError,
    );
    await assert.rejects(
      outbox.enqueueUpdate('not-an-alert-id', { card: card('x'), text: 'x' }),
      /not an alert id/,
    );
  });
});
