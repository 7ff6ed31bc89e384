import assert from 'node:assert/strict';
import { BurstWindows, burstKeyOf } from '../../../src/routing/noise/burst-windows.js';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { anEvent, classified, manualStore, TENANT } from './noise-fixtures.js';

describe('burst windows', function () {
  let store: SqliteStore;
  let clock: ManualClock;
  beforeEach(async function () {
    ({ store, clock } = await manualStore());
  });
  afterEach(async function () {
    await store.close();
  });

  describe('burstKeyOf', function () {
    const cases: Array<[string, Parameters<typeof anEvent>[0], string | undefined]> = [
      ['a push, per branch', { kind: 'push', branch: 'main' }, 'push|main'],
      ['a status on a commit with no branch', { kind: 'status', sha: 'abc' }, 'ci|abc'],
      ['a check suite', { kind: 'check_suite', branch: 'dev' }, 'ci|dev'],
      ['a workflow run', { kind: 'workflow_run', branch: 'main' }, 'workflow|main'],
      [
        'label churn on an issue',
        { kind: 'issues', action: 'labeled', target: { kind: 'issue', key: '#4', number: 4 } },
        'labels|#4',
      ],
      [
        'an opened issue (never a burst)',
        { kind: 'issues', action: 'opened', target: { kind: 'issue', key: '#4', number: 4 } },
        undefined,
      ],
      ['a release', { kind: 'release', action: 'published' }, undefined],
    ];
    for (const [what, fields, expected] of cases) {
      it(what, function () {
        const key = burstKeyOf(anEvent(fields), classified('P3'));
        assert.equal(key ? `${key.family}|${key.scope}` : undefined, expected);
      });
    }
    it('never collapses P0 or P1 (a failing default branch, a security alert)', function () {
      assert.equal(
        burstKeyOf(anEvent({ kind: 'check_suite', branch: 'main' }), classified('P1')),
        undefined,
      );
      assert.equal(
        burstKeyOf(anEvent({ kind: 'push', branch: 'main' }), classified('P0')),
        undefined,
      );
      assert.ok(burstKeyOf(anEvent({ kind: 'push', branch: 'main' }), classified('P2')));
    });
  });

  it('posts the first event, collapses the next ones within the window, and opens a new burst after it', async function () {
    const bursts = new BurstWindows(store, clock, 60_000);
    const key = { family: 'push' as const, repo: 'acme/app', scope: 'main' };
    const first = await bursts.absorb(
      TENANT,
      'c1',
      key,
      { deliveryKey: 'k1', at: clock.now(), actor: 'alice' },
      'k1|c1',
    );
    assert.equal(first.kind, 'post');
    clock.advance(20_000);
    const second = await bursts.absorb(
      TENANT,
      'c1',
      key,
      { deliveryKey: 'k2', at: clock.now(), actor: 'bob' },
      'k2|c1',
    );
    assert.equal(second.kind, 'collapse');
    assert.equal(
      second.kind === 'collapse' && second.window.alertId,
      'k1|c1',
      'the burst edits the first card',
    );
    assert.deepEqual(second.kind === 'collapse' && [second.window.count, second.window.actors], [
      2,
      ['alice', 'bob'],
    ]);
    // Another conversation has its own window.
    assert.equal(
      (await bursts.absorb(TENANT, 'c2', key, { deliveryKey: 'k2', at: clock.now() }, 'k2|c2'))
        .kind,
      'post',
    );
    // The window slides: 50 s after the last event it is still open...
    clock.advance(50_000);
    assert.equal(
      (await bursts.absorb(TENANT, 'c1', key, { deliveryKey: 'k3', at: clock.now() }, 'k3|c1'))
        .kind,
      'collapse',
    );
    // ...and 61 s of silence close it.
    clock.advance(61_000);
    const fresh = await bursts.absorb(
      TENANT,
      'c1',
      key,
      { deliveryKey: 'k4', at: clock.now() },
      'k4|c1',
    );
    assert.equal(fresh.kind, 'post');
    assert.equal(fresh.kind === 'post' && fresh.window.alertId, 'k4|c1');
  });

  it('counts a re-run delivery once, and lets the opener queue its card again (idempotently)', async function () {
    const bursts = new BurstWindows(store, clock, 60_000);
    const key = { family: 'push' as const, repo: 'acme/app', scope: 'main' };
    await bursts.absorb(TENANT, 'c1', key, { deliveryKey: 'k1', at: 0 }, 'k1|c1');
    await bursts.absorb(TENANT, 'c1', key, { deliveryKey: 'k2', at: 0 }, 'k2|c1');
    assert.equal(
      (await bursts.absorb(TENANT, 'c1', key, { deliveryKey: 'k1', at: 0 }, 'k1|c1')).kind,
      'post',
    );
    assert.equal(
      (await bursts.absorb(TENANT, 'c1', key, { deliveryKey: 'k2', at: 0 }, 'k2|c1')).kind,
      'seen',
    );
    const third = await bursts.absorb(TENANT, 'c1', key, { deliveryKey: 'k3', at: 0 }, 'k3|c1');
    assert.equal(third.kind === 'collapse' && third.window.count, 3);
  });

  it('shares one window between replicas racing on it (conditional writes): one post, the rest collapse', async function () {
    const replicas = [
      new BurstWindows(store, clock, 60_000),
      new BurstWindows(store, clock, 60_000),
      new BurstWindows(store, clock, 60_000),
    ];
    const key = { family: 'push' as const, repo: 'acme/app', scope: 'main' };
    const decisions = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        replicas[i % 3]!.absorb(TENANT, 'c1', key, { deliveryKey: `k${i}`, at: 0 }, `k${i}|c1`),
      ),
    );
    assert.equal(decisions.filter((d) => d.kind === 'post').length, 1);
    assert.equal(decisions.filter((d) => d.kind === 'collapse').length, 11);
    const last = await new BurstWindows(store, clock, 60_000).absorb(
      TENANT,
      'c1',
      key,
      { deliveryKey: 'k-last', at: 0 },
      'x',
    );
    assert.equal(last.kind === 'collapse' && last.window.count, 13, 'no count was lost');
  });

  it('survives a restart: the window is in the store', async function () {
    const key = { family: 'ci' as const, repo: 'acme/app', scope: 'main' };
    await new BurstWindows(store, clock, 60_000).absorb(
      TENANT,
      'c1',
      key,
      { deliveryKey: 'k1', at: 0 },
      'k1|c1',
    );
    const afterRestart = await new BurstWindows(store, clock, 60_000).absorb(
      TENANT,
      'c1',
      key,
      { deliveryKey: 'k2', at: 0 },
      'k2|c1',
    );
    assert.equal(afterRestart.kind, 'collapse');
  });
});
