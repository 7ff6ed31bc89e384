/**
 * Enrichment in a running Reynolds: a signed PR-opened webhook is routed to a subscribed channel,
 * the card is queued and posted first, and the model pool's notes arrive afterwards as an update of
 * that alert. The first suite watches the AlertUpdater port through a spy; the second goes through
 * the real AlertOutbox and ProactiveSender to the connector stand-in, and sees the card POSTed
 * without notes, then edited in place (a PUT of the same activity) once the models answer.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import type { AlertUpdater } from '../../src/models/enrichment-stage.js';
import { SubscriptionBook } from '../../src/routing/subscriptions/subscription-book.js';
import { DEFAULT_FEATURES } from '../../src/routing/subscriptions/subscription.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import { startOpenAIStandin, type OpenAIStandin } from '../support/openai-standin.js';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  type TestReynolds,
} from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const CHANNEL = '19:enriched@thread.tacv2';

describe('enrichment path (webhook → routing → card posted → pool → card update)', function () {
  this.timeout(60_000);
  let reynolds: TestReynolds;
  let connector: ConnectorStub;
  let models: OpenAIStandin;
  const updates: Array<{ alertId: string; card: Record<string, unknown> }> = [];
  /** Whether the alert was already in the outbox (or sent) when its update came: the card goes first. */
  const queuedFirst: boolean[] = [];

  before(async function () {
    connector = await startConnectorStub();
    models = await startOpenAIStandin((r) => ({
      delayMs: 100,
      text:
        r.target === 'sec-1'
          ? '{"notes":["Touches the CI token"]}'
          : '{"summary":"Small README fix."}',
    }));
    const updater: AlertUpdater = {
      async enqueueUpdate(alertId, update) {
        queuedFirst.push(
          connector.posts.length > 0 ||
            (await reynolds.store.getRecord('outbox', 'local', alertId)) !== undefined,
        );
        updates.push({ alertId, card: update.card });
      },
    };
    const deployments = [
      { name: 'rev-1', role: 'review', provider: 'openai', endpoint: models.url, model: 'rev-1' },
      {
        name: 'sec-1',
        role: 'security',
        provider: 'azure',
        endpoint: models.url,
        model: 'gpt-4o',
        deployment: 'sec-1',
      },
    ];
    reynolds = await startTestReynolds(
      {
        MODEL_DEPLOYMENTS: JSON.stringify(deployments),
        AZURE_OPENAI_API_KEY: 'azure-key-for-tests',
        OPENAI_API_KEY: 'openai-key-for-tests',
        ENRICH_DEADLINE_MS: '5000',
      },
      { alertUpdater: updater },
    );
    await new ConversationBook(reynolds.store, systemClock).remember(
      'local',
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { id: CHANNEL, name: 'alerts', conversationType: 'channel', isGroup: true },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel' },
    );
    const repo = (exampleOf('pull_request', 'opened').payload as any).repository;
    await new SubscriptionBook(reynolds.store, systemClock).subscribe(
      'local',
      CHANNEL,
      {
        scope: { owner: repo.owner.login, repo: repo.name },
        features: [...DEFAULT_FEATURES],
        filters: {},
      },
      'test',
    );
  });

  after(async function () {
    await reynolds?.dispose();
    await connector?.stop();
    await models?.close();
  });

  it('posts the card, then updates it with the review and security notes', async function () {
    assert.equal(reynolds.pool.snapshot().configured, true);
    const result = await postDelivery(reynolds.url, {
      event: 'pull_request',
      payload: exampleOf('pull_request', 'opened').payload,
    });
    assert.equal(result.status, 202);
    await eventually(() => updates.length === 1, 'the enrichment update arrives', 15_000);
    assert.equal(updates[0]!.alertId, `hook-1001:${result.deliveryId}|${CHANNEL}`);
    assert.deepEqual(queuedFirst, [true]);
    const json = JSON.stringify(updates[0]!.card);
    assert.match(json, /Small README fix\./);
    assert.match(json, /Security: Touches the CI token/);
    await eventually(() => connector.posts.length === 1, 'the card itself is posted', 15_000);
    const roles = reynolds.pool.snapshot().roles.filter((r) => r.deployments.length > 0);
    assert.deepEqual(
      roles.map((r) => [r.role, r.deployments[0]!.requests]),
      [
        ['review', 1],
        ['security', 1],
      ],
    );
    assert.ok(
      models.requests.some(
        (r) =>
          r.path === '/openai/deployments/sec-1/chat/completions' &&
          r.apiKey === 'azure-key-for-tests',
      ),
    );
  });

  it('exposes the pool metrics on /metrics', async function () {
    const text = await (await fetch(`${reynolds.url}/metrics`)).text();
    assert.match(
      text,
      /reynolds_model_calls_total\{role="review",deployment="rev-1",outcome="ok"\} 1/,
    );
    assert.match(text, /reynolds_enrichments_total\{outcome="updated"\} 1/);
  });
});

