/**
 * Noise control between routing and the outbox, on a ManualClock: quiet holds all but P0, a burst
 * becomes one card that is edited (in the queue, or in Teams once posted), and an outbox over its
 * budget folds P3 (then P2) alerts into one summary per conversation, never P0/P1.
 */
import assert from 'node:assert/strict';
import type { ManualClock } from '../../../src/core/clock.js';
import { AlertOutbox } from '../../../src/routing/alerts/alert-outbox.js';
import { type NewOutboxEntry, type OutboxEntry } from '../../../src/routing/alerts/outbox-entry.js';
import { applyNoiseCommand } from '../../../src/routing/noise/noise-commands.js';
import {
  NoiseControl,
  type NoiseOutcome,
  type StormHint,
} from '../../../src/routing/noise/noise-control.js';
import { PostedAlerts } from '../../../src/routing/alerts/posted-alerts.js';
import type { Priority } from '../../../src/core/classification.js';
import type { BrokerEvent } from '../../../src/core/broker-event.js';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { noiseCards } from '../../../src/teams/cards/noise-cards.js';
import { anEvent, classified, manualStore, push, TENANT } from './noise-fixtures.js';

const CHANNEL = '19:noise@thread.tacv2';

describe('noise control', function () {
  let store: SqliteStore;
  let clock: ManualClock;
  let outbox: AlertOutbox;
  let noise: NoiseControl;
  let outcomes: NoiseOutcome[];

  beforeEach(async function () {
    ({ store, clock } = await manualStore());
    outbox = new AlertOutbox(store, clock, TENANT);
    outcomes = [];
    noise = new NoiseControl({
      store,
      clock,
      outbox,
      cards: noiseCards,
      burstWindowMs: 60_000,
      foldBacklog: 20,
      observer: { onNoise: (o) => outcomes.push(o) },
    });
  });
  afterEach(async function () {
    await store.close();
  });

  const entryFor = (
    event: BrokerEvent,
    priority: Priority,
    conversationId = CHANNEL,
  ): NewOutboxEntry => ({
    tenantId: TENANT,
    conversationId,
    card: {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlock', text: event.title ?? event.kind }],
    },
    text: event.title ?? event.kind,
    priority,
    deliveryKey: `hook:${event.deliveryId}`,
    chainId: 'ch-1',
    nodeId: `n-${event.deliveryId}`,
    depth: 0,
  });

  /** What the routing stage does: place, then queue when noise control says so. */
  async function route(
    event: BrokerEvent,
    priority: Priority,
    conversationId = CHANNEL,
  ): Promise<boolean> {
    const entry = entryFor(event, priority, conversationId);
    if (!(await noise.place(event, classified(priority), entry))) return false;
    await outbox.enqueue(entry);
    return true;
  }

  const queued = async () =>
    (
      await store.queryRecords<OutboxEntry>({
        kind: 'outbox',
        tenantId: TENANT,
        partition: TENANT,
        limit: 500,
        oldestFirst: true,
      })
    ).map((r) => r.data);
  const cardTitle = (entry: OutboxEntry) =>
    String((entry.card.body as Array<{ text: string }>)[0]!.text);

  it('turns 30 pushes to one branch within a minute into one card, edited while still queued', async function () {
    const people = ['alice', 'bob', 'carol'];
    for (let i = 0; i < 30; i += 1) {
      await route(push(people[i % 3]!, i), 'P3');
      clock.advance(1_500);
    }
    const entries = await queued();
    assert.equal(entries.length, 1, 'one card, not 30');
    assert.match(
      cardTitle(entries[0]!),
      /^30 pushes to main in acme\/app by 3 people in the last minute/,
    );
    assert.match(JSON.stringify(entries[0]!.card), /commit 29/, 'the latest commits are listed');
    assert.equal(outcomes.filter((o) => o === 'collapsed').length, 29);
  });

  it('edits the posted burst card in place (an update entry, coalesced) once the first card went out', async function () {
    assert.equal(await route(push('alice', 1), 'P3'), true);
    const [first] = await store.queryRecords<OutboxEntry>({
      kind: 'outbox',
      tenantId: TENANT,
      partition: TENANT,
      limit: 5,
    });
    // The sender posted it: Teams answered with an activity id.
    await new PostedAlerts(store, clock).record({
      alertId: first!.id,
      tenantId: TENANT,
      conversationId: CHANNEL,
      postedTo: CHANNEL,
      activityId: 'act-1',
      priority: 'P3',
      chainId: 'ch-1',
      nodeId: 'n',
      depth: 0,
    });
    await outbox.remove(first!);
    for (let i = 2; i <= 5; i += 1) assert.equal(await route(push('bob', i), 'P3'), false);
    const entries = await queued();
    assert.equal(entries.length, 1, 'one update entry for four edits');
    assert.equal(entries[0]!.updateOf, first!.id);
    assert.equal(entries[0]!.revision, 4);
    assert.match(cardTitle(entries[0]!), /^5 pushes to main/);
  });

  it('keeps bursts apart per branch and per conversation, and never collapses P1', async function () {
    await route(push('alice', 1, 'main'), 'P3');
    await route(push('alice', 2, 'dev'), 'P3');
    await route(push('alice', 3, 'main'), 'P3', 'other-channel');
    const failing = anEvent({ kind: 'check_suite', branch: 'main', state: 'failure' });
    await route(failing, 'P1');
    await route(anEvent({ kind: 'check_suite', branch: 'main', state: 'failure' }), 'P1');
    assert.equal((await queued()).length, 5);
  });

  it('holds everything but P0 while quiet, and counts it', async function () {
    await applyNoiseCommand(
      noise.settings,
      TENANT,
      CHANNEL,
      { kind: 'quiet_until', forMs: 2 * 3600_000 },
      clock.now(),
    );
    assert.equal(
      await route(anEvent({ kind: 'issues', action: 'opened', title: 'a bug' }), 'P2'),
      false,
    );
    assert.equal(await route(push('alice', 1), 'P3'), false);
    assert.equal(
      await route(
        anEvent({ kind: 'check_suite', branch: 'main', state: 'failure', title: 'CI' }),
        'P1',
      ),
      false,
    );
    assert.equal(
      await route(
        anEvent({ kind: 'secret_scanning_alert', action: 'created', title: 'leaked key' }),
        'P0',
      ),
      true,
      'P0 gets through',
    );
    assert.equal((await queued()).length, 1);
    const held = await noise.held.list(TENANT, CHANNEL, 'quiet');
    assert.deepEqual(
      held.map((h) => h.text),
      ['a bug', 'commit 1', 'CI'],
    );
    assert.deepEqual(outcomes, ['held', 'held', 'held']);
    // Another conversation is not quiet.
    assert.equal(
      await route(anEvent({ kind: 'issues', action: 'opened' }), 'P2', 'loud-channel'),
      true,
    );
    // Two hours later the quiet is over.
    clock.advance(2 * 3600_000 + 1);
    assert.equal(await route(anEvent({ kind: 'issues', action: 'opened' }), 'P2'), true);
  });

  it('folds P3 alerts into one summary per conversation when the backlog is over budget, then P2, never P1', async function () {
    for (let i = 0; i < 20; i += 1)
      await outbox.enqueue(
        entryFor(
          anEvent({ kind: 'issues', action: 'opened', title: `backlog ${i}` }),
          'P1',
          'busy',
        ),
      );
    for (let i = 0; i < 5; i += 1)
      assert.equal(
        await route(anEvent({ kind: 'star', action: 'created', title: `star ${i}` }), 'P3'),
        false,
      );
    assert.equal(
      await route(anEvent({ kind: 'issues', action: 'opened', title: 'p2 at 20' }), 'P2'),
      true,
      'P2 folds only beyond twice the bound',
    );
    assert.equal(
      await route(anEvent({ kind: 'issues', action: 'opened', title: 'p1' }), 'P1'),
      true,
      'P1 never folds',
    );
    const mine = (await queued()).filter((e) => e.conversationId === CHANNEL);
    const summaries = mine.filter((e) => /folded/.test(cardTitle(e)));
    assert.equal(summaries.length, 1, 'one summary card for five P3 alerts');
    assert.match(cardTitle(summaries[0]!), /^5 alerts folded/);
    assert.equal(outcomes.filter((o) => o === 'folded').length, 5);
    for (let i = 0; i < 20; i += 1)
      await outbox.enqueue(entryFor(anEvent({ kind: 'issues', action: 'opened' }), 'P1', 'busy'));
    clock.advance(1_001); // the backlog is re-read (at most once a second)
    assert.equal(
      await route(anEvent({ kind: 'issues', action: 'opened', title: 'p2 at 40' }), 'P2'),
      false,
      'P2 folds beyond twice the bound',
    );
  });

  describe('storms (what the loop guard saw)', function () {
    const comment = (login: string) =>
      anEvent({
        kind: 'issue_comment',
        action: 'created',
        actor: { login, isBot: login.endsWith('[bot]') },
        title: 'Retrying the merge',
        target: { kind: 'issue', key: '#7', number: 7 },
      });

    async function routeStorm(
      event: BrokerEvent,
      storm: StormHint | undefined,
      priority: Priority = 'P2',
    ): Promise<boolean> {
      const entry = entryFor(event, priority);
      if (!(await noise.place(event, classified(priority), entry, storm))) return false;
      await outbox.enqueue(entry);
      return true;
    }

    it('folds one actor repeating itself into the first card, edited in place, whatever the priority', async function () {
      const first = comment('merge-queue[bot]');
      assert.equal(
        await routeStorm(first, undefined, 'P1'),
        true,
        'the first post is an ordinary card',
      );
      const firstKey = `hook:${first.deliveryId}`;
      for (let i = 2; i <= 20; i += 1) {
        clock.advance(2_000);
        const storm: StormHint = {
          repeatOf: { deliveryKey: firstKey, count: i, firstAt: clock.now() - (i - 1) * 2_000 },
          what: 'comment',
          where: 'acme/app#7',
        };
        assert.equal(
          await routeStorm(comment('merge-queue[bot]'), storm, 'P1'),
          false,
          `repeat ${i} gets no card of its own`,
        );
      }
      const entries = await queued();
      assert.equal(entries.length, 1, 'one card for the storm');
      assert.equal(entries[0]!.deliveryKey, firstKey);
      assert.match(
        cardTitle(entries[0]!),
        /^merge-queue\\?\[bot\\?\] posted the same comment 20 times on acme\/app#7 in 38 s/,
      );
      assert.equal(
        entries[0]!.text,
        'merge-queue[bot] posted the same comment 20 times on acme/app#7 in 38 s',
        'the notification line is plain text',
      );
    });

    it('collapses a dampened chain into the card of its first dampened alert', async function () {
      const hint: StormHint = { dampenedChain: 'ch-loop', what: 'comment', where: 'acme/app#7' };
      assert.equal(
        await routeStorm(comment('ping[bot]'), hint),
        true,
        'the first dampened alert opens the storm card',
      );
      for (let i = 0; i < 9; i += 1) {
        clock.advance(1_000);
        assert.equal(
          await routeStorm(comment(i % 2 === 0 ? 'pong[bot]' : 'ping[bot]'), hint),
          false,
        );
      }
      const entries = await queued();
      assert.equal(entries.length, 1);
      assert.match(
        cardTitle(entries[0]!),
        /^10 events on acme\/app#7 by ping\\?\[bot\\?\], pong\\?\[bot\\?\] in 9 s/,
      );
    });

    it('posts a repeat on its own when the first card is not there (it went to no one here)', async function () {
      const storm: StormHint = {
        repeatOf: { deliveryKey: 'hook:never-routed', count: 2, firstAt: clock.now() - 1_000 },
        what: 'comment',
        where: 'acme/app#7',
      };
      assert.equal(await routeStorm(comment('alice'), storm), true);
      assert.equal((await queued()).length, 1);
    });
  });
});
