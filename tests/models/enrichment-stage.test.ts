import assert from 'node:assert/strict';
import type { PipelineContext } from '../../src/core/pipeline.js';
import { systemClock } from '../../src/core/clock.js';
import { normalise } from '../../src/github/normalise.js';
import type { Assessment } from '../../src/core/chain-records.js';
import {
  EnrichmentStage,
  type AlertUpdater,
  type EnrichmentOutcome,
} from '../../src/models/enrichment-stage.js';
import { PilotRollout } from '../../src/models/pilot.js';
import type { ScheduledModelPool } from '../../src/models/scheduled-model-pool.js';
import { classify } from '../../src/routing/classification/classifier.js';
import type { InboxItem } from '../../src/core/inbox-item.js';
import { buildAlert } from '../../src/teams/cards/alert-card-builder.js';
import { startOpenAIStandin, type OpenAIStandin } from '../support/openai-standin.js';
import { exampleOf } from '../support/webhook-examples.js';
import { deploymentAt, poolOf } from './pool-helpers.js';

function contextFor(
  event: string,
  action: string,
  verdict: Assessment['verdict'] = 'proceed',
): PipelineContext {
  const payload = exampleOf(event, action).payload;
  const broker = normalise({
    tenantId: 'tenant-1',
    deliveryId: 'd-1',
    event,
    payload,
    receivedAt: Date.now(),
  });
  return {
    event: broker,
    item: { key: 'key-1' } as InboxItem,
    loop: { verdict, node: { chainId: 'chain-1', nodeId: 'node-1' } } as Assessment,
    classification: classify(broker),
    alerts: [
      {
        alertId: 'key-1|conv-1',
        conversationId: 'conv-1',
        family: event === 'issues' ? 'issue' : 'pull_request',
      },
    ],
  };
}

describe('enrichment stage', function () {
  let standin: OpenAIStandin;
  let pool: ScheduledModelPool;
  let updates: Array<{ alertId: string; card: Record<string, unknown>; text: string }>;
  let outcomes: EnrichmentOutcome[];
  let failUpdates = false;
  const updater: AlertUpdater = {
    async enqueueUpdate(alertId, update) {
      if (failUpdates) throw new Error('outbox down');
      updates.push({ alertId, ...update });
    },
  };
  const stageWith = (deadlineMs = 2000, pilot = new PilotRollout(100)) =>
    new EnrichmentStage({
      pool,
      pilot,
      updater,
      buildCard: buildAlert,
      clock: systemClock,
      deadlineMs,
      observer: { onEnrichment: (o) => outcomes.push(o) },
    });

  beforeEach(async () => {
    updates = [];
    outcomes = [];
    failUpdates = false;
    standin = await startOpenAIStandin((r) => {
      if (r.target === 'sec')
        return { text: 'Sure! ```json\n{"notes": ["Adds a token to config.yml", 42]}\n```' };
      if (r.target === 'iss')
        return {
          text: '{"labels": ["bug", "needs triage", "<script>"], "duplicates": ["#7", "#999"]}',
        };
      return { text: '{"summary": "Updates the README; nothing risky."}' };
    });
    pool = poolOf(
      ['rev:review', 'sec:security', 'iss:issues', 'doc:docs'].map((s) =>
        deploymentAt(standin.url, s.split(':')[0]!, s.split(':')[1] as never),
      ),
      { retries: 0 },
    );
  });
  afterEach(async () => {
    await pool.close();
    await standin.close();
  });

  it('a PR opened gets a review summary and security notes, sent as a card update through the port', async function () {
    const stage = stageWith();
    const context = contextFor('pull_request', 'opened');
    await stage.run(context);
    await stage.settled();
    assert.deepEqual(standin.requests.map((r) => r.target).sort(), ['rev', 'sec']);
    assert.equal(updates.length, 1);
    assert.equal(updates[0]!.alertId, 'key-1|conv-1');
    const json = JSON.stringify(updates[0]!.card);
    assert.match(json, /Reynolds's notes/);
    assert.match(json, /Updates the README; nothing risky\./);
    assert.match(json, /Security: Adds a token to config\.yml/);
    assert.match(json, /From the review, security models/);
    assert.ok(updates[0]!.text.length > 0);
    assert.deepEqual(outcomes, ['updated']);
    const prompt = standin.requests[0]!.body.messages!.map((m) => m.content).join('\n');
    assert.match(prompt, new RegExp(context.event.title!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('an opened issue gets label suggestions and only duplicates it was shown', async function () {
    const stage = new EnrichmentStage({
      pool,
      pilot: new PilotRollout(100),
      updater,
      buildCard: buildAlert,
      clock: systemClock,
      deadlineMs: 2000,
      candidates: async () => [
        { number: 1, title: 'itself' },
        { number: 7, title: 'Typo in README' },
      ],
    });
    await stage.run(contextFor('issues', 'opened'));
    await stage.settled();
    assert.equal(updates.length, 1);
    const json = JSON.stringify(updates[0]!.card);
    assert.match(json, /Suggested labels: bug, needs triage/);
    assert.doesNotMatch(json, /script/);
    assert.match(json, /Possible duplicates: #7/);
    assert.doesNotMatch(json, /#999/);
  });

  it('does not hold the item back for a slow model, and sends no update past the deadline', async function () {
    standin.script = () => ({ hang: true });
    const stage = stageWith(150);
    await stage.run(contextFor('pull_request', 'opened'));
    assert.equal(stage.inFlight, 1, 'run() returned while the models were still working');
    await stage.settled();
    assert.equal(updates.length, 0);
    assert.deepEqual(outcomes, ['timeout']);
  });

  it('a failing model (or a failing update) never fails the item', async function () {
    standin.script = () => ({ status: 500 });
    const stage = stageWith();
    await stage.run(contextFor('pull_request', 'opened'));
    await stage.settled();
    assert.equal(updates.length, 0);
    assert.deepEqual(outcomes, ['failed']);
    standin.script = () => ({ text: '{"summary":"fine"}' });
    failUpdates = true;
    await stage.run(contextFor('pull_request', 'opened'));
    await stage.settled();
    assert.deepEqual(outcomes, ['failed', 'updated']);
  });

  it('skips events outside the pilot, on a dampened chain, with no alert queued, or with nothing to add', async function () {
    const stage = stageWith(2000, new PilotRollout(0, [], []));
    await stage.run(contextFor('pull_request', 'opened'));
    const open = stageWith();
    await open.run(contextFor('pull_request', 'opened', 'dampen'));
    await open.run({ ...contextFor('pull_request', 'opened'), alerts: [] });
    await open.run(contextFor('pull_request', 'closed'));
    await Promise.all([stage.settled(), open.settled()]);
    assert.equal(standin.requests.length, 0);
    assert.equal(updates.length, 0);
  });

  it('stop() waits for work in flight, then abandons what is left', async function () {
    standin.script = () => ({ hang: true });
    const stage = stageWith(60_000);
    await stage.run(contextFor('pull_request', 'opened'));
    await stage.stop(50);
    assert.equal(stage.inFlight, 0);
    assert.deepEqual(outcomes, ['abandoned']);
    assert.equal(updates.length, 0);
  });
});
