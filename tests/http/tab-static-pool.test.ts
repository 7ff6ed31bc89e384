/**
 * The tab's files under /tab/ (cache headers, no escape from the folder, clear 404s) and
 * GET /api/pool with and without a pool: the real pool configured against the model stand-in,
 * after real enrichments went through it (tests/support/enriched-pool.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BREAKER_FAILURES,
  POOL_REPO,
  REVIEW_PRICES,
  REVIEW_USAGE,
  startEnrichedPool,
  type EnrichedPool,
} from '../support/enriched-pool.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';

/** A raw request, so the path reaches the server exactly as written (fetch would normalise "..") */
function rawGet(
  url: string,
  rawPath: string,
): Promise<{
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ host: hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tab files (/tab/) and GET /api/pool', function () {
  this.timeout(30_000);
  let reynolds: TestReynolds;
  let empty: TestReynolds;
  let tabDir: string;
  let pool: EnrichedPool;
  const ENRICHMENTS = 4;

  before(async function () {
    tabDir = mkdtempSync(path.join(tmpdir(), 'reynolds-tab-'));
    mkdirSync(path.join(tabDir, 'assets'));
    writeFileSync(
      path.join(tabDir, 'index.html'),
      '<!doctype html><script type="module" src="/tab/assets/index-abc123.js"></script>',
    );
    writeFileSync(path.join(tabDir, 'assets', 'index-abc123.js'), 'console.log("tab")');
    writeFileSync(path.join(tabDir, '.secret'), 'TOPSECRET-CONTENT');
    pool = await startEnrichedPool();
    reynolds = await startTestReynolds({ TAB_DIST_DIR: tabDir, ...pool.env });
    empty = await startTestReynolds({ TAB_DIST_DIR: path.join(tabDir, 'nothing-here') });
  });
  after(async function () {
    await reynolds?.dispose();
    await empty?.dispose();
    await pool?.stop();
    rmSync(tabDir, { recursive: true, force: true });
  });

  it('serves index.html uncached and hashed assets as immutable', async function () {
    const index = await fetch(`${reynolds.url}/tab/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(await index.text(), /\/tab\/assets\/index-abc123\.js/);
    const asset = await fetch(`${reynolds.url}/tab/assets/index-abc123.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    const bare = await fetch(`${reynolds.url}/tab`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/tab/');
  });

  it('never serves a file outside the tab folder or a hidden one', async function () {
    for (const p of [
      '/tab/../package.json',
      '/tab/%2e%2e/package.json',
      '/tab/..%2fpackage.json',
      '/tab/assets/..%2f..%2f..%2fetc%2fpasswd',
      '/tab/.secret',
    ]) {
      const answer = await rawGet(reynolds.url, p);
      assert.ok([400, 403, 404].includes(answer.status), `${p} answered ${answer.status}`);
      assert.doesNotMatch(answer.body, /"private": true|TOPSECRET-CONTENT|root:x/, p);
      assert.match(JSON.parse(answer.body).error.message, /.+/);
    }
    const missing = await fetch(`${reynolds.url}/tab/nope.js`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as any).error.message, /#\/chains/);
  });

  it('says how to build the tab when it is not built', async function () {
    const answer = await fetch(`${empty.url}/tab/`);
    assert.equal(answer.status, 404);
    assert.match(((await answer.json()) as any).error.message, /npm run build:tab/);
  });

  it('answers configured:false with an empty pool and the pilot when no pool runs', async function () {
    const answer = (await (await fetch(`${empty.url}/api/pool`)).json()) as any;
    assert.equal(answer.configured, false);
    assert.deepEqual(
      answer.roles.flatMap((r: any) => r.deployments),
      [],
      'no role has a deployment',
    );
    assert.deepEqual(
      answer.pilot,
      { stagePercent: 100, allow: [], deny: [] },
      "the configured pilot (PILOT_STAGE's default)",
    );
  });

  it('answers the real pool after real enrichments: roles, deployments, latency, errors, breaker, tokens, cost', async function () {
    await pool.enrich(reynolds, ENRICHMENTS);
    const answer = (await (await fetch(`${reynolds.url}/api/pool`)).json()) as any;
    assert.equal(answer.configured, true);
    const served = answer.roles.filter((r: any) => r.deployments.length > 0);
    assert.deepEqual(
      served.map((r: any) => [
        r.role,
        r.deployments.map((d: any) => [d.name, d.provider, d.model]),
      ]),
      [
        ['review', [['review-east', 'openai', 'gpt-4o']]],
        ['security', [['security-west', 'azure', 'gpt-4o-mini']]],
      ],
    );
    assert.deepEqual(
      answer.roles
        .filter((r: any) => r.deployments.length === 0)
        .map((r: any) => r.role)
        .sort(),
      ['codegen', 'docs', 'issues'],
      'every role is listed, served or not',
    );
    const review = served[0].deployments[0];
    assert.equal(review.requests, ENRICHMENTS);
    assert.equal(review.errors, 0);
    assert.equal(review.breaker, 'closed');
    assert.ok(
      review.p50Ms > 0 && review.p95Ms >= review.p50Ms,
      `p50 ${review.p50Ms}, p95 ${review.p95Ms}`,
    );
    assert.deepEqual(review.tokens, {
      prompt: ENRICHMENTS * REVIEW_USAGE.prompt,
      completion: ENRICHMENTS * REVIEW_USAGE.completion,
    });
    const cost =
      (ENRICHMENTS *
        (REVIEW_USAGE.prompt * REVIEW_PRICES.prompt +
          REVIEW_USAGE.completion * REVIEW_PRICES.completion)) /
      1000;
    assert.ok(Math.abs(review.costUsd - cost) < 1e-9, `cost ${review.costUsd}, expected ${cost}`);
    // Each enrichment asked security once and got a 500, until the breaker opened; after that the pool sent nothing.
    const security = served[1].deployments[0];
    assert.equal(security.requests, BREAKER_FAILURES);
    assert.equal(security.errors, BREAKER_FAILURES);
    assert.equal(security.breaker, 'open');
    assert.equal(security.p50Ms, null, 'no answer, so no latency');
    assert.equal(
      pool.models.requests.filter(
        (r) => r.path === '/openai/deployments/security-west/chat/completions',
      ).length,
      BREAKER_FAILURES,
    );
    assert.deepEqual(answer.concurrency, { limit: 10, inFlight: 0, queued: 0 });
    const reviewHistory = answer.history.filter((h: any) => h.role === 'review');
    assert.ok(
      reviewHistory.length >= ENRICHMENTS,
      `a point per enrichment (and any of the timer's): ${reviewHistory.length}`,
    );
    assert.ok(reviewHistory.every((h: any) => h.p50Ms > 0));
    assert.ok(
      answer.history.filter((h: any) => h.role === 'security').every((h: any) => h.p50Ms === null),
    );
    assert.deepEqual(answer.pilot, {
      stagePercent: 15,
      allow: [POOL_REPO.toLowerCase()],
      deny: ['contoso/secret'],
    });
  });
});