describe('enrichment path through the real outbox and proactive sender (card POSTed, then PUT with the notes)', function () {
  this.timeout(60_000);
  let reynolds: TestReynolds;
  let connector: ConnectorStub;
  let models: OpenAIStandin;
  /** The models answer only once the test releases them, so the card goes out first by construction, not by timing. */
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));

  before(async function () {
    connector = await startConnectorStub();
    models = await startOpenAIStandin((r) => ({
      until: answered,
      text:
        r.target === 'sec-1'
          ? '{"notes":["Touches the CI token"]}'
          : '{"summary":"Small README fix."}',
    }));
    const deployments = [
      { name: 'rev-1', role: 'review', provider: 'openai', endpoint: models.url, model: 'rev-1' },
      {
        name: 'sec-1',
        role: 'security',
        provider: 'azure',
        endpoint: models.url,
        model: 'gpt-4o',
        deployment: 'sec-1',
      },
    ];
    // No alertUpdater option: enrichment edits through the outbox, as in production (src/index.ts).
    // The deadline is generous because the answers wait for the test, which waits for the post.
    reynolds = await startTestReynolds({
      MODEL_DEPLOYMENTS: JSON.stringify(deployments),
      AZURE_OPENAI_API_KEY: 'azure-key-for-tests',
      OPENAI_API_KEY: 'openai-key-for-tests',
      ENRICH_DEADLINE_MS: '30000',
    });
    await new ConversationBook(reynolds.store, systemClock).remember(
      'local',
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { id: CHANNEL, name: 'alerts', conversationType: 'channel', isGroup: true },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel' },
    );
    const repo = (exampleOf('pull_request', 'opened').payload as any).repository;
    await new SubscriptionBook(reynolds.store, systemClock).subscribe(
      'local',
      CHANNEL,
      {
        scope: { owner: repo.owner.login, repo: repo.name },
        features: [...DEFAULT_FEATURES],
        filters: {},
      },
      'test',
    );
  });

  after(async function () {
    release?.();
    await reynolds?.dispose();
    await connector?.stop();
    await models?.close();
  });

  it('posts the card without notes while the models think, then edits that same activity with their notes', async function () {
    const example = exampleOf('pull_request', 'opened').payload as any;
    const result = await postDelivery(reynolds.url, { event: 'pull_request', payload: example });
    assert.equal(result.status, 202);

    await eventually(() => connector.posts.length === 1, 'the card is posted', 15_000);
    await eventually(
      () => models.requests.length === 2,
      'both models were asked (and are held)',
      15_000,
    );
    const [post] = connector.posts;
    assert.equal(post!.conversationId, CHANNEL);
    const posted = JSON.stringify(post!.activity.attachments);
    assert.match(
      posted,
      new RegExp(`#${example.pull_request.number}`),
      'the posted card is the PR alert',
    );
    assert.doesNotMatch(
      posted,
      /Small README fix\.|Touches the CI token/,
      'posted before any note exists',
    );
    assert.equal(connector.updates.length, 0, 'nothing to edit yet');

    release();
    await eventually(
      () => connector.updates.length === 1,
      'the posted card is edited with the notes',
      15_000,
    );
    const [update] = connector.updates;
    assert.equal(update!.conversationId, CHANNEL);
    assert.equal(
      update!.activityId,
      post!.id,
      'a PUT of the activity that was posted, not a new post',
    );
    const edited = JSON.stringify(update!.activity.attachments);
    assert.match(edited, /Small README fix\./);
    assert.match(edited, /Security: Touches the CI token/);
    assert.match(edited, new RegExp(`#${example.pull_request.number}`), 'still the same alert');
    assert.equal(connector.posts.length, 1, 'the notes did not go out as a second card');
    // The sender finishes the update once the connector has answered, so this may trail the PUT by a moment.
    await eventually(
      async () =>
        (
          await reynolds.store.queryRecords({
            kind: 'outbox',
            tenantId: 'local',
            partition: 'local',
            limit: 10,
          })
        ).length === 0,
      'the alert and its update have both left the outbox',
    );
  });
});
