/**
 * Interventions become cards in the outbox for each conversation following the repository, in the
 * item's thread, on a chain of their own, once however often they are posted.
 */
import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { ManualClock } from '../../../src/core/clock.js';
import type { InterventionNotice } from '../../../src/core/coordination.js';
import { AlertOutbox } from '../../../src/routing/alerts/alert-outbox.js';
import { InterventionAlerts } from '../../../src/routing/alerts/intervention-alerts.js';
import type { OutboxEntry } from '../../../src/routing/alerts/outbox-entry.js';
import { SubscriptionBook } from '../../../src/routing/subscriptions/subscription-book.js';
import { DEFAULT_FEATURES } from '../../../src/routing/subscriptions/subscription.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { buildInterventionCard } from '../../../src/teams/cards/intervention-card.js';

const TENANT = 't1';
const review: InterventionNotice = {
  rule: 'review_wait',
  item: 'acme/web#5',
  repo: 'Acme/Web',
  text: 'acme/web#5 has waited 14h for a first review; the SLA is 24h',
};

function problems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const errors: AC.IValidationError[] = [];
  parsed.parse(card, errors);
  return [...errors, ...parsed.validateProperties().failures.flatMap((f) => f.errors)]
    .filter((e) => e.error !== AC.ValidationError.UnsupportedCardVersion)
    .map((e) => e.message);
}

describe('intervention alerts', function () {
  it('queues one card per conversation following the repository, threaded under the item, on its own chain', async function () {
    const clock = new ManualClock();
    const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 1000 });
    await store.init();
    const book = new SubscriptionBook(store, clock);
    const spec = (owner: string, repo?: string) => ({
      scope: { owner, repo },
      features: [...DEFAULT_FEATURES],
      filters: {},
    });
    await book.subscribe(TENANT, 'conv-web', spec('acme', 'web'), 'alice');
    await book.subscribe(TENANT, 'conv-api', spec('acme', 'api'), 'bob');
    const chains: string[] = [];
    const alerts = new InterventionAlerts(
      book,
      new AlertOutbox(store, clock, TENANT),
      buildInterventionCard,
      async (_tenant, what) => {
        chains.push(what);
        return { chainId: `chain-${chains.length}`, nodeId: 'n', depth: 0 };
      },
    );
    assert.equal(await alerts.post(TENANT, review), 1);
    assert.equal(await alerts.post(TENANT, review), 0, 'queued once');
    assert.equal(
      await alerts.post(TENANT, { ...review, repo: 'other/x', item: 'other/x#1' }),
      0,
      'nobody follows it: no chain started either',
    );
    assert.deepEqual(chains, [
      'intervention:review_wait|acme/web#5',
      'intervention:review_wait|acme/web#5',
    ]);
    const branch = await alerts.post(TENANT, {
      rule: 'branch_red',
      item: 'acme/api@main',
      repo: 'acme/api',
      text: 'acme/api@main has been red for 1h; the limit is 2h',
    });
    assert.equal(branch, 1);
    const entries = (
      await store.queryRecords<OutboxEntry>({ kind: 'outbox', tenantId: TENANT, limit: 10 })
    ).map((r) => r.data);
    const byConversation = Object.fromEntries(entries.map((e) => [e.conversationId, e]));
    assert.equal(byConversation['conv-web']!.threadKey, 'Acme/Web#5');
    assert.equal(byConversation['conv-web']!.chainId, 'chain-1');
    assert.equal(
      byConversation['conv-api']!.threadKey,
      undefined,
      'a branch has no thread of its own',
    );
    await store.close();
  });

  it('builds a valid card that names the rule and links an issue or PR', function () {
    const { card, text } = buildInterventionCard(review);
    assert.deepEqual(problems(card), []);
    assert.equal(text, review.text);
    assert.match(JSON.stringify(card), /Before it bites: Waiting for review/);
    assert.match(JSON.stringify(card), /https:\/\/github\.com\/acme\/web\/issues\/5/);
    assert.equal(
      buildInterventionCard({ ...review, rule: 'branch_red', item: 'acme/api@main' }).card.actions,
      undefined,
    );
  });
});
