import assert from 'node:assert/strict';
import { DeadlineExceededError, PoolUnavailableError } from '../../src/models/model-errors.js';
import { ScheduledModelPool } from '../../src/models/scheduled-model-pool.js';
import { systemClock } from '../../src/core/clock.js';
import { startOpenAIStandin, type OpenAIStandin } from '../support/openai-standin.js';
import { ask, assertIncludes, deploymentAt, poolOf, sleep } from './pool-helpers.js';

describe('model pool (through the openai SDK against a loopback stand-in)', function () {
  let standin: OpenAIStandin;
  const pools: ScheduledModelPool[] = [];
  const track = (pool: ScheduledModelPool) => (pools.push(pool), pool);

  beforeEach(async () => {
    standin = await startOpenAIStandin();
  });
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.close();
    await standin.close();
  });

  it('serves the roles fairly under the global cap: a flood of one role does not starve the others', async function () {
    let peakTotal = 0;
    standin.script = () => {
      peakTotal = Math.max(
        peakTotal,
        [...standin.active.values()].reduce((a, b) => a + b, 0),
      );
      return { delayMs: 30 };
    };
    const pool = track(
      poolOf(
        [
          deploymentAt(standin.url, 'rev', 'review'),
          deploymentAt(standin.url, 'doc', 'docs'),
          deploymentAt(standin.url, 'iss', 'issues'),
        ],
        { concurrency: 2 },
      ),
    );
    const reviews = Array.from({ length: 10 }, () => pool.complete('review', ask()));
    const docs = pool.complete('docs', ask());
    const issues = pool.complete('issues', ask());
    assert.deepEqual(pool.snapshot().concurrency, { limit: 2, inFlight: 2, queued: 10 });
    await Promise.all([...reviews, docs, issues]);
    const order = standin.requests.map((r) => r.target);
    // Two reviews took the free slots; the next two slots went to the waiting docs and issues requests.
    assert.deepEqual(order.slice(0, 4).sort(), ['doc', 'iss', 'rev', 'rev']);
    assert.equal(peakTotal, 2);
  });

  it('balances by least outstanding requests, scaled by weight', async function () {
    standin.script = () => ({ delayMs: 40 });
    const pool = track(
      poolOf(
        [
          deploymentAt(standin.url, 'heavy', 'review', { weight: 2 }),
          deploymentAt(standin.url, 'light', 'review', { weight: 1 }),
        ],
        { concurrency: 100 },
      ),
    );
    await Promise.all(Array.from({ length: 6 }, () => pool.complete('review', ask())));
    assert.equal(standin.requests.filter((r) => r.target === 'heavy').length, 4);
    assert.equal(standin.requests.filter((r) => r.target === 'light').length, 2);
  });

  it('sends work away from a deployment that is still busy', async function () {
    standin.script = (r) => ({ delayMs: r.target === 'slow' ? 800 : 1 });
    const pool = track(
      poolOf(
        [deploymentAt(standin.url, 'slow', 'review'), deploymentAt(standin.url, 'fast', 'review')],
        { concurrency: 2 },
      ),
    );
    await Promise.all(Array.from({ length: 12 }, () => pool.complete('review', ask())));
    assert.equal(standin.requests.filter((r) => r.target === 'slow').length, 1);
    assert.equal(standin.requests.filter((r) => r.target === 'fast').length, 11);
  });

  it('opens a deployment breaker after consecutive failures, fails fast, and half-opens after its cool-down', async function () {
    let failing = true;
    standin.script = () => (failing ? { status: 500 } : {});
    const states: string[] = [];
    const pool = track(
      poolOf(
        [deploymentAt(standin.url, 'only', 'security')],
        { retries: 0, breaker: { failures: 2, halfOpenAfterMs: 100 } },
        { onBreaker: (_d, s) => states.push(s) },
      ),
    );
    for (let i = 0; i < 2; i++)
      await pool.complete('security', ask()).then(
        () => assert.fail('should fail'),
        (e: Error) => assert.match(e.message, /HTTP 500/),
      );
    assert.equal(
      pool.snapshot().roles.find((r) => r.role === 'security')!.deployments[0]!.breaker,
      'open',
    );
    const sent = standin.requests.length;
    const refused = await pool.complete('security', ask()).catch((e: unknown) => e);
    assert.ok(refused instanceof PoolUnavailableError);
    assert.equal(standin.requests.length, sent, 'an open breaker sends nothing');
    failing = false;
    await sleep(150);
    const answer = await pool.complete('security', ask());
    assert.equal(answer.deployment, 'only');
    assert.deepEqual(states, ['open', 'half-open', 'closed']);
    assert.equal(
      pool.snapshot().roles.find((r) => r.role === 'security')!.deployments[0]!.breaker,
      'closed',
    );
  });

  it('tries an open deployment again after its cool-down even while a sibling is healthy, and recovers', async function () {
    let storm = true;
    standin.script = (r) => (r.target === 'flaky' && storm ? { status: 429, retryAfter: '0' } : {});
    const states: string[] = [];
    const pool = track(
      poolOf(
        [
          deploymentAt(standin.url, 'flaky', 'review'),
          deploymentAt(standin.url, 'steady', 'review'),
        ],
        { breaker: { failures: 2, halfOpenAfterMs: 100 } },
        { onBreaker: (d, s) => states.push(`${d}:${s}`) },
      ),
    );
    for (let i = 0; i < 4; i++)
      assert.equal((await pool.complete('review', ask())).deployment, 'steady');
    assert.deepEqual(states, ['flaky:open']);
    storm = false;
    await sleep(150);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await pool.complete('review', ask())).deployment);
    assert.ok(answers.includes('flaky'), answers.join());
    assert.deepEqual(states, ['flaky:open', 'flaky:half-open', 'flaky:closed']);
  });

  it('retries a 429 after its Retry-After (with jitter, never less)', async function () {
    standin.script = (r) => (r.seq === 0 ? { status: 429, retryAfter: '1' } : {});
    const delays: number[] = [];
    const pool = track(
      poolOf(
        [deploymentAt(standin.url, 'only', 'codegen')],
        {},
        { onRetry: (_r, _d, ms) => delays.push(ms) },
      ),
    );
    const answer = await pool.complete('codegen', ask());
    assert.equal(answer.text, '{"summary":"ok"}');
    assert.equal(standin.requests.length, 2);
    assert.equal(delays.length, 1);
    assert.ok(delays[0]! >= 1000 && delays[0]! <= 1100, String(delays[0]));
    const snap = pool.snapshot().roles.find((r) => r.role === 'codegen')!.deployments[0]!;
    assertIncludes(snap, { requests: 2, errors: 1 });
  });

  it('fails over to another deployment of the role at once when one fails', async function () {
    standin.script = (r) => (r.target === 'broken' ? { status: 503, retryAfter: '30' } : {});
    const delays: number[] = [];
    const pool = track(
      poolOf(
        [
          deploymentAt(standin.url, 'broken', 'issues'),
          deploymentAt(standin.url, 'healthy', 'issues'),
        ],
        {},
        { onRetry: (_r, _d, ms) => delays.push(ms) },
      ),
    );
    const answer = await pool.complete('issues', ask());
    assert.equal(answer.deployment, 'healthy');
    assert.deepEqual(
      standin.requests.map((r) => r.target),
      ['broken', 'healthy'],
    );
    assert.deepEqual(delays, [0], 'no wait for the other deployment');
  });

  it('gives up when the deadline passes, in the queue or while running, and keeps serving', async function () {
    standin.script = (r) => (r.target === 'hang' ? { hang: true } : {});
    const pool = track(
      poolOf(
        [deploymentAt(standin.url, 'hang', 'docs'), deploymentAt(standin.url, 'ok', 'review')],
        { concurrency: 1 },
      ),
    );
    const blocker = new AbortController();
    const running = pool.complete('docs', ask(), { signal: blocker.signal });
    const queued = await pool
      .complete('review', ask(), { deadlineMs: 50 })
      .catch((e: unknown) => e);
    assert.ok(queued instanceof DeadlineExceededError);
    assert.equal((queued as DeadlineExceededError).phase, 'queued');
    assert.deepEqual(
      standin.requests.map((r) => r.target),
      ['hang'],
    );
    blocker.abort(new Error('test done with it'));
    await running.catch(() => undefined);
    const late = await pool.complete('docs', ask(), { deadlineMs: 50 }).catch((e: unknown) => e);
    assert.ok(late instanceof DeadlineExceededError);
    assert.equal((late as DeadlineExceededError).phase, 'running');
    assert.equal((await pool.complete('review', ask())).deployment, 'ok');
    assert.deepEqual(pool.snapshot().concurrency, { limit: 1, inFlight: 0, queued: 0 });
  });

  it('accounts tokens, cost and latency per deployment, and samples history', async function () {
    standin.script = () => ({ usage: { prompt_tokens: 1000, completion_tokens: 500 } });
    const pool = track(
      poolOf([
        deploymentAt(standin.url, 'priced', 'review', {
          promptPricePer1k: 0.01,
          completionPricePer1k: 0.03,
        }),
      ]),
    );
    await pool.complete('review', ask());
    const result = await pool.complete('review', ask());
    assert.deepEqual(result.usage, { promptTokens: 1000, completionTokens: 500 });
    pool.sampleHistory();
    const snap = pool.snapshot();
    const d = snap.roles.find((r) => r.role === 'review')!.deployments[0]!;
    assertIncludes(d, { requests: 2, errors: 0, costUsd: 0.05, inFlight: 0 });
    assert.deepEqual(d.tokens, { prompt: 2000, completion: 1000 });
    assert.equal(typeof d.p50Ms, 'number');
    assert.ok(d.p95Ms! >= d.p50Ms!);
    assert.equal(snap.configured, true);
    assert.equal(snap.history.length, 1);
    assertIncludes(snap.history[0], { role: 'review', inFlight: 0, queued: 0 });
  });

  it('speaks Azure OpenAI: deployment path, api-version and api-key', async function () {
    const pool = track(
      poolOf([
        deploymentAt(standin.url, 'az', 'docs', {
          provider: 'azure',
          deployment: 'gpt-4o-dep',
          apiVersion: '2024-10-21',
        }),
      ]),
    );
    await pool.complete('docs', ask());
    assertIncludes(standin.requests[0], {
      path: '/openai/deployments/gpt-4o-dep/chat/completions',
      apiVersion: '2024-10-21',
      apiKey: 'azure-test-key',
      target: 'gpt-4o-dep',
    });
  });

  it('with no deployments: not configured, serves nothing, rejects clearly', async function () {
    const pool = track(new ScheduledModelPool({ deployments: [], clock: systemClock }));
    assert.equal(pool.snapshot().configured, false);
    assert.equal(pool.serves('review'), false);
    const error = await pool.complete('review', ask()).catch((e: unknown) => e);
    assert.ok(error instanceof PoolUnavailableError);
  });
});
