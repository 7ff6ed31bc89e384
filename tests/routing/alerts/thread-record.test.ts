/**
 * The `thread` record kind has one owner (routing/alerts/thread-record.ts): both of its writers,
 * the thread book (thread roots) and posted alerts, share one partition per conversation, never
 * collide on an id, and expire together 30 days after they are written.
 */
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.js';
import { PostedAlerts } from '../../../src/routing/alerts/posted-alerts.js';
import {
  THREAD_TTL_MS,
  postedAlertId,
  threadRootId,
} from '../../../src/routing/alerts/thread-record.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { ThreadBook } from '../../../src/teams/sending/thread-book.js';

const TENANT = 'tenant-t';
const CHANNEL = '19:channel@thread.tacv2';
const DAY = 24 * 3600_000;

describe('the thread record (thread roots and posted alerts)', function () {
  let store: SqliteStore;
  let clock: ManualClock;

  beforeEach(async function () {
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 3600_000 });
    await store.init();
  });
  afterEach(async function () {
    await store.close();
  });

  it('keeps a thread root and a posted alert side by side in the conversation, each for 30 days', async function () {
    const threads = new ThreadBook(store, clock);
    const posted = new PostedAlerts(store, clock);
    const alertId = `hook-1:d-1|${CHANNEL}`;
    await threads.start(TENANT, CHANNEL, 'octo-org/octo-repo#7', 'root-activity');
    await posted.record({
      alertId,
      tenantId: TENANT,
      conversationId: CHANNEL,
      postedTo: CHANNEL,
      activityId: 'card-activity',
      priority: 'P2',
      chainId: 'ch-1',
      nodeId: 'n-1',
      depth: 0,
      threadKey: 'octo-org/octo-repo#7',
    });

    const records = await store.queryRecords({
      kind: 'thread',
      tenantId: TENANT,
      partition: CHANNEL,
      limit: 10,
    });
    assert.deepEqual(
      records.map((r) => r.id).sort(),
      [threadRootId('octo-org/octo-repo#7'), postedAlertId(alertId)].sort(),
    );
    for (const record of records)
      assert.equal(record.expiresAt, Date.UTC(2026, 5, 1) + THREAD_TTL_MS);
    assert.equal(THREAD_TTL_MS, 30 * DAY);

    clock.advance(30 * DAY - 1);
    assert.equal(await threads.root(TENANT, CHANNEL, 'octo-org/octo-repo#7'), 'root-activity');
    assert.equal((await posted.find(alertId))?.activityId, 'card-activity');
    clock.advance(1);
    assert.equal(
      await threads.root(TENANT, CHANNEL, 'octo-org/octo-repo#7'),
      undefined,
      'a thread root expires after 30 days',
    );
    assert.equal(await posted.find(alertId), undefined, 'a posted alert expires with it');
  });

  it('a posted alert id never reads as a thread root', async function () {
    assert.notEqual(postedAlertId('x'), threadRootId('x'));
    const posted = new PostedAlerts(store, clock);
    await posted.record({
      alertId: `k|${CHANNEL}`,
      tenantId: TENANT,
      conversationId: CHANNEL,
      postedTo: CHANNEL,
      activityId: 'a',
      priority: 'P3',
      chainId: 'c',
      nodeId: 'n',
      depth: 0,
    });
    assert.equal(
      await new ThreadBook(store, clock).root(TENANT, CHANNEL, `k|${CHANNEL}`),
      undefined,
    );
  });
});
