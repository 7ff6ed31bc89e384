/**
 * Each chat action against fakes of its ports (GitHubReader, ModelPool, DigestSource) and the real
 * SQLite store: the right answer for good input, and a clear in-voice line for bad input, unknown
 * repos, GitHub errors and a pool that is down. Cards are parsed by the adaptivecards package.
 */
import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { ManualClock } from '../../../src/core/clock.js';
import { GitHubReadError } from '../../../src/github/github-reader.js';
import type { AuditEntry, ChainNode, ChainSummary } from '../../../src/core/chain-records.js';
import {
  chainNotFoundLine,
  digestNotAvailableLine,
  githubErrorLine,
  poolDownLine,
} from '../../../src/persona/chat-replies.js';
import { digestQueuedLine } from '../../../src/persona/replies.js';
import { helpLines } from '../../../src/persona/replies.js';
import { SubscriptionBook } from '../../../src/routing/subscriptions/subscription-book.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type {
  ActionReply,
  ActionScope,
  ChatActionDeps,
} from '../../../src/teams/actions/chat-action.js';
import { CHAT_ACTIONS } from '../../../src/teams/actions/index.js';
import {
  FakeDigest,
  FakeGitHubReader,
  FakeModelPool,
  issueOf,
  pullOf,
} from '../../support/chat-fakes.js';

const TENANT = 'tenant-1';
const SCOPE: ActionScope = {
  tenantId: TENANT,
  conversationId: 'conv-1',
  userId: 'user-1',
  userName: 'Wade Wilson',
};

function cardErrors(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const errors: AC.IValidationError[] = [];
  parsed.parse(card, errors);
  const failures = parsed.validateProperties().failures.flatMap((failure) => failure.errors);
  return [...errors, ...failures]
    .filter((e) => e.error !== AC.ValidationError.UnsupportedCardVersion)
    .map((e) => e.message);
}

function cardText(reply: ActionReply): string {
  assert.ok(reply.card, 'the reply has a card');
  assert.deepEqual(cardErrors(reply.card), []);
  return JSON.stringify(reply.card);
}

