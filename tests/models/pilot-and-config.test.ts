import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config.js';
import { ModelCallError, parseRetryAfter } from '../../src/models/model-errors.js';
import { PilotRollout, pilotBucket } from '../../src/models/pilot.js';
import { retryDelayMs } from '../../src/models/retry-backoff.js';

const repos = Array.from({ length: 10_000 }, (_, i) => `org${i % 97}/repo-${i}`);
const share = (pilot: PilotRollout) =>
  repos.filter((repo) => pilot.includes('tenant-a', repo)).length / repos.length;

describe('pilot rollout', function () {
  it('hashes tenant + repo into a stable bucket', function () {
    assert.equal(pilotBucket('t', 'octo/repo'), pilotBucket('t', 'Octo/Repo'));
    assert.equal(pilotBucket('t', 'octo/repo'), pilotBucket('t', 'octo/repo'));
    const buckets = new Set(repos.slice(0, 2000).map((repo) => pilotBucket('t', repo)));
    assert.equal(buckets.size, 100);
    assert.notDeepEqual(
      repos.slice(0, 50).map((r) => pilotBucket('t1', r)),
      repos.slice(0, 50).map((r) => pilotBucket('t2', r)),
    );
  });

  it('puts about the stage percentage of repos in, and a higher stage only adds', function () {
    assert.equal(share(new PilotRollout(0)), 0);
    const five = share(new PilotRollout(5));
    assert.ok(five >= 0.03 && five <= 0.07, `5% stage: ${five}`);
    const fifteen = share(new PilotRollout(15));
    assert.ok(fifteen >= 0.12 && fifteen <= 0.18, `15% stage: ${fifteen}`);
    const fifty = share(new PilotRollout(50));
    assert.ok(fifty >= 0.46 && fifty <= 0.54, `50% stage: ${fifty}`);
    assert.equal(share(new PilotRollout(100)), 1);
    const low = new PilotRollout(5);
    const high = new PilotRollout(15);
    for (const repo of repos)
      if (low.includes('tenant-a', repo)) assert.ok(high.includes('tenant-a', repo), repo);
  });

  it('honours allow and deny lists by owner or owner/repo; deny wins', function () {
    const pilot = new PilotRollout(0, ['octo', 'acme/rocket'], ['octo/secret', 'evil']);
    assert.equal(pilot.includes('t', 'octo/anything'), true);
    assert.equal(pilot.includes('t', 'ACME/rocket'), true);
    assert.equal(pilot.includes('t', 'acme/other'), false);
    assert.equal(pilot.includes('t', 'octo/secret'), false);
    const all = new PilotRollout(100, ['evil/x'], ['evil']);
    assert.equal(all.includes('t', 'evil/x'), false);
    assert.deepEqual(pilot.snapshot(), {
      stagePercent: 0,
      allow: ['octo', 'acme/rocket'],
      deny: ['octo/secret', 'evil'],
    });
  });
});

