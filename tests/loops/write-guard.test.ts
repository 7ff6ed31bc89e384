import assert from 'node:assert/strict';
import { parseMarker } from '../../src/loops/marker.js';
import type { WriteIntent } from '../../src/loops/write-guard.js';
import { event, loopFixture, MARKER_KEY, nodeIdOf, type LoopFixture } from './loop-fixture.js';

describe('WriteGuard', function () {
  let f: LoopFixture;
  beforeEach(async function () {
    f = await loopFixture();
  });
  afterEach(async function () {
    await f.close();
  });

  async function trigger(spec: Parameters<typeof event>[1]) {
    const e = event(f.clock, spec);
    const a = await f.tracker.assess(e, nodeIdOf(e));
    return a.node;
  }

  function intent(
    node: Awaited<ReturnType<typeof trigger>>,
    overrides: Partial<WriteIntent> = {},
  ): WriteIntent {
    return {
      tenantId: 'tenant-a',
      kind: 'comment',
      repo: 'octo-org/octo-repo',
      target: '#1',
      detail: 'Thanks, on it!',
      who: 'reynolds',
      trigger: node,
      ...overrides,
    };
  }

  it('lets a write answering a person through, marked, and records the act', async function () {
    const human = await trigger({ actor: 'alice' });
    let sent = '';
    const outcome = await f.guard.perform(intent(human), async (permit) => {
      sent = permit.markedText!;
      return 'comment-1';
    });
    assert.equal(outcome.done, true);
    assert.equal(outcome.done && outcome.value, 'comment-1');
    const mark = parseMarker(sent, MARKER_KEY);
    assert.equal(mark?.chainId, human.chainId);
    assert.equal(mark?.depth, 1);
    const audit = await f.store.queryRecords({
      kind: 'audit',
      tenantId: 'tenant-a',
      partition: human.chainId,
      limit: 10,
    });
    assert.deepEqual(
      audit.map((a) => a.data.what),
      ['act'],
    );
    assert.equal(
      (await f.store.getRecord('chain', 'tenant-a', human.chainId))?.data.reynoldsActed,
      true,
    );
  });

  it("refuses to answer a bot that answered us (the first turn of a loop), without silencing the chain's alerts", async function () {
    const human = await trigger({ actor: 'alice' });
    await f.guard.perform(intent(human), async () => 'ok');
    f.clock.advance(1000);
    const echoBot = await trigger({ actor: 'echo[bot]', body: 'You said: Thanks, on it!' });
    assert.equal(echoBot.chainId, human.chainId);
    let called = false;
    const outcome = await f.guard.perform(
      intent(echoBot, { detail: 'Happy to help!' }),
      async () => {
        called = true;
      },
    );
    assert.equal(called, false, 'the write never happens');
    assert.equal(outcome.done, false);
    assert.equal(!outcome.done && outcome.signals[0]?.name, 'bot_reaction');
    // Circumstantial evidence (a bot spoke after we did) refuses this write; it does not dampen the
    // chain, whose alerts keep flowing. Repeated evidence does (see the scenarios in bench/loops).
    const chain = await f.store.getRecord('chain', 'tenant-a', human.chainId);
    assert.equal(chain?.data.verdict, 'proceed');
    const audit = await f.store.queryRecords({
      kind: 'audit',
      tenantId: 'tenant-a',
      partition: human.chainId,
      limit: 10,
    });
    assert.ok(audit.some((a) => a.data.what === 'act_refused'));
  });

  it('refuses a write that repeats one already made on the chain', async function () {
    const human = await trigger({ actor: 'alice', kind: 'issues', action: 'opened' });
    const label = intent(human, { kind: 'label_add', detail: 'triage' });
    assert.equal((await f.guard.perform(label, async () => 'ok')).done, true);
    const again = await f.guard.perform(
      { ...label, trigger: { ...human, nodeId: 'ev-other' } },
      async () => 'ok',
    );
    assert.equal(again.done, false);
    assert.equal(!again.done && again.signals.some((s) => s.name === 'repeat_write'), true);
  });

  it('does not write twice when a retried pipeline asks again for the same act', async function () {
    const human = await trigger({ actor: 'alice' });
    let calls = 0;
    await f.guard.perform(intent(human), async () => ++calls);
    const retry = await f.guard.perform(intent(human), async () => ++calls);
    assert.equal(calls, 1);
    assert.equal(retry.done && retry.repeated, true);
  });

  it('on a broken chain refuses everything, Teams posts included', async function () {
    let last;
    for (let i = 0; i < 4; i += 1) {
      f.clock.advance(1000);
      last = await trigger({ actor: i % 2 === 0 ? 'ping[bot]' : 'pong[bot]', body: `turn ${i}` });
    }
    assert.equal(last!.verdict, 'break');
    const post = await f.guard.perform(
      intent(last!, {
        kind: 'teams_post',
        repo: 'conversation-1',
        target: 'thread',
        detail: 'card',
      }),
      async () => 'posted',
    );
    assert.equal(post.done, false);
    assert.equal(!post.done && post.verdict, 'break');
  });

  it('on a dampened chain refuses GitHub writes but lets alerts (Teams posts) through', async function () {
    const human = await trigger({ actor: 'alice' });
    await f.guard.perform(intent(human), async () => 'ok');
    // The same write again on the chain (a retry under another trigger id): refused, and it dampens.
    const repeat = await f.guard.perform(
      intent({ ...human, nodeId: 'ev-elsewhere' }),
      async () => 'never',
    );
    assert.equal(!repeat.done && repeat.signals[0]?.name, 'repeat_write');
    assert.equal(
      (await f.store.getRecord('chain', 'tenant-a', human.chainId))?.data.verdict,
      'dampen',
    );
    const label = await f.guard.perform(
      intent(human, { kind: 'label_add', detail: 'x' }),
      async () => 'never',
    );
    assert.equal(
      !label.done && label.verdict,
      'dampen',
      'even a person-triggered GitHub write waits on a dampened chain',
    );
    const post = await f.guard.perform(
      intent(human, {
        kind: 'teams_post',
        repo: 'conversation-1',
        target: 'thread',
        detail: 'card',
      }),
      async () => 'posted',
    );
    assert.equal(post.done && post.value, 'posted');
  });

  it("treats a chat call of another MCP server's write tool as an outward write: recorded once, refused on a dampened chain", async function () {
    const human = await trigger({ actor: 'alice' });
    const call = intent(human, {
      kind: 'tool_call',
      repo: 'mcp:helpdesk',
      target: 'tool:file_ticket',
      detail: '{"title":"printer"}',
      who: 'teams:alice',
    });
    let calls = 0;
    assert.equal((await f.guard.perform(call, async () => ++calls)).done, true);
    const again = await f.guard.perform(call, async () => ++calls);
    assert.equal(
      again.done && again.repeated,
      true,
      'the same call for the same message is done once',
    );
    const audit = await f.store.queryRecords({
      kind: 'audit',
      tenantId: 'tenant-a',
      partition: human.chainId,
      limit: 10,
    });
    assert.deepEqual(
      audit.map((a) => a.data.detail),
      ['call helpdesk.file_ticket ({"title":"printer"})'],
    );
    // Another write repeated on the chain dampens it; then the tool call waits too.
    await f.guard.perform(intent(human), async () => 'ok');
    await f.guard.perform(intent({ ...human, nodeId: 'ev-elsewhere' }), async () => 'never');
    const held = await f.guard.perform(
      { ...call, detail: '{"title":"another"}' },
      async () => ++calls,
    );
    assert.equal(!held.done && held.verdict, 'dampen');
    assert.equal(calls, 1);
  });

  it('a person acting from a Teams card can write even after a bot spoke', async function () {
    const human = await trigger({ actor: 'alice' });
    await f.guard.perform(intent(human), async () => 'ok');
    f.clock.advance(1000);
    const bot = await trigger({ actor: 'ci[bot]' });
    // The card about the bot's event carries its node; the click is a person's decision.
    const outcome = await f.guard.perform(
      intent(
        { ...bot, actorKind: 'human', actor: 'teams:alice' },
        { who: 'teams:alice', detail: 'Looking now' },
      ),
      async () => 'ok',
    );
    assert.equal(outcome.done, true);
    assert.equal(outcome.done && outcome.act.link, 'teams');
  });

  it('a write that fails records nothing, so the retry runs the guard again', async function () {
    const human = await trigger({ actor: 'alice' });
    await assert.rejects(
      f.guard.perform(intent(human), async () => Promise.reject(new Error('GitHub said 502'))),
      /502/,
    );
    let calls = 0;
    const retry = await f.guard.perform(intent(human), async () => ++calls);
    assert.equal(calls, 1);
    assert.equal(retry.done && retry.repeated, false);
  });
});
