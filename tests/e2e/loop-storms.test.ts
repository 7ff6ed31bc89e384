/**
 * The two storms of issue W2 7/7 through the webhook door of a running Reynolds: signed
 * deliveries in GitHub's payload shapes (@octokit/webhooks-examples), a subscribed channel, the
 * connector stand-in, and /api/chains. A merge bot repeating one comment on a PR (the Mergify
 * retries in caffeinelabs/motoko), and automation behind a user token (sender type `User`) doing
 * the same on an issue. Each must break within three events, tell the admins once, and cost the
 * channel at most one card (edited in place), not twenty.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import type { ChainNode } from '../../src/core/chain-records.js';
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

const SUBSCRIBED = '19:storms@thread.tacv2';
const STORM = 20;

describe('loop storms through the webhook door', function () {
  this.timeout(120_000);
  let reynolds: TestReynolds;
  let connector: ConnectorStub;

  before(async function () {
    connector = await startConnectorStub();
    reynolds = await startTestReynolds();
    await new ConversationBook(reynolds.store, systemClock).remember(
      'local',
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: {
          id: SUBSCRIBED,
          name: 'alerts',
          conversationType: 'channel',
          isGroup: true,
        },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel' },
    );
    const sample = exampleOf('issue_comment', 'created').payload as any;
    await new SubscriptionBook(reynolds.store, systemClock).subscribe(
      'local',
      SUBSCRIBED,
      {
        scope: { owner: sample.repository.owner.login, repo: sample.repository.name },
        features: [...DEFAULT_FEATURES, 'comments'],
        filters: {},
      },
      'test',
    );
  });

  after(async function () {
    await reynolds?.dispose();
    await connector?.stop();
  });

  /** A comment as GitHub sends it; `onPr` makes the issue a pull request. */
  function comment(
    number: number,
    login: string,
    type: 'Bot' | 'User',
    body: string,
    id: number,
    onPr: boolean,
  ) {
    const payload = structuredClone(exampleOf('issue_comment', 'created').payload) as any;
    const issueUrl = `https://github.com/${payload.repository.full_name}/${onPr ? 'pull' : 'issues'}/${number}`;
    payload.issue = {
      ...payload.issue,
      number,
      title: `Item ${number}`,
      labels: [],
      html_url: issueUrl,
      ...(onPr
        ? { pull_request: { url: `${payload.repository.url}/pulls/${number}`, html_url: issueUrl } }
        : { pull_request: undefined }),
    };
    payload.sender = { ...payload.sender, login, type, id: 9000 + (type === 'Bot' ? 1 : 2) };
    payload.comment = {
      ...payload.comment,
      id,
      body,
      user: payload.sender,
      html_url: `${issueUrl}#issuecomment-${id}`,
    };
    return payload;
  }

  async function deliverStorm(make: (i: number) => Record<string, unknown>): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < STORM; i += 1) {
      const result = await postDelivery(reynolds.url, { event: 'issue_comment', payload: make(i) });
      assert.equal(result.status, 202);
      await eventually(
        async () =>
          (await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`))?.status === 'done',
        'processed in order',
      );
      ids.push(`ev-hook-1001:${result.deliveryId}`);
    }
    return ids;
  }

  /** The storm's nodes and verdicts, from /api/chains. */
  async function verdictsOf(nodeIds: string[]): Promise<Map<string, ChainNode>> {
    const list = (await (await fetch(`${reynolds.url}/api/chains?limit=200`)).json()) as {
      chains: { chainId: string }[];
    };
    const nodes = new Map<string, ChainNode>();
    for (const { chainId } of list.chains) {
      const detail = (await (await fetch(`${reynolds.url}/api/chains/${chainId}`)).json()) as {
        nodes: ChainNode[];
      };
      for (const node of detail.nodes)
        if (nodeIds.includes(node.nodeId)) nodes.set(node.nodeId, node);
    }
    return nodes;
  }

  async function check(
    number: number,
    nodeIds: string[],
    postsBefore: number,
    updatesBefore: number,
    actor: string,
  ) {
    await eventually(
      () =>
        connector.posts
          .slice(postsBefore)
          .some((p) => /Loop stopped/.test(String(p.activity.summary))),
      'the admin alert arrives',
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for any wrongly queued card to show up
    const posts = connector.posts.slice(postsBefore);
    const adminAlerts = posts.filter((p) => /Loop stopped/.test(String(p.activity.summary)));
    assert.equal(adminAlerts.length, 1, 'one admin alert');
    assert.ok(
      !/\\\[/.test(String(adminAlerts[0]!.activity.summary)),
      `plain text, not escaped markdown: ${String(adminAlerts[0]!.activity.summary)}`,
    );
    const cards = posts.filter((p) => p !== adminAlerts[0]);
    assert.ok(
      cards.length <= 1,
      `at most one card for the storm, got ${cards.length}: ${cards.map((c) => String(c.activity.summary)).join(' | ')}`,
    );
    const edits = connector.updates
      .slice(updatesBefore)
      .filter((u) => cards.some((c) => c.id === u.activityId));
    for (const edit of edits)
      assert.match(
        String(edit.activity.summary),
        new RegExp(
          `${actor.replace(/[[\]]/g, '\\$&')} posted the same comment \\d+ times on .*#${number}`,
        ),
      );

    const nodes = await verdictsOf(nodeIds);
    assert.equal(nodes.size, STORM, 'every event of the storm is on a chain');
    const verdicts = nodeIds.map((id) => nodes.get(id)!.verdict);
    const firstBreak = verdicts.indexOf('break');
    assert.ok(
      firstBreak >= 0 && firstBreak <= 2,
      `broken within three events: ${verdicts.join(',')}`,
    );
    assert.ok(
      verdicts.slice(firstBreak).every((v) => v === 'break'),
      'and stays broken',
    );
    return { nodes: nodeIds.map((id) => nodes.get(id)!), firstBreak, edits };
  }

  it('a merge bot posting the same comment 20 times on one PR: broken on the third, one admin alert, one card', async function () {
    const [posts, updates] = [connector.posts.length, connector.updates.length];
    const ids = await deliverStorm((i) =>
      comment(
        3559,
        'merge-queue[bot]',
        'Bot',
        `⚠️ The merge failed: the queue is busy. Retrying (attempt ${i + 1})`,
        50_000 + i,
        true,
      ),
    );
    const { nodes } = await check(3559, ids, posts, updates, 'merge-queue[bot]');
    assert.equal(new Set(nodes.map((n) => n.chainId)).size, 1, 'one chain');
  });

  it('automation behind a user token (type User) doing the same on an issue: a bot by behaviour, broken within three, one alert, one card', async function () {
    const [posts, updates] = [connector.posts.length, connector.updates.length];
    const ids = await deliverStorm((i) =>
      comment(
        4242,
        'auto-triage',
        'User',
        'Thanks for the report! A maintainer will look at it soon.',
        60_000 + i,
        false,
      ),
    );
    const { nodes, firstBreak, edits } = await check(4242, ids, posts, updates, 'auto-triage');
    // Its first post went out as an ordinary card (a person may post once); the repeat edited it.
    assert.ok(edits.length >= 1, 'the card was edited in place to count the repeat');
    assert.equal(nodes[firstBreak]!.actorKind, 'bot');
    assert.match(nodes[firstBreak]!.actsLikeBot ?? '', /posted the same text/);
    assert.equal(
      new Set(nodes.slice(1).map((n) => n.chainId)).size,
      1,
      'its repeats join one chain',
    );
  });
});
