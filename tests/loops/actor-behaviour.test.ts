/**
 * Behaviour decides what acts like a bot: the two storms of issue W2 7/7 through the ChainTracker
 * (a merge bot repeating itself, automation behind a user token), people who must stay `proceed`,
 * and the admins' `treat <login> as bot|person` from chat.
 */
import assert from 'node:assert/strict';
import type { Assessment } from '../../src/core/chain-records.js';
import { botLikeReason, type ActorAct } from '../../src/loops/actor-behaviour.js';
import { IdentityBook } from '../../src/teams/identity/identity-book.js';
import {
  parseIdentityCommand,
  runIdentityCommand,
} from '../../src/teams/identity/identity-commands.js';
import { event, loopFixture, nodeIdOf, type EventSpec, type LoopFixture } from './loop-fixture.js';

const ADMIN = '11111111-1111-4111-8111-111111111111';

describe('acting like a bot', function () {
  let f: LoopFixture;
  beforeEach(async function () {
    f = await loopFixture();
  });
  afterEach(async function () {
    await f.close();
  });

  const assess = (spec: EventSpec): Promise<Assessment> => {
    const e = event(f.clock, spec);
    return f.tracker.assess(e, nodeIdOf(e));
  };

  async function storm(spec: EventSpec, times: number, gapMs: number): Promise<Assessment[]> {
    const out: Assessment[] = [];
    for (let i = 0; i < times; i += 1) {
      out.push(await assess(spec));
      f.clock.advance(gapMs);
    }
    return out;
  }

  it('a merge bot posting the same comment 20 times on one PR breaks on the third, with one admin alert', async function () {
    const body = 'Merge failed: the queue is full. Retrying (attempt 1) at 2026-06-01T00:00:00Z';
    const verdicts = (
      await storm({ actor: 'merge-queue[bot]', target: '#42', body }, 20, 2_000)
    ).map((a) => a.verdict);
    assert.deepEqual(verdicts.slice(0, 3), ['proceed', 'proceed', 'break'], verdicts.join(','));
    assert.equal(f.broken.length, 1, 'one admin alert');
  });

  it('an account of type User posting the same comment 20 times in seconds is a bot: one chain, broken on the third, named in the audit', async function () {
    const results = await storm(
      {
        actor: 'release-automation',
        bot: false,
        target: '#9',
        body: 'Deployed 4f2a9c1 to staging',
      },
      20,
      400,
    );
    assert.deepEqual(
      results.slice(0, 3).map((a) => a.verdict),
      ['proceed', 'proceed', 'break'],
    );
    assert.equal(results[2]!.node.actorKind, 'bot');
    assert.match(
      results[2]!.node.actsLikeBot ?? '',
      /posted the same text on octo-org\/octo-repo#9 3 times/,
    );
    assert.equal(f.broken.length, 1, 'one admin alert');
    const chains = new Set(results.slice(1).map((a) => a.node.chainId));
    assert.equal(chains.size, 1, 'its repeats join one chain instead of 19 roots');
    const audit = await f.store.queryRecords<{ what: string; detail: string }>({
      kind: 'audit',
      tenantId: 'tenant-a',
      partition: results[2]!.node.chainId,
      limit: 50,
    });
    assert.ok(
      audit.some(
        (a) =>
          a.data.what === 'acts_like_bot' &&
          /^release-automation acts like a bot: /.test(a.data.detail),
      ),
      JSON.stringify(audit.map((a) => a.data)),
    );
    assert.match(results[2]!.chain.reason ?? '', /release-automation acts like a bot/);
    assert.deepEqual(
      results[1]!.repeatOf?.count,
      2,
      'the second post is known as a repeat of the first',
    );
  });

  describe('people are never silenced for being people', function () {
    it('a person pasting "/retest" three times, with the CI bot answering each', async function () {
      for (let i = 0; i < 3; i += 1) {
        assert.equal(
          (await assess({ actor: 'alice', target: '#5', body: '/retest' })).verdict,
          'proceed',
        );
        f.clock.advance(3_000);
        assert.equal(
          (await assess({ actor: 'ci-bot[bot]', target: '#5', body: 'Retesting the failed jobs…' }))
            .verdict,
          'proceed',
        );
        f.clock.advance(9_000);
      }
    });

    it('a review burst: twelve inline comments submitted at once, and the review', async function () {
      for (let i = 0; i < 12; i += 1)
        assert.equal(
          (
            await assess({
              kind: 'pull_request_review_comment',
              actor: 'bob',
              target: '#8',
              body: `nit ${i}`,
            })
          ).verdict,
          'proceed',
        );
      assert.equal(
        (
          await assess({
            kind: 'pull_request_review',
            action: 'submitted',
            actor: 'bob',
            target: '#8',
            body: 'A few nits',
          })
        ).verdict,
        'proceed',
      );
    });

    it('a quick human exchange: two people, a message every 4 s', async function () {
      for (let i = 0; i < 16; i += 1) {
        const a = await assess({
          actor: i % 2 === 0 ? 'alice' : 'bob',
          target: '#3',
          body: i % 3 === 0 ? 'Thanks!' : `point ${i}`,
        });
        assert.equal(a.verdict, 'proceed');
        assert.equal(a.node.actorKind, 'human');
        f.clock.advance(4_000);
      }
    });

    it('the same "LGTM" on ten PRs', async function () {
      for (let i = 0; i < 10; i += 1) {
        assert.equal(
          (await assess({ actor: 'carol', target: `#${100 + i}`, body: 'LGTM' })).verdict,
          'proceed',
        );
        f.clock.advance(3_000);
      }
    });
  });

  describe('the rules', function () {
    const act = (
      at: number,
      content = 'h1',
      target = 'o/r#1',
      length = 30,
      more: Partial<ActorAct> = {},
    ): ActorAct => ({ at, content, target, length, ...more });

    it('machine repeat needs three, each within 2 s', function () {
      assert.equal(botLikeReason([act(0), act(1_500)], act(3_000)) !== undefined, true);
      assert.equal(botLikeReason([act(0), act(2_500)], act(5_000)), undefined);
      assert.equal(botLikeReason([act(0)], act(500)), undefined);
    });

    it('rate: five writes in 10 s anywhere', function () {
      const earlier = [0, 2_000, 4_000, 6_000].map((t, i) => act(t, `c${i}`, `o/r#${i}`));
      assert.match(botLikeReason(earlier, act(8_000, 'c9', 'o/r#9')) ?? '', /5 writes in 8 s/);
      assert.equal(botLikeReason(earlier.slice(1), act(12_000, 'c9', 'o/r#9')), undefined);
    });

    it('metronome: six writes at one cadence of 10 s or more, not faster', function () {
      const every = (gap: number) => [0, 1, 2, 3, 4].map((i) => act(i * gap, `c${i}`, `o/r#${i}`));
      assert.match(
        botLikeReason(every(30_000), act(150_000, 'c5', 'o/r#5')) ?? '',
        /like clockwork/,
      );
      assert.equal(
        botLikeReason(every(3_000), act(15_000, 'c5', 'o/r#5')),
        undefined,
        'the rate rule judges fast cadences',
      );
      const jittery = [0, 31_000, 55_000, 97_000, 120_000].map((t, i) =>
        act(t, `c${i}`, `o/r#${i}`),
      );
      assert.equal(botLikeReason(jittery, act(160_000, 'c5', 'o/r#5')), undefined);
    });

    it('reply speed: two answers in a row within 2 s, sentences not commands', function () {
      assert.match(
        botLikeReason(
          [act(0, 'a', 'o/r#1', 30, { replyGapMs: 800 })],
          act(5_000, 'b', 'o/r#1', 30, { replyGapMs: 1_200 }),
        ) ?? '',
        /answered 2 times/,
      );
      assert.equal(
        botLikeReason(
          [act(0, 'a', 'o/r#1', 7, { replyGapMs: 800 })],
          act(5_000, 'b', 'o/r#1', 7, { replyGapMs: 1_200 }),
        ),
        undefined,
      );
    });
  });

  describe('treat <login> as bot|person (admins, from chat)', function () {
    const conversation = '19:loops@thread.tacv2';
    const admin = { aadObjectId: ADMIN };
    const someone = { aadObjectId: '22222222-2222-4222-8222-222222222222' };

    async function say(text: string, user: { aadObjectId: string }): Promise<string> {
      const parsed = parseIdentityCommand(text);
      assert.ok(parsed.ok, !parsed.ok ? parsed.error : '');
      return runIdentityCommand(
        new IdentityBook(f.store, f.clock, [ADMIN]),
        'tenant-a',
        conversation,
        user,
        parsed.command,
        f.tracker.overrides,
      );
    }

    it('only admins may say it', async function () {
      assert.match(await say('treat release-automation as bot', someone), /Only an admin/);
      assert.equal(await f.tracker.overrides.get('tenant-a', 'release-automation'), undefined);
    });

    it('as bot: a User account links into chains and its slow repeats are a storm', async function () {
      assert.match(
        await say('treat release-automation as bot', admin),
        /treats \*\*release-automation\*\* as a bot/,
      );
      const results = await storm(
        { actor: 'release-automation', bot: false, target: '#11', body: 'Nightly build published' },
        3,
        30_000,
      );
      assert.deepEqual(
        results.map((a) => a.verdict),
        ['proceed', 'proceed', 'break'],
      );
      assert.equal(results[0]!.node.actsLikeBot, 'an admin said to treat it as a bot');
    });

    it('as person: never a bot by behaviour, whatever it does', async function () {
      assert.match(await say('treat fast-typist as person', admin), /as a person/);
      const results = await storm(
        { actor: 'fast-typist', bot: false, target: '#12', body: 'same again' },
        6,
        300,
      );
      assert.ok(results.every((a) => a.verdict === 'proceed' && a.node.actorKind === 'human'));
    });
  });
});