describe('model pool configuration', function () {
  const base = { GITHUB_WEBHOOK_SECRET: 'test-secret-123' };
  const errorOf = (env: Record<string, string>) => {
    try {
      parseConfig({ ...base, ...env });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message.split('\n');
    }
    return assert.fail('expected a ConfigError');
  };

  it('defaults to no deployments, cap 10, pilot 100%', function () {
    const config = parseConfig(base);
    assert.deepEqual(config.MODEL_DEPLOYMENTS, []);
    assert.equal(config.MODEL_POOL_CONCURRENCY, 10);
    assert.equal(config.PILOT_STAGE, 100);
    assert.deepEqual(config.PILOT_ALLOW, []);
  });

  it('parses deployments with defaults', function () {
    const config = parseConfig({
      ...base,
      GITHUB_MODELS_TOKEN: 'ghp_x',
      MODEL_DEPLOYMENTS:
        '[{"name":"r1","role":"review","provider":"github","model":"openai/gpt-4o"}]',
      PILOT_STAGE: '15',
      PILOT_DENY: 'octo/secret, evil',
    });
    assert.deepEqual(config.MODEL_DEPLOYMENTS[0], {
      name: 'r1',
      role: 'review',
      provider: 'github',
      model: 'openai/gpt-4o',
      weight: 1,
      promptPricePer1k: 0,
      completionPricePer1k: 0,
    });
    assert.equal(config.PILOT_STAGE, 15);
    assert.deepEqual(config.PILOT_DENY, ['octo/secret', 'evil']);
    assert.ok(config.secretValues.includes('ghp_x'));
  });

  it('names the entry index and field of a bad deployment, one line each', function () {
    const lines = errorOf({
      MODEL_DEPLOYMENTS:
        '[{"name":"a","role":"review","provider":"openai","endpoint":"https://x","model":"m"},{"name":"b","role":"nope","provider":"openai","endpoint":"https://x","model":"m","weight":0}]',
    });
    assert.deepEqual(lines, [
      'MODEL_DEPLOYMENTS[1].role: expected one of codegen, review, docs, issues, security (got "nope")',
      'MODEL_DEPLOYMENTS[1].weight: expected a number > 0 (got 0)',
    ]);
    assert.deepEqual(
      errorOf({
        MODEL_DEPLOYMENTS: '[{"name":"a","role":"review","provider":"openai","model":"m"}]',
      }),
      ['MODEL_DEPLOYMENTS[0].endpoint: required for provider openai (it is not set)'],
    );
  });

  it('rejects non-JSON, bad stages, bad lists and missing keys clearly', function () {
    assert.deepEqual(errorOf({ MODEL_DEPLOYMENTS: 'nope', PILOT_STAGE: '7', PILOT_ALLOW: 'a b' }), [
      'MODEL_DEPLOYMENTS: expected a JSON array of deployments (see docs/model-pool.md) (got "nope")',
      'PILOT_STAGE: expected 0, 5, 15, 50 or 100 (percent of repos) (got "7")',
      'PILOT_ALLOW: expected comma-separated owner or owner/repo: "a b" is not owner or owner/repo (got "a b")',
    ]);
    assert.deepEqual(
      errorOf({
        MODEL_DEPLOYMENTS:
          '[{"name":"a","role":"review","provider":"azure","endpoint":"https://x.openai.azure.com","model":"gpt-4o"}]',
      }),
      ['AZURE_OPENAI_API_KEY: required when MODEL_DEPLOYMENTS has an azure deployment'],
    );
  });
});

describe('retry timing rules', function () {
  const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] });
  it('reads Retry-After as seconds, HTTP date or retry-after-ms', function () {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '3' }), now), 3000);
    assert.equal(
      parseRetryAfter(headers({ 'retry-after': new Date(now + 5000).toUTCString() }), now),
      5000,
    );
    assert.equal(
      parseRetryAfter(headers({ 'retry-after': new Date(now - 5000).toUTCString() }), now),
      0,
    );
    assert.equal(
      parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now),
      250,
    );
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), now), undefined);
  });
});

describe('retry delays', function () {
  const opts = {
    baseMs: 100,
    maxMs: 1000,
    canFailOver: () => false,
    remainingMs: () => Infinity,
    random: () => 1,
  };
  it('waits Retry-After plus at most 10%, backs off exponentially otherwise, never past the deadline, never for a failover', function () {
    const throttled = new ModelCallError('429', 'http', 429, 2000);
    assert.equal(retryDelayMs(throttled, 1, opts), 2200);
    assert.equal(retryDelayMs(throttled, 1, { ...opts, random: () => 0 }), 2000);
    assert.equal(retryDelayMs(new ModelCallError('500', 'http', 500), 3, opts), 400);
    assert.equal(retryDelayMs(new ModelCallError('500', 'http', 500), 9, opts), 1000);
    assert.equal(retryDelayMs(throttled, 1, { ...opts, remainingMs: () => 300 }), 300);
    assert.equal(retryDelayMs(throttled, 1, { ...opts, canFailOver: () => true }), 0);
  });
});