describe('chat actions', function () {
  let store: SqliteStore;
  let clock: ManualClock;
  let reader: FakeGitHubReader;
  let pool: FakeModelPool;
  let digest: FakeDigest;
  let deps: ChatActionDeps;

  const run = async (
    name: string,
    parameters: Record<string, unknown> = {},
    overrides: Partial<ChatActionDeps> = {},
  ) => {
    const action = CHAT_ACTIONS.find((a) => a.name === name);
    assert.ok(action, `action ${name} exists`);
    return action.run(SCOPE, parameters, { ...deps, ...overrides });
  };

  beforeEach(async function () {
    clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
    store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 3600_000 });
    await store.init();
    reader = new FakeGitHubReader();
    pool = new FakeModelPool();
    digest = new FakeDigest();
    deps = {
      store,
      clock,
      subscriptions: new SubscriptionBook(store, clock),
      status: {
        status: async () => ({
          store: 'sqlite',
          ready: true,
          pending: 3,
          processing: 1,
          failed: 0,
        }),
      },
      reader,
      pool,
      digest,
    };
    reader.pulls.set('acme/app#12', pullOf('acme/app', 12));
    reader.issues.set('acme/app#7', issueOf('acme/app', 7));
    reader.files.set('acme/app#12', [
      { path: 'src/wings/left.ts', additions: 60, deletions: 2, patch: '+fly()' },
      { path: 'src/wings/right.ts', additions: 50, deletions: 2 },
      { path: 'docs/flying.md', additions: 10, deletions: 4 },
    ]);
    reader.codeowners.set(
      'acme/app',
      '* @acme/core\n/src/wings/ @colossus @wade\ndocs/ @negasonic\n',
    );
  });

  afterEach(async function () {
    await store.close();
  });

  async function addChain(
    chain: Partial<ChainSummary> & { chainId: string },
    node?: Partial<ChainNode>,
    audit?: Partial<AuditEntry>,
  ) {
    const summary: ChainSummary = {
      tenantId: TENANT,
      repo: 'acme/app',
      root: 'issue_comment.created on acme/app#12 by echo-bot[bot]',
      startedAt: clock.now(),
      updatedAt: clock.now(),
      depth: 4,
      nodes: 6,
      score: 0.95,
      verdict: 'break',
      reason: 'ping-pong between two bots',
      adminAlerted: true,
      ...chain,
    };
    await store.putRecord({
      kind: 'chain',
      tenantId: TENANT,
      partition: TENANT,
      id: chain.chainId,
      data: summary,
    });
    const n: ChainNode = {
      nodeId: `${chain.chainId}-n1`,
      chainId: chain.chainId,
      depth: 1,
      kind: 'event',
      link: 'reply',
      at: clock.now(),
      repo: 'acme/app',
      target: '#12',
      actorKind: 'bot',
      summary: 'x',
      fingerprint: 'f',
      score: 0.95,
      verdict: summary.verdict,
      signals: [{ name: 'ping_pong', strength: 0.9, detail: 'two bots took turns 4 times' }],
      ...node,
    };
    await store.putRecord({
      kind: 'chain_node',
      tenantId: TENANT,
      partition: chain.chainId,
      id: n.nodeId,
      data: n,
    });
    if (audit) {
      const a: AuditEntry = {
        id: `${chain.chainId}-a1`,
        chainId: chain.chainId,
        at: clock.now(),
        who: 'reynolds',
        what: 'verdict',
        detail: 'broke the chain',
        score: 0.95,
        verdict: 'break',
        signals: [{ name: 'depth', strength: 0.6, detail: 'depth 4' }],
        ...audit,
      };
      await store.putRecord({
        kind: 'audit',
        tenantId: TENANT,
        partition: chain.chainId,
        id: a.id,
        data: a,
      });
    }
    clock.advance(1000);
  }

  it('help answers the help text', async function () {
    assert.equal((await run('help')).text, helpLines());
  });

  describe('status', function () {
    it('shows store, inbox and pool with open breakers in a card', async function () {
      const reply = await run('status');
      assert.match(
        reply.text!,
        /Inbox: 3 waiting, 1 in progress, 0 parked as failed\. Model pool: review · 2\/10 in flight · 1 queued\./,
      );
      const card = cardText(reply);
      assert.match(card, /3 waiting · 1 in progress · 0 failed/);
      assert.match(card, /Breakers open/);
      pool.roles.add('security');
      assert.match(cardText(await run('status')), /security\/security-1 open/);
    });

    it('says the pool is not configured when there is none', async function () {
      const reply = await run('status', {}, { pool: undefined });
      assert.match(reply.text!, /Model pool: not configured/);
    });
  });

  describe('lookup', function () {
    it('shows a PR with checks, reviewers and its chain', async function () {
      await addChain({ chainId: 'chain-a' });
      const reply = await run('lookup', { reference: 'acme/app#12' });
      const card = cardText(reply);
      assert.match(card, /acme\/app#12: Teach the widget to fly/);
      assert.match(card, /failing \(4\): lint/);
      assert.match(card, /vanessa/);
      assert.match(card, /colossus/);
      assert.match(card, /chain-a \(stopped, 6 events\)/);
      assert.match(card, /https:\/\/github.com\/acme\/app\/pull\/12/);
      assert.match(reply.summary, /checks failure failing: lint/);
    });

    it('accepts a github.com link and falls through to the issue when a short reference is not a PR', async function () {
      assert.match(
        cardText(await run('lookup', { reference: 'https://github.com/acme/app/pull/12/files' })),
        /Teach the widget/,
      );
      const issue = await run('lookup', { reference: 'acme/app#7' });
      assert.match(cardText(issue), /The widget will not fly/);
      assert.deepEqual(reader.calls.slice(-2), [
        'getPullRequest acme/app#7',
        'getIssue acme/app#7',
      ]);
      assert.match(
        cardText(await run('lookup', { reference: 'acme/app', number: '7' })),
        /Issue by dopinder/,
      );
    });

    it('answers bad and missing references with the syntax', async function () {
      assert.match((await run('lookup', {})).text!, /Which one\? Give me owner\/repo#123/);
      assert.match(
        (await run('lookup', { reference: 'acme/app' })).text!,
        /is a repository; which number\? Write acme\/app#123/,
      );
      assert.match(
        (await run('lookup', { reference: 'not a thing!' })).text!,
        /is not a PR or issue I can read/,
      );
      assert.match((await run('lookup', { reference: 'acme/app#0' })).text!, /start at 1/);
      assert.deepEqual(reader.calls, [], 'GitHub is not asked about nonsense');
    });

    it('answers an unknown repo and every GitHub error kind in voice', async function () {
      assert.equal(
        (await run('lookup', { reference: 'nobody/nothing#1' })).text,
        githubErrorLine('not_found', 'nobody/nothing#1'),
      );
      for (const kind of ['rate_limited', 'unauthorized', 'forbidden', 'unavailable'] as const) {
        reader.failing.set(
          'acme/app',
          new GitHubReadError(kind, 'boom', Date.UTC(2026, 10, 24, 13, 5)),
        );
        const reply = await run('lookup', { reference: 'acme/app#12' });
        assert.equal(
          reply.text,
          githubErrorLine(kind, 'acme/app#12', Date.UTC(2026, 10, 24, 13, 5)),
        );
        assert.equal(reply.card, undefined);
      }
      assert.match(
        githubErrorLine('rate_limited', 'x', Date.UTC(2026, 10, 24, 13, 5)),
        /resets at 13:05 UTC/,
      );
      assert.match(
        (await run('lookup', { reference: 'acme/app#12' }, { reader: undefined })).text!,
        /no GitHub access is configured/,
      );
    });

    it('lets a bug (not a GitHub error) through to the dispatcher, which logs it', async function () {
      reader.failing.set('acme/app', new TypeError('cannot read properties of undefined'));
      await assert.rejects(run('lookup', { reference: 'acme/app#12' }), TypeError);
    });
  });

  describe('summarize', function () {
    it("uses the pool's review role when the repo is in the pilot, and says so", async function () {
      const reply = await run('summarize', { reference: 'acme/app#12' });
      assert.match(
        reply.text!,
        /^\*\*Summary of acme\/app#12\*\* \(by the review model, fake-model; check it against the diff\):\n- Adds wings\./,
      );
      assert.equal(pool.requests[0]?.role, 'review');
      assert.match(
        pool.requests[0]!.request.messages[1]!.content,
        /src\/wings\/left.ts \(\+60 -2\)\n\+fly\(\)/,
      );
    });

    it('writes its own summary when the repo is not in the pilot, and says so', async function () {
      pool.deny = ['acme/app'];
      const reply = await run('summarize', { reference: 'acme/app#12' });
      assert.match(reply.text!, /written by me from the PR's data; no model is used for this repo/);
      assert.match(reply.text!, /open PR by wade: wings → main, \+120 −8 in 3 files/);
      assert.match(reply.text!, /Touches: src, docs/);
      assert.match(reply.text!, /Biggest changes: src\/wings\/left.ts \(\+60 −2\)/);
      assert.match(reply.text!, /failing: lint/);
      assert.equal(pool.requests.length, 0);
    });

    it('falls back to the written summary when the pool is down', async function () {
      pool.down = new Error('all breakers open');
      const reply = await run('summarize', { reference: 'acme/app#12' });
      assert.ok(reply.text!.startsWith(poolDownLine()));
      assert.match(reply.text!, /written by me/);
    });

    it('uses docs when review is not served, and the written summary with no pool at all', async function () {
      pool.roles = new Set(['docs']);
      await run('summarize', { reference: 'acme/app#12' });
      assert.equal(pool.requests[0]?.role, 'docs');
      assert.match(
        (await run('summarize', { reference: 'acme/app#12' }, { pool: undefined })).text!,
        /written by me/,
      );
    });

    it('refuses a missing reference and reports a missing PR', async function () {
      assert.match((await run('summarize', {})).text!, /Which one\?/);
      assert.equal(
        (await run('summarize', { reference: 'acme/app#99' })).text,
        githubErrorLine('not_found', 'acme/app#99'),
      );
    });
  });

  describe('suggest_reviewers', function () {
    it('suggests code owners of the changed files with why, not the author', async function () {
      const reply = await run('suggest_reviewers', { reference: 'acme/app#12' });
      const card = cardText(reply);
      assert.match(
        reply.summary,
        /@colossus \(code owner of 2 changed files: src\/wings\/left.ts, src\/wings\/right.ts \(already asked\)\)/,
      );
      assert.match(reply.summary, /@negasonic \(code owner of 1 changed file: docs\/flying.md\)/);
      assert.doesNotMatch(reply.summary, /@wade \(/, 'the author is not suggested');
      assert.doesNotMatch(reply.summary, /@acme\/core/, 'a later rule overrides *');
      assert.match(card, /does not get to review their own PR/);
    });

    it('says when there is no CODEOWNERS, and names requested reviewers', async function () {
      reader.codeowners.delete('acme/app');
      const reply = await run('suggest_reviewers', { reference: 'acme/app#12' });
      assert.match(cardText(reply), /has no CODEOWNERS file/);
      assert.match(reply.summary, /@colossus \(already asked to review on GitHub/);
    });

    it('reports GitHub errors', async function () {
      reader.failing.set('acme/app', new GitHubReadError('forbidden', 'nope'));
      assert.equal(
        (await run('suggest_reviewers', { reference: 'acme/app#12' })).text,
        githubErrorLine('forbidden', 'acme/app#12'),
      );
    });
  });

  describe('chains', function () {
    it('lists recent chains with verdicts, filtered by repo and verdict', async function () {
      await addChain({ chainId: 'chain-a' });
      await addChain({
        chainId: 'chain-b',
        verdict: 'proceed',
        score: 0.1,
        reason: undefined,
        repo: 'acme/web',
      });
      const all = await run('recent_chains');
      const card = cardText(all);
      assert.match(card, /chain-a\*\* · stopped/);
      assert.match(card, /chain-b\*\* · flowing/);
      assert.ok(card.indexOf('chain-b') < card.indexOf('chain-a'), 'newest first');
      assert.doesNotMatch(cardText(await run('recent_chains', { repo: 'acme/app' })), /chain-b/);
      assert.doesNotMatch(cardText(await run('recent_chains', { verdict: 'break' })), /chain-b/);
      assert.match(
        (await run('recent_chains', { repo: 'acme/none' })).text!,
        /No event chains for acme\/none/,
      );
    });

    it('refuses bad filters', async function () {
      assert.match(
        (await run('recent_chains', { repo: 'not a repo' })).text!,
        /is not a repository/,
      );
      assert.match((await run('recent_chains', { verdict: 'maybe' })).text!, /is not a verdict/);
      assert.match((await run('recent_chains', { limit: 500 })).text!, /1 to 20 chains/);
    });

    it('explains why a chain was stopped: reason, signals, audit', async function () {
      await addChain({ chainId: 'chain-a' }, {}, {});
      const reply = await run('why_stopped', { chainId: 'chain-a' });
      assert.equal(
        reply.text,
        'Chain chain-a was stopped because ping-pong between two bots (score 0.95).',
      );
      const card = cardText(reply);
      assert.match(card, /ping_pong \(0.90\): two bots took turns 4 times/);
      assert.match(card, /depth \(0.60\)/);
      assert.match(card, /verdict by reynolds: broke the chain/);
      assert.match(reply.summary, /Signals: ping_pong 0.90/);
    });

    it('says a flowing chain was not stopped, an unknown one does not exist, a bad id is not an id', async function () {
      await addChain({ chainId: 'chain-ok', verdict: 'proceed', score: 0.2, reason: undefined });
      assert.match(
        (await run('why_stopped', { chainId: 'chain-ok' })).text!,
        /was not stopped: it is flowing normally/,
      );
      assert.equal((await run('why_stopped', { chainId: 'nope' })).text, chainNotFoundLine('nope'));
      assert.match((await run('why_stopped', { chainId: '../etc' })).text!, /is not a chain id/);
      assert.match((await run('why_stopped', {})).text!, /Which chain\?/);
    });
  });

  describe('subscriptions and digest', function () {
    it('subscribe, list and unsubscribe go through the chat syntax', async function () {
      assert.match(
        (
          await run('subscribe', {
            repo: 'acme/app',
            features: ['pulls', 'issues'],
            filters: ['+label:bug'],
          })
        ).text!,
        /^Done: this conversation now gets `subscribe acme\/app issues pulls \+label:bug`/,
      );
      assert.match(
        (await run('list_subscriptions')).text!,
        /- subscribe acme\/app issues pulls \+label:bug/,
      );
      assert.match(
        (await run('unsubscribe', { repo: 'acme/app', features: 'issues' })).text!,
        /Trimmed\. acme\/app now sends pulls/,
      );
      assert.match(
        (await run('unsubscribe', { repo: 'acme/app' })).text!,
        /Unsubscribed from acme\/app/,
      );
      assert.match((await run('list_subscriptions')).text!, /no subscriptions yet/);
    });

    it('refuses what the syntax refuses', async function () {
      assert.match((await run('subscribe', {})).text!, /Which repository\?/);
      assert.match(
        (await run('subscribe', { repo: 'acme/app', features: ['pizza'] })).text!,
        /Unknown feature "pizza"/,
      );
      assert.match((await run('unsubscribe', { repo: 'a b c' })).text!, /I could not read that/);
    });

    it('digest now calls the digest source for this conversation, or says digests are off', async function () {
      assert.equal((await run('digest_now')).text, digestQueuedLine());
      assert.deepEqual(digest.calls, [[TENANT, 'conv-1']]);
      assert.equal(
        (await run('digest_now', {}, { digest: undefined })).text,
        digestNotAvailableLine(),
      );
    });
  });

  describe('pilot_status', function () {
    it("shows the stage and which of this conversation's repos are in", async function () {
      pool.stagePercent = 15;
      pool.allow = ['acme/app'];
      pool.deny = ['acme/secret'];
      await run('subscribe', { repo: 'acme/app' });
      await run('subscribe', { repo: 'acme/secret' });
      await run('subscribe', { repo: 'acme/web' });
      const text = (await run('pilot_status')).text!;
      assert.match(text, /Pilot stage: \*\*15%\*\*/);
      assert.match(text, /- acme\/app: in the pilot \(allow list\)/);
      assert.match(text, /- acme\/secret: not in the pilot \(deny list\)/);
      assert.match(text, /- acme\/web: decided by the rollout hash at 15%/);
      const gated = (
        await run('pilot_status', {}, { pilot: { includes: (_t, repo) => repo === 'acme/web' } })
      ).text!;
      assert.match(gated, /- acme\/web: in the pilot/);
      assert.match(gated, /- acme\/app: not in the pilot yet/);
    });

    it('says there is no pilot without a pool', async function () {
      assert.match(
        (await run('pilot_status', {}, { pool: undefined })).text!,
        /No model pool is configured/,
      );
    });
  });
});
