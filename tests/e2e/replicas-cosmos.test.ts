/**
 * Two Reynolds replicas sharing one Cosmos DB (the Cosmos-compatible @vercel/cosmosdb-server),
 * each a real child process with STORE=cosmos and its own port. A replay reaches them the way
 * GitHub's deliveries and redeliveries reach replicas behind a load balancer: each delivery goes to
 * one of them, or to both at once. Every delivery must be alerted in the subscribed channel
 * exactly once: the inbox (accept, claim) and the outbox (claim, remove) are shared, so nothing
 * is posted twice and nothing is lost.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import { SubscriptionBook } from '../../src/routing/subscriptions/subscription-book.js';
import { CosmosStore } from '../../src/store/cosmos/cosmos-store.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import {
  freePort,
  startChild,
  waitHealthy,
  type ChildReynolds,
} from '../support/child-reynolds.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server.js';
import { eventually, postDelivery } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const CHANNEL = '19:replicas@thread.tacv2';
const TENANT = 'local'; // children run in local mode (no BOT_ID)
const ISSUES = 30;
const PULLS = 30;

describe('two replicas on one Cosmos DB', function () {
  this.timeout(180_000);
  let cosmos: CosmosTestServer;
  let connector: ConnectorStub;
  let store: CosmosStore;
  let replicas: ChildReynolds[] = [];

  before(async function () {
    cosmos = await startCosmosServer();
    connector = await startConnectorStub();
    // The test's own view of the shared store: it creates the containers and seeds the channel.
    store = new CosmosStore({
      endpoint: cosmos.endpoint,
      key: cosmos.key,
      databaseId: 'reynolds',
      clock: systemClock,
      deliveryTtlMs: 7 * 24 * 3600_000,
      allowInsecureTls: true,
    });
    await store.init();
    const repo = (exampleOf('issues', 'opened').payload as any).repository;
    await new ConversationBook(store, systemClock).remember(
      TENANT,
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { id: CHANNEL, name: 'alerts', conversationType: 'channel', isGroup: true },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel' },
    );
    // The whole owner: the replay spreads over several of its repositories (one repository's events
    // are processed in order, by one replica at a time, so only several repositories spread work).
    await new SubscriptionBook(store, systemClock).subscribe(
      TENANT,
      CHANNEL,
      {
        scope: { owner: repo.owner.login },
        features: ['issues', 'pulls', 'comments'],
        filters: {},
      },
      'test',
    );

    const env = {
      STORE: 'cosmos',
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: 'reynolds',
      COSMOS_ALLOW_INSECURE_TLS: 'true',
      // Short polls so both replicas compete for every item; a lease long enough never to lapse here.
      INBOX_POLL_MS: '10',
      INBOX_CONCURRENCY: '4',
      INBOX_LEASE_MS: '60000',
    };
    replicas = [
      startChild({ ...env, PORT: String(await freePort()) }),
      startChild({ ...env, PORT: String(await freePort()) }),
    ];
    await Promise.all(replicas.map((r) => waitHealthy(r.url)));
  });

  after(async function () {
    const codes = await Promise.all(replicas.map((r) => r.stop()));
    await store?.close();
    await connector?.stop();
    await cosmos?.stop();
    assert.deepEqual(codes, [0, 0], 'both replicas stop cleanly on SIGTERM');
  });

  function comment(number: number, i: number) {
    const p = structuredClone(exampleOf('issue_comment', 'created').payload) as any;
    p.issue = { ...p.issue, number, labels: [], pull_request: undefined };
    const name = `${p.repository.name}-${number % 4}`;
    p.repository = { ...p.repository, name, full_name: `${p.repository.owner.login}/${name}` };
    p.sender = { ...p.sender, login: `user${i}`, type: 'User' };
    p.comment = { ...p.comment, id: 9_000_000 + i, body: `comment ${i}`, user: p.sender };
    return p;
  }

  function payload(event: 'issues' | 'pull_request', number: number) {
    const p = structuredClone(exampleOf(event, 'opened').payload) as any;
    const name = `${p.repository.name}-${number % 4}`;
    p.repository = { ...p.repository, name, full_name: `${p.repository.owner.login}/${name}` };
    const subject = event === 'issues' ? 'issue' : 'pull_request';
    p[subject] = { ...p[subject], number, title: `${subject} ${number}`, labels: [] };
    p.sender = { ...p.sender, login: 'octocat', type: 'User' };
    return p;
  }

  it('alerts every delivery exactly once, whichever replica or replicas it reached', async function () {
    const replay = [
      ...Array.from({ length: ISSUES }, (_, i) => ({ event: 'issues' as const, number: 100 + i })),
      ...Array.from({ length: PULLS }, (_, i) => ({
        event: 'pull_request' as const,
        number: 500 + i,
      })),
    ].map((d, i) => ({
      ...d,
      deliveryId: `replica-${i}`,
      payload: payload(d.event, d.number),
      to: [[0], [1], [0, 1]][i % 3]!,
    }));

    // Four senders at once; a delivery sent to both replicas hits them concurrently.
    let next = 0;
    const statuses: number[] = [];
    const sender = async () => {
      while (next < replay.length) {
        const d = replay[next++]!;
        const results = await Promise.all(
          d.to.map((r) =>
            postDelivery(replicas[r]!.url, {
              event: d.event,
              payload: d.payload,
              deliveryId: d.deliveryId,
            }),
          ),
        );
        statuses.push(...results.map((r) => r.status));
        const accepted = results.filter((r) => r.status === 202).length;
        assert.equal(
          accepted,
          1,
          `${d.deliveryId}: exactly one replica accepts it (got ${results.map((r) => r.status).join(', ')})`,
        );
      }
    };
    await Promise.all(Array.from({ length: 4 }, sender));
    assert.ok(
      statuses.every((s) => s === 202 || s === 200),
      `every answer is 202 or 200 (duplicate): ${statuses.join(',')}`,
    );

    await eventually(
      () => connector.posts.length >= replay.length,
      `${replay.length} alerts are posted (have ${connector.posts.length})`,
      60_000,
    );
    // Then the shared state settles: nothing left to process or to send...
    await eventually(
      async () => {
        const counts = await store.inboxCounts();
        const outbox = await store.queryRecords({
          kind: 'outbox',
          tenantId: TENANT,
          partition: TENANT,
          limit: 10,
        });
        return counts.pending + counts.processing === 0 && outbox.length === 0;
      },
      'the inbox and the outbox are empty',
      30_000,
    );
    // A redelivery after the fact (GitHub's "Redeliver" button) reaches the other replica: a duplicate.
    for (const d of replay.filter((_, i) => i % 5 === 0)) {
      const other = d.to.length === 1 ? 1 - d.to[0]! : 0;
      const result = await postDelivery(replicas[other]!.url, {
        event: d.event,
        payload: d.payload,
        deliveryId: d.deliveryId,
      });
      assert.equal(
        result.status,
        200,
        `late redelivery of ${d.deliveryId} is answered as a duplicate`,
      );
    }
    // ...and a few more polling rounds of both replicas bring no late duplicate.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const perSubject = new Map<number, number>();
    for (const post of connector.posts) {
      assert.equal(post.conversationId, CHANNEL, 'every alert goes to the subscribed channel');
      const number = Number(/#(\d+)/.exec(String(post.activity.summary))?.[1]);
      perSubject.set(number, (perSubject.get(number) ?? 0) + 1);
    }
    const twice = [...perSubject].filter(([, n]) => n > 1).map(([num]) => num);
    const lost = replay.filter((d) => !perSubject.has(d.number)).map((d) => d.number);
    assert.deepEqual(
      { twice, lost },
      { twice: [], lost: [] },
      'no delivery alerted twice, none lost',
    );
    assert.equal(connector.posts.length, replay.length);
    assert.equal((await store.inboxCounts()).failed, 0, 'nothing parked as failed');

    // Both replicas really did work, and no delivery ran its pipeline on both.
    const [a, b] = replicas.map((r) => new Set(r.processed));
    assert.ok(
      a!.size > 0 && b!.size > 0,
      `both replicas processed deliveries (${a!.size} and ${b!.size})`,
    );
    assert.deepEqual(
      [...a!].filter((id) => b!.has(id)),
      [],
      'no delivery processed by both',
    );
  });

  it('threads the later cards of an issue under its first card, whichever replica posts them', async function () {
    // The issue is accepted first, then its comments at once, spread over both replicas, without
    // waiting for the issue's card. A repository's events are claimed in order across replicas
    // (a leased item holds its repository back), and a conversation's cards leave in order (a
    // leased card holds its conversation back), so the issue card is the thread root every time.
    const before = connector.posts.length;
    const number = 900;
    assert.equal(
      (
        await postDelivery(replicas[0]!.url, {
          event: 'issues',
          payload: payload('issues', number),
          deliveryId: 'thread-0',
        })
      ).status,
      202,
    );
    const comments = Array.from({ length: 6 }, (_, i) => ({
      event: 'issue_comment',
      payload: comment(number, i + 1),
      deliveryId: `thread-${i + 1}`,
    }));
    await Promise.all(
      comments.map(async (d, i) =>
        assert.equal((await postDelivery(replicas[i % 2]!.url, d)).status, 202),
      ),
    );
    await eventually(
      () => connector.posts.length - before >= 1 + comments.length,
      'every comment card is posted',
      60_000,
    );
    const root = connector.posts[before]!;
    assert.equal(root.conversationId, CHANNEL, 'the first card starts a thread');
    assert.match(String(root.activity.summary), /#900/, 'and it is the issue card');
    const replies = connector.posts.slice(before + 1);
    assert.equal(replies.length, comments.length, 'one card per comment');
    assert.ok(
      replies.every((p) => p.conversationId === `${CHANNEL};messageid=${root.id}`),
      "every comment card is in the issue card's thread",
    );
  });
});
