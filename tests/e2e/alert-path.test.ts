/**
 * The alert path end to end: signed webhooks in, loop guard, classification, routing by
 * subscription, the outbox and the proactive sender, out to a Bot Framework connector stand-in on
 * loopback. Subscribed channels get cards, threaded per issue; other channels get nothing; a bot
 * loop gets exactly one admin alert and nothing after it.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import { SubscriptionBook } from '../../src/routing/subscriptions/subscription-book.js';
import { DEFAULT_FEATURES } from '../../src/routing/subscriptions/subscription.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  type TestReynolds,
} from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const SUBSCRIBED = '19:subscribed@thread.tacv2';
const OTHER = '19:other@thread.tacv2';

describe('alert path (webhook → routing → outbox → Teams connector)', function () {
  this.timeout(60_000);
  let reynolds: TestReynolds;
  let connector: ConnectorStub;
  let repo: { owner: string; name: string; full: string };

  before(async function () {
    connector = await startConnectorStub();
    reynolds = await startTestReynolds();
    const conversations = new ConversationBook(reynolds.store, systemClock);
    for (const id of [SUBSCRIBED, OTHER]) {
      await conversations.remember(
        'local',
        {
          channelId: 'msteams',
          serviceUrl: connector.url,
          conversation: { id, name: 'alerts', conversationType: 'channel', isGroup: true },
          bot: { id: 'bot', name: 'Reynolds' },
        },
        { scope: 'channel' },
      );
    }
    const sample = exampleOf('issues', 'opened').payload as any;
    repo = {
      owner: sample.repository.owner.login,
      name: sample.repository.name,
      full: sample.repository.full_name,
    };
    await new SubscriptionBook(reynolds.store, systemClock).subscribe(
      'local',
      SUBSCRIBED,
      {
        scope: { owner: repo.owner, repo: repo.name },
        features: [...DEFAULT_FEATURES, 'comments'],
        filters: {},
      },
      'test',
    );
  });

  after(async function () {
    await reynolds.dispose();
    await connector.stop();
  });

  function issue(number: number, login = 'octocat') {
    const payload = structuredClone(exampleOf('issues', 'opened').payload) as any;
    payload.issue = { ...payload.issue, number, title: `Issue ${number}`, labels: [] };
    payload.sender = { ...payload.sender, login, type: 'User' };
    return payload;
  }

  function comment(number: number, login: string, body: string) {
    const payload = structuredClone(exampleOf('issue_comment', 'created').payload) as any;
    payload.issue = { ...payload.issue, number, labels: [], pull_request: undefined };
    payload.sender = { ...payload.sender, login, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
    payload.comment = { ...payload.comment, body, user: payload.sender };
    return payload;
  }

  const cardTexts = () =>
    connector.posts.map((p) => ({
      conversation: p.conversationId,
      text: String(p.activity.summary ?? ''),
    }));

  it('posts the card to the subscribed channel only, and threads updates about the same issue', async function () {
    assert.equal(
      (await postDelivery(reynolds.url, { event: 'issues', payload: issue(501) })).status,
      202,
    );
    await eventually(() => connector.posts.length === 1, 'the issue card is posted', 15_000);
    const root = connector.posts[0]!;
    assert.equal(root.conversationId, SUBSCRIBED);
    assert.equal(
      root.activity.attachments[0].contentType,
      'application/vnd.microsoft.card.adaptive',
    );
    assert.match(String(root.activity.summary), /#501/);

    assert.equal(
      (
        await postDelivery(reynolds.url, {
          event: 'issue_comment',
          payload: comment(501, 'alice', 'Can reproduce on main.'),
        })
      ).status,
      202,
    );
    await eventually(() => connector.posts.length === 2, 'the comment card is posted', 15_000);
    assert.equal(
      connector.posts[1]!.conversationId,
      `${SUBSCRIBED};messageid=${root.id}`,
      'in the thread of the issue',
    );
    assert.ok(
      cardTexts().every((c) => !c.conversation.startsWith(OTHER)),
      'nothing in a channel that did not subscribe',
    );
  });

  it('tells the admins once when bots loop, and posts nothing more about that chain', async function () {
    const before = connector.posts.length;
    for (let i = 0; i < 6; i += 1) {
      const login = i % 2 === 0 ? 'ping[bot]' : 'pong[bot]';
      const result = await postDelivery(reynolds.url, {
        event: 'issue_comment',
        payload: comment(777, login, `turn ${i}`),
      });
      assert.equal(result.status, 202);
      await eventually(
        async () =>
          (await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`))?.status === 'done',
        'processed in order',
      );
    }
    await eventually(
      () =>
        connector.posts.slice(before).some((p) => /Loop stopped/.test(String(p.activity.summary))),
      'the admin alert arrives',
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // give any wrongly queued card time to show up
    const after = connector.posts.slice(before);
    const adminAlerts = after.filter((p) => /Loop stopped/.test(String(p.activity.summary)));
    assert.equal(adminAlerts.length, 1, 'one admin alert per loop');
    assert.equal(adminAlerts[0]!.conversationId.split(';')[0], SUBSCRIBED);
    // Cards for the turns before the break may have gone out; none after it.
    const alertTurns = after.filter(
      (p) =>
        /#777/.test(String(p.activity.summary)) && !/Loop stopped/.test(String(p.activity.summary)),
    );
    assert.ok(
      alertTurns.length <= 3,
      `at most the turns before the break were posted (${alertTurns.length})`,
    );
    const chains = (await (await fetch(`${reynolds.url}/api/chains?verdict=break`)).json()) as {
      chains: unknown[];
    };
    assert.equal(chains.chains.length, 1);
  });
});
