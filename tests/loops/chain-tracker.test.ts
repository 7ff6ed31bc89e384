import assert from 'node:assert/strict';
import type { ChainNode } from '../../src/core/chain-records.js';
import { withMarker } from '../../src/loops/marker.js';
import { normalise } from '../../src/github/normalise.js';
import { loadWebhookExamples } from '../support/webhook-examples.js';
import {
  APP_SLUG,
  event,
  loopFixture,
  MARKER_KEY,
  nodeIdOf,
  type LoopFixture,
} from './loop-fixture.js';

describe('ChainTracker', function () {
  let f: LoopFixture;
  beforeEach(async function () {
    f = await loopFixture();
  });
  afterEach(async function () {
    await f.close();
  });

  const assess = (e: ReturnType<typeof event>) => f.tracker.assess(e, nodeIdOf(e));

  it('starts a new chain for a person, at depth 0, with proceed', async function () {
    const a = await assess(event(f.clock, { actor: 'alice' }));
    assert.equal(a.node.link, 'root');
    assert.equal(a.node.depth, 0);
    assert.equal(a.node.actorKind, 'human');
    assert.equal(a.verdict, 'proceed');
    assert.equal(a.chain.nodes, 1);
    const stored = await f.store.getRecord<ChainNode>('chain_node', a.node.chainId, a.node.nodeId);
    assert.equal(stored?.data.summary, 'issue_comment.created on octo-org/octo-repo#1 by alice');
  });

  it('links a bot answering the previous event on the same target (reply), one hop deeper', async function () {
    const human = await assess(event(f.clock, { actor: 'alice' }));
    f.clock.advance(2000);
    const bot = await assess(event(f.clock, { actor: 'welcome[bot]' }));
    assert.equal(bot.node.link, 'reply');
    assert.equal(bot.node.chainId, human.node.chainId);
    assert.equal(bot.node.parentId, human.node.nodeId);
    assert.equal(bot.node.depth, 1);
    assert.equal(bot.node.actorKind, 'bot');
  });

  it('does not link a bot that answers late (past the reply window), or on another target, or a person', async function () {
    await assess(event(f.clock, { actor: 'alice' }));
    f.clock.advance(f.tracker.settings.replyWindowMs + 1);
    assert.equal((await assess(event(f.clock, { actor: 'late[bot]' }))).node.link, 'root');
    assert.equal(
      (await assess(event(f.clock, { actor: 'other[bot]', target: '#2' }))).node.link,
      'root',
    );
    assert.equal(
      (await assess(event(f.clock, { actor: 'bob' }))).node.link,
      'root',
      'people always start chains',
    );
  });

  it('links through our signed marker, and recognises the event as our own', async function () {
    const body = withMarker(
      'Reynolds here.',
      { chainId: 'ch-known', depth: 3, actId: 'act-1' },
      MARKER_KEY,
    );
    const a = await assess(event(f.clock, { actor: 'someone-with-a-token', body }));
    assert.equal(a.node.link, 'marker');
    assert.equal(a.node.chainId, 'ch-known');
    assert.equal(a.node.parentId, 'act-1');
    assert.equal(a.node.depth, 3);
    assert.equal(
      a.node.actorKind,
      'self',
      'a token-driven bot (type User) is caught by the marker',
    );
  });

  it('does not link through a forged marker', async function () {
    const body = withMarker(
      'I am Reynolds, trust me.',
      { chainId: 'ch-victim', depth: 9, actId: 'act-1' },
      'not-our-key-0123456789abcdef',
    );
    const a = await assess(event(f.clock, { actor: 'mallory', body }));
    assert.equal(a.node.link, 'root');
    assert.notEqual(a.node.chainId, 'ch-victim');
  });

  it('recognises itself by app bot login and by performed_via_github_app', async function () {
    assert.equal(
      (await assess(event(f.clock, { actor: `${APP_SLUG}[bot]` }))).node.actorKind,
      'self',
    );
    assert.equal(
      (await assess(event(f.clock, { actor: 'carol', performedViaAppId: 4242 }))).node.actorKind,
      'self',
    );
    assert.equal(
      (await assess(event(f.clock, { actor: 'dependabot[bot]' }))).node.actorKind,
      'bot',
      'another bot is not us',
    );
  });

  it('links the echo of a markerless write (a label) and consumes the expectation', async function () {
    const human = await assess(
      event(f.clock, { actor: 'alice', kind: 'issues', action: 'opened' }),
    );
    const outcome = await f.guard.perform(
      {
        tenantId: 'tenant-a',
        kind: 'label_add',
        repo: 'octo-org/octo-repo',
        target: '#1',
        detail: 'triage',
        who: 'reynolds',
        trigger: { ...human.node, actorKind: 'human' },
      },
      async () => 'ok',
    );
    assert.equal(outcome.done, true);
    f.clock.advance(500);
    const echo = await assess(
      event(f.clock, {
        actor: 'someone',
        kind: 'issues',
        action: 'labeled',
        changedLabel: 'triage',
      }),
    );
    assert.equal(echo.node.link, 'echo');
    assert.equal(echo.node.chainId, human.node.chainId);
    assert.equal(echo.node.depth, 1);
    const again = await assess(
      event(f.clock, {
        actor: 'someone',
        kind: 'issues',
        action: 'labeled',
        changedLabel: 'triage',
      }),
    );
    assert.equal(again.node.link, 'root', 'one write, one echo');
    const otherLabel = await assess(
      event(f.clock, { actor: 'someone', kind: 'issues', action: 'labeled', changedLabel: 'bug' }),
    );
    assert.equal(otherLabel.node.link, 'root');
  });

  it('depth: a long bot-to-bot chain dampens, then breaks, and alerts the admins once', async function () {
    let previous = await assess(event(f.clock, { actor: 'alice' }));
    const verdicts: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      f.clock.advance(90_000); // slower than ping-pong: only depth speaks
      previous = await assess(
        event(f.clock, {
          actor: `bot-${i}[bot]`,
          body: `step ${i} ${'abcdefghij'[i % 10]!.repeat(i + 1)}`,
        }),
      );
      verdicts.push(previous.verdict);
    }
    assert.deepEqual(
      previous.node.signals.map((s) => s.name),
      ['depth'],
    );
    assert.equal(verdicts[0], 'proceed');
    assert.ok(verdicts.includes('dampen'), verdicts.join(','));
    assert.equal(verdicts.at(-1), 'break');
    assert.equal(f.broken.length, 1, 'one admin alert per chain');
    const audit = await f.store.queryRecords({
      kind: 'audit',
      tenantId: 'tenant-a',
      partition: previous.node.chainId,
      limit: 50,
    });
    assert.ok(audit.some((a) => a.data.what === 'admin_alert'));
    assert.ok(audit.some((a) => a.data.what === 'verdict'));
  });

  it('ping-pong: two bots taking quick turns break the chain within three hops', async function () {
    const verdicts: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      f.clock.advance(1500);
      const a = await assess(
        event(f.clock, {
          actor: i % 2 === 0 ? 'ping[bot]' : 'pong[bot]',
          body: `reply number ${i}`,
        }),
      );
      verdicts.push(a.verdict);
    }
    assert.deepEqual(
      verdicts.slice(0, 4),
      ['proceed', 'proceed', 'dampen', 'break'],
      verdicts.join(','),
    );
    assert.equal(f.broken.length, 1);
  });

  it('ping-pong: a person talking with a bot is a conversation, not a loop', async function () {
    for (let i = 0; i < 20; i += 1) {
      f.clock.advance(1500);
      const a = await assess(
        event(f.clock, { actor: i % 2 === 0 ? 'alice' : 'helper[bot]', body: `message ${i}` }),
      );
      assert.equal(a.verdict, 'proceed', `message ${i}`);
    }
  });

  it('repeat: a bot saying the same thing again on its chain', async function () {
    await assess(event(f.clock, { actor: 'alice' }));
    const signals: string[][] = [];
    for (let i = 0; i < 3; i += 1) {
      f.clock.advance(70_000); // past the ping-pong gap, inside the reply window
      const a = await assess(
        event(f.clock, {
          actor: i % 2 === 0 ? 'echo[bot]' : 'alice-bot[bot]',
          body: 'Build 1234 passed',
        }),
      );
      signals.push(a.node.signals.map((s) => s.name));
    }
    assert.ok(!signals[1]!.includes('repeat'), 'another bot saying it is not a repeat');
    assert.ok(
      signals[2]!.includes('repeat'),
      `echo[bot] saying it again is: ${JSON.stringify(signals)}`,
    );
  });

  it('target rate: dozens of bot events on one conversation in a minute', async function () {
    let last;
    for (let i = 0; i < 40; i += 1) {
      f.clock.advance(1000);
      last = await assess(
        event(f.clock, { actor: 'spammer[bot]', body: `message ${i} ${'x'.repeat(i)}` }),
      );
    }
    assert.ok(last!.node.signals.some((s) => s.name === 'target_rate'));
  });

  it('a retried delivery gets the same answer and is counted once', async function () {
    const e = event(f.clock, { actor: 'alice' });
    const first = await assess(e);
    const second = await assess(e);
    assert.deepEqual(second, first);
    assert.equal((await f.store.getRecord('chain', 'tenant-a', first.node.chainId))?.data.nodes, 1);
  });

  it('keeps the working set bounded whatever the load', async function () {
    const small = await loopFixture({ workingSetMax: 100 });
    try {
      for (let i = 0; i < 1000; i += 1) {
        const e = event(small.clock, { actor: 'alice', target: `#${i}` });
        await small.tracker.assess(e, nodeIdOf(e));
      }
      assert.ok(small.tracker.working.targets.size <= 100);
      assert.ok(small.tracker.working.chains.size <= 100);
      assert.ok(small.tracker.working.assessed.size <= 100);
    } finally {
      await small.close();
    }
  });

  it('gives every one of the 329 recorded payloads proceed, replayed in order', async function () {
    const examples = loadWebhookExamples();
    for (const [i, example] of examples.entries()) {
      f.clock.advance(1000);
      const e = normalise({
        tenantId: 'tenant-a',
        deliveryId: `replay-${i}`,
        event: example.event,
        payload: example.payload as Record<string, unknown>,
        receivedAt: f.clock.now(),
      });
      const a = await f.tracker.assess(e, `ev-replay-${i}`);
      assert.equal(
        a.verdict,
        'proceed',
        `${example.event}#${example.index}: ${JSON.stringify(a.node.signals)}`,
      );
    }
  });
});
