/**
 * The real model pool as GET /api/pool and the tab's pool page show it: MODEL_DEPLOYMENTS for a
 * Reynolds (the ScheduledModelPool of src/composition/pool-from-config.ts) against the local
 * OpenAI-compatible stand-in, and real enrichments through it, from recorded PR-opened webhooks
 * routed to a subscribed channel. The review deployment (OpenAI flavour) answers with tokens and
 * prices, so latency and cost; the security one (Azure flavour) answers 500 until its breaker opens.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import { ScheduledModelPool } from '../../src/models/scheduled-model-pool.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startConnectorStub, type ConnectorStub } from './connector-stub.js';
import { startOpenAIStandin, type OpenAIStandin } from './openai-standin.js';
import { eventually, postDelivery, type TestReynolds } from './reynolds.js';
import { exampleOf } from './webhook-examples.js';

/** Where the enriched alerts go; a conversation of its own, so other tests' channels see nothing of it. */
export const POOL_CHANNEL = '19:pool-reviews@thread.tacv2';
/** Consecutive failures that open a breaker (MODEL_BREAKER_FAILURES). */
export const BREAKER_FAILURES = 3;
/** Tokens of each review answer, and the review deployment's prices (US dollars per 1000 tokens). */
export const REVIEW_USAGE = { prompt: 120, completion: 40 };
export const REVIEW_PRICES = { prompt: 0.0025, completion: 0.01 };

const PULL = exampleOf('pull_request', 'opened').payload as any;
/** The recorded PRs' repository: in the pilot by PILOT_ALLOW, whatever bucket the 15% stage gives it. */
export const POOL_REPO: string = PULL.repository.full_name;

export interface EnrichedPool {
  models: OpenAIStandin;
  connector: ConnectorStub;
  /** For startTestReynolds: the two deployments, their keys, no pool retries, the breaker and the pilot. */
  env: Record<string, string>;
  /**
   * Delivers `count` PR-opened webhooks one after another, each waited for until its enrichment is
   * done, then samples the pool's history. For one Reynolds per EnrichedPool (it counts what it sent).
   */
  enrich(reynolds: TestReynolds, count: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startEnrichedPool(): Promise<EnrichedPool> {
  const connector = await startConnectorStub();
  // A few milliseconds of (varied) answer time: the pool measures it; nothing asserts how long it was.
  const models = await startOpenAIStandin((r) =>
    r.target === 'security-west'
      ? { status: 500 }
      : {
          delayMs: 5 + (r.seq % 4) * 5,
          text: '{"summary":"Updates the README."}',
          usage: { prompt_tokens: REVIEW_USAGE.prompt, completion_tokens: REVIEW_USAGE.completion },
        },
  );
  const deployments = [
    {
      name: 'review-east',
      role: 'review',
      provider: 'openai',
      endpoint: models.url,
      model: 'gpt-4o',
      promptPricePer1k: REVIEW_PRICES.prompt,
      completionPricePer1k: REVIEW_PRICES.completion,
    },
    {
      name: 'security-west',
      role: 'security',
      provider: 'azure',
      endpoint: models.url,
      model: 'gpt-4o-mini',
      deployment: 'security-west',
    },
  ];
  const env = {
    MODEL_DEPLOYMENTS: JSON.stringify(deployments),
    OPENAI_API_KEY: 'openai-key-for-tests',
    AZURE_OPENAI_API_KEY: 'azure-key-for-tests',
    // One attempt per call, so each enrichment is one request per role and the breaker count is exact.
    MODEL_RETRIES: '0',
    MODEL_BREAKER_FAILURES: String(BREAKER_FAILURES),
    // Longer than any test: once open, the breaker stays open.
    MODEL_BREAKER_COOLDOWN_MS: '3600000',
    PILOT_STAGE: '15',
    PILOT_ALLOW: POOL_REPO,
    PILOT_DENY: 'contoso/secret',
  };

  let delivered = 0;
  async function enrich(reynolds: TestReynolds, count: number): Promise<void> {
    const pool = reynolds.pool;
    assert.ok(
      pool instanceof ScheduledModelPool,
      'the Reynolds runs the real pool from MODEL_DEPLOYMENTS',
    );
    if (delivered === 0) {
      await new ConversationBook(reynolds.store, systemClock).remember(
        'local',
        {
          channelId: 'msteams',
          serviceUrl: connector.url,
          conversation: {
            id: POOL_CHANNEL,
            name: 'reviews',
            conversationType: 'channel',
            isGroup: true,
          },
          bot: { id: 'bot', name: 'Reynolds' },
        },
        { scope: 'channel', name: 'reviews' },
      );
      // Through the tab's API, as a user would: the running Reynolds's own SubscriptionBook then sees it at once (its routing cache is per process).
      const saved = await fetch(`${reynolds.url}/api/subscriptions`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          conversationId: POOL_CHANNEL,
          repos: [POOL_REPO],
          features: ['pulls'],
        }),
      });
      assert.equal(saved.status, 200, await saved.text());
    }
    for (let i = 0; i < count; i += 1) {
      delivered += 1;
      const payload = structuredClone(PULL);
      const number = 500 + delivered;
      payload.number = number;
      payload.pull_request = {
        ...payload.pull_request,
        number,
        id: payload.pull_request.id + delivered,
        title: `Update the README, part ${delivered}`,
      };
      const result = await postDelivery(reynolds.url, { event: 'pull_request', payload });
      assert.equal(result.status, 202);
      await eventually(
        async () => (await enrichmentsUpdated(reynolds.url)) === delivered,
        `the enrichment of PR #${number}`,
        15_000,
      );
      // The pool's timer samples the latency history every 10 s; one point per enrichment here, so the chart has a series.
      pool.sampleHistory();
    }
  }

  return {
    models,
    connector,
    env,
    enrich,
    async stop() {
      await models.close();
      await connector.stop();
    },
  };
}

/** reynolds_enrichments_total{outcome="updated"} from /metrics: enrichments that finished with notes. */
async function enrichmentsUpdated(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^reynolds_enrichments_total\{outcome="updated"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}
