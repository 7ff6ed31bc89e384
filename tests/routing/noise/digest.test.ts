/**
 * The open-work projection and the digest scheduler on a ManualClock: the digest goes out once per
 * conversation per local day at its hour (in its zone), lists waiting reviews, failing default
 * branches, stale issues and held alerts with nudges, never twice (replicas, restarts), and alerts
 * held by quiet mode come back as one summary when the quiet ends.
 */
import assert from 'node:assert/strict';
import type { ManualClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/log.js';
import { AlertOutbox } from '../../../src/routing/alerts/alert-outbox.js';
import { type OutboxEntry } from '../../../src/routing/alerts/outbox-entry.js';
import { buildDigest } from '../../../src/routing/noise/digest-content.js';
import { DigestScheduler } from '../../../src/routing/noise/digest.js';
import { applyNoiseCommand } from '../../../src/routing/noise/noise-commands.js';
import { NoiseControl, type NoiseOutcome } from '../../../src/routing/noise/noise-control.js';
import { OpenWork } from '../../../src/routing/noise/open-work.js';
import { SubscriptionBook } from '../../../src/routing/subscriptions/subscription-book.js';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { noiseCards } from '../../../src/teams/cards/noise-cards.js';
import { anEvent, classified, manualStore, TENANT } from './noise-fixtures.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('daily digest', function () {
  let store: SqliteStore;
  let clock: ManualClock;
  let outbox: AlertOutbox;
  let noise: NoiseControl;
  let work: OpenWork;
  let subscriptions: SubscriptionBook;
  let outcomes: NoiseOutcome[];

  beforeEach(async function () {
    // Monday 1 June 2026, 06:00 UTC.
    ({ store, clock } = await manualStore(Date.UTC(2026, 5, 1, 6, 0)));
    outbox = new AlertOutbox(store, clock, TENANT);
    outcomes = [];
    noise = new NoiseControl({
      store,
      clock,
      outbox,
      cards: noiseCards,
      burstWindowMs: 60_000,
      observer: { onNoise: (o) => outcomes.push(o) },
    });
    work = new OpenWork(store, clock);
    subscriptions = new SubscriptionBook(store, clock);
    await subscriptions.subscribe(
      TENANT,
      'c1',
      {
        scope: { owner: 'acme', repo: 'app' },
        features: ['issues', 'pulls', 'workflows'],
        filters: {},
      },
      'test',
    );
  });
  afterEach(async function () {
    await store.close();
  });

  const scheduler = () =>
    new DigestScheduler({
      store,
      clock,
      outbox,
      noise,
      subscriptions,
      work,
      cards: noiseCards,
      logger: createLogger({ level: 'silent', secretValues: [] }),
      tenantId: TENANT,
      startChain: async () => ({ chainId: 'ch-digest', nodeId: 'n-digest', depth: 0 }),
      defaultAt: '09:00',
      reviewWaitMs: 24 * HOUR,
      staleMs: 14 * DAY,
      observer: { onNoise: (o) => outcomes.push(o) },
    });
  const queued = async () =>
    (
      await store.queryRecords<OutboxEntry>({
        kind: 'outbox',
        tenantId: TENANT,
        partition: TENANT,
        limit: 50,
        oldestFirst: true,
      })
    ).map((r) => r.data);
  const text = (entry: OutboxEntry) => JSON.stringify(entry.card);

  async function seedWork() {
    const pr = {
      kind: 'pull_request',
      target: { kind: 'pull_request' as const, key: '#12', number: 12 },
      title: 'Faster builds',
      url: 'https://github.com/acme/app/pull/12',
      author: 'dana',
    };
    await work.observe(anEvent({ ...pr, action: 'opened', requestedReviewers: [] }));
    await work.observe(
      anEvent({ ...pr, action: 'review_requested', requestedReviewers: ['erin', 'acme/core'] }),
    );
    await work.observe(
      anEvent({
        kind: 'issues',
        action: 'opened',
        target: { kind: 'issue', key: '#7', number: 7 },
        title: 'Old bug',
        assignees: ['frank'],
      }),
    );
    await work.observe(
      anEvent({
        kind: 'issues',
        action: 'opened',
        target: { kind: 'issue', key: '#8', number: 8 },
        title: 'Closed soon',
      }),
    );
    await work.observe(
      anEvent({
        kind: 'issues',
        action: 'closed',
        target: { kind: 'issue', key: '#8', number: 8 },
      }),
    );
    await work.observe(
      anEvent({
        kind: 'check_suite',
        action: 'completed',
        branch: 'main',
        state: 'failure',
        title: 'CI',
      }),
    );
    await work.observe(
      anEvent({
        kind: 'check_suite',
        action: 'completed',
        branch: 'feature',
        state: 'failure',
        title: 'CI',
      }),
    );
    // A repository this conversation does not follow.
    await work.observe(
      anEvent({
        kind: 'issues',
        action: 'opened',
        repo: { owner: 'acme', name: 'secret', fullName: 'acme/secret' },
        target: { kind: 'issue', key: '#1', number: 1 },
      }),
    );
  }

  it('projects open work from events and builds the digest with nudges', async function () {
    await seedWork();
    clock.advance(15 * DAY);
    const digest = buildDigest({
      conversationId: 'c1',
      date: '2026-06-16',
      now: clock.now(),
      work: await work.list(TENANT),
      subscriptions: await subscriptions.forTenant(TENANT),
      held: [],
      thresholds: { reviewWaitMs: 24 * HOUR, staleMs: 14 * DAY },
    });
    assert.deepEqual(
      digest.awaitingReview.map((p) => `${p.repo}#${p.number}`),
      ['acme/app#12'],
    );
    assert.deepEqual(
      digest.failing.map((f) => f.branch),
      ['main'],
      'only the default branch counts',
    );
    assert.deepEqual(
      digest.stale.map((i) => i.number),
      [7],
      'closed issues and other repos are out; the PR is not an issue',
    );
    assert.deepEqual(digest.nudges, [
      { login: 'erin', asks: ['review acme/app#12'] },
      { login: 'acme/core', asks: ['review acme/app#12'] },
      { login: 'frank', asks: ['acme/app#7'] },
    ]);
    // Green again: no longer failing; review done: no longer waiting.
    await work.observe(
      anEvent({ kind: 'check_suite', action: 'completed', branch: 'main', state: 'success' }),
    );
    await work.observe(
      anEvent({
        kind: 'pull_request',
        action: 'closed',
        state: 'merged',
        target: { kind: 'pull_request', key: '#12', number: 12 },
      }),
    );
    const later = buildDigest({
      conversationId: 'c1',
      date: 'x',
      now: clock.now(),
      work: await work.list(TENANT),
      subscriptions: await subscriptions.forTenant(TENANT),
      held: [],
      thresholds: { reviewWaitMs: 24 * HOUR, staleMs: 14 * DAY },
    });
    assert.deepEqual([later.awaitingReview.length, later.failing.length], [0, 0]);
  });

  it('sends the digest once a day at the hour, in the conversation zone, never twice across replicas', async function () {
    await seedWork();
    clock.advance(2 * DAY); // Wednesday 06:00 UTC: the PR has waited 48 h
    const [a, b] = [scheduler(), scheduler()];
    assert.equal(await a.tick(), 0, 'before 09:00 UTC: nothing');
    clock.advance(3 * HOUR);
    const sent = (await a.tick()) + (await b.tick());
    assert.equal(sent, 1, 'two replicas, one digest');
    const [digest] = await queued();
    assert.match(text(digest!), /Daily digest for 2026-06-03/);
    assert.match(text(digest!), /acme\/app#12 Faster builds/);
    assert.match(text(digest!), /@erin: review acme\/app#12/);
    assert.equal(await scheduler().tick(), 0, 'a restart later that day sends nothing more');
    assert.deepEqual(outcomes, ['digest_sent']);

    // A conversation in Berlin with its own time gets it at 08:30 Berlin (06:30 UTC).
    await subscriptions.subscribe(
      TENANT,
      'c2',
      { scope: { owner: 'acme' }, features: ['issues'], filters: {} },
      'test',
    );
    await applyNoiseCommand(
      noise.settings,
      TENANT,
      'c2',
      { kind: 'timezone', zone: 'Europe/Berlin' },
      clock.now(),
    );
    await applyNoiseCommand(
      noise.settings,
      TENANT,
      'c2',
      { kind: 'digest_at', at: '08:30' },
      clock.now(),
    );
    clock.set(Date.UTC(2026, 5, 4, 6, 29));
    await a.tick();
    assert.equal((await queued()).filter((e) => e.conversationId === 'c2').length, 0);
    clock.set(Date.UTC(2026, 5, 4, 6, 30));
    await a.tick();
    assert.equal((await queued()).filter((e) => e.conversationId === 'c2').length, 1);
  });

  it('sends no scheduled digest when nothing waits, nor when digests are off; "digest now" always answers', async function () {
    clock.set(Date.UTC(2026, 5, 1, 9, 5));
    assert.equal(await scheduler().tick(), 0, 'nothing is waiting: no "all clear" card');
    await scheduler().digestNow(TENANT, 'c1');
    const [now] = await queued();
    assert.match(text(now!), /nothing is waiting/);
    await seedWork();
    await applyNoiseCommand(noise.settings, TENANT, 'c1', { kind: 'digest_off' }, clock.now());
    clock.advance(20 * DAY);
    assert.equal(await scheduler().tick(), 0);
  });

  it('gives alerts held by quiet mode back as one summary when the quiet ends, or in the digest', async function () {
    await applyNoiseCommand(
      noise.settings,
      TENANT,
      'c1',
      { kind: 'quiet_until', forMs: 2 * HOUR },
      clock.now(),
    );
    for (const title of ['one', 'two', 'three']) {
      const event = anEvent({ kind: 'issues', action: 'opened', title });
      await noise.place(event, classified('P2'), {
        tenantId: TENANT,
        conversationId: 'c1',
        card: {},
        text: title,
        priority: 'P2',
        deliveryKey: `k-${title}`,
        chainId: 'ch',
        nodeId: 'n',
        depth: 0,
      });
      clock.advance(1_000);
    }
    const digests = scheduler();
    assert.equal(await digests.tick(), 0, 'still quiet: nothing');
    clock.advance(2 * HOUR - 3_000); // 08:00 UTC: quiet over, digest not due yet
    assert.equal(await digests.tick(), 1);
    const [summary] = await queued();
    assert.match(text(summary!), /While you were quiet: 3 alerts/);
    assert.match(text(summary!), /one.*two.*three/);
    assert.equal(await digests.tick(), 0, 'released: not summarised twice');
    assert.ok(outcomes.includes('held_summary_sent'));

    // Quiet hours over the digest time: the digest waits for the end, and lists what was held.
    await applyNoiseCommand(
      noise.settings,
      TENANT,
      'c1',
      { kind: 'quiet_hours', from: '08:00', to: '10:00' },
      clock.now(),
    );
    await noise.place(
      anEvent({ kind: 'issues', action: 'opened', title: 'four' }),
      classified('P3'),
      {
        tenantId: TENANT,
        conversationId: 'c1',
        card: {},
        text: 'four',
        priority: 'P3',
        deliveryKey: 'k-four',
        chainId: 'ch',
        nodeId: 'n',
        depth: 0,
      },
    );
    clock.set(Date.UTC(2026, 5, 1, 9, 30));
    assert.equal(await digests.tick(), 0, 'quiet hours: the digest waits');
    clock.set(Date.UTC(2026, 5, 1, 10, 0));
    assert.equal(await digests.tick(), 1);
    const digest = (await queued()).at(-1)!;
    assert.match(text(digest), /Daily digest/);
    assert.match(text(digest), /Held while quiet/);
    assert.match(text(digest), /four/);
    assert.deepEqual(await noise.held.list(TENANT, 'c1', 'quiet'), []);
  });
});
