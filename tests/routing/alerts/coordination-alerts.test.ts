/**
 * Coordination notices become small cards in the outbox, threaded under the dependent, for each
 * conversation subscribed to the dependent's repository, once per delivery however often it reruns.
 */
import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { ManualClock } from '../../../src/core/clock.js';
import type { CoordinationNotice } from '../../../src/core/coordination.js';
import type { PipelineContext } from '../../../src/core/pipeline.js';
import { AlertOutbox } from '../../../src/routing/alerts/alert-outbox.js';
import { CoordinationAlerts } from '../../../src/routing/alerts/coordination-alerts.js';
import type { OutboxEntry } from '../../../src/routing/alerts/outbox-entry.js';
import { SubscriptionBook } from '../../../src/routing/subscriptions/subscription-book.js';
import { DEFAULT_FEATURES } from '../../../src/routing/subscriptions/subscription.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { buildCoordinationCard } from '../../../src/teams/cards/coordination-card.js';

const TENANT = 't1';
const notice: CoordinationNotice = {
  kind: 'unblocked',
  dependent: { repo: 'Acme/Web', number: 5 },
  dependency: { repo: 'acme/api', number: 12 },
  change: 'merged',
  text: 'unblocked: acme/api#12 merged',
  url: 'https://github.com/acme/api/pull/12',
};

function problems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const errors: AC.IValidationError[] = [];
  parsed.parse(card, errors);
  return [...errors, ...parsed.validateProperties().failures.flatMap((f) => f.errors)]
    .filter((e) => e.error !== AC.ValidationError.UnsupportedCardVersion)
    .map((e) => e.message);
}

describe('coordination alerts', function () {
  it('queues one threaded card per subscribed conversation, once per delivery', async function () {
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
    await book.subscribe(TENANT, 'conv-org', spec('acme'), 'bob');
    await book.subscribe(TENANT, 'conv-api', spec('acme', 'api'), 'carol');
    let woken = 0;
    const alerts = new CoordinationAlerts(
      book,
      new AlertOutbox(store, clock, TENANT),
      buildCoordinationCard,
      () => (woken += 1),
    );
    const context = {
      event: { tenantId: TENANT },
      item: { key: 'hook|d-1' },
      loop: { node: { chainId: 'c1', nodeId: 'n1', depth: 0 } },
    } as unknown as PipelineContext;
    assert.equal(await alerts.post(context, [notice]), 2);
    assert.equal(await alerts.post(context, [notice]), 0, 'a rerun queues nothing twice');
    assert.equal(woken, 1);
    const entries = (
      await store.queryRecords<OutboxEntry>({ kind: 'outbox', tenantId: TENANT, limit: 10 })
    ).map((r) => r.data);
    assert.deepEqual(entries.map((e) => e.conversationId).sort(), ['conv-org', 'conv-web']);
    for (const entry of entries) {
      assert.equal(entry.threadKey, 'Acme/Web#5');
      assert.equal(entry.text, 'unblocked: acme/api#12 merged');
      assert.equal(entry.chainId, 'c1');
    }
    await store.close();
  });

  it('builds a valid card that says what happened and links the dependency', function () {
    const { card, text } = buildCoordinationCard({
      ...notice,
      kind: 'warning',
      change: 'reverted',
      text: 'heads up: acme/api#12 was *reverted*',
    });
    assert.deepEqual(problems(card), []);
    assert.equal(text, 'heads up: acme/api#12 was \\*reverted\\*');
    assert.match(JSON.stringify(card), /"Heads up"/);
    assert.match(JSON.stringify(card), /https:\/\/github\.com\/acme\/api\/pull\/12/);
    assert.equal(
      buildCoordinationCard({ ...notice, url: 'javascript:alert(1)' }).card.actions,
      undefined,
      'no unsafe links',
    );
  });
});
