/**
 * The tab's files under /tab/ (cache headers, no escape from the folder, clear 404s) and
 * GET /api/pool with and without a pool.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PoolShaped, timedProvider } from '../support/pool-shaped.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';

/** A raw request, so the path reaches the server exactly as written (fetch would normalise "..") */
function rawGet(url: string, rawPath: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
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
  const pool = new PoolShaped([
    { role: 'review', name: 'review-east', model: 'gpt-4o', provider: timedProvider(() => 5) },
    { role: 'security', name: 'security-west', model: 'gpt-4o-mini', provider: timedProvider(() => 1, () => true) },
  ]);

  before(async function () {
    tabDir = mkdtempSync(path.join(tmpdir(), 'reynolds-tab-'));
    mkdirSync(path.join(tabDir, 'assets'));
    writeFileSync(path.join(tabDir, 'index.html'), '<!doctype html><script type="module" src="/tab/assets/index-abc123.js"></script>');
    writeFileSync(path.join(tabDir, 'assets', 'index-abc123.js'), 'console.log("tab")');
    writeFileSync(path.join(tabDir, '.secret'), 'TOPSECRET-CONTENT');
    reynolds = await startTestReynolds({ TAB_DIST_DIR: tabDir }, { poolSnapshot: () => pool.snapshot() });
    empty = await startTestReynolds({ TAB_DIST_DIR: path.join(tabDir, 'nothing-here') });
  });
  after(async function () {
    await reynolds.dispose();
    await empty.dispose();
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
    for (const p of ['/tab/../package.json', '/tab/%2e%2e/package.json', '/tab/..%2fpackage.json', '/tab/assets/..%2f..%2f..%2fetc%2fpasswd', '/tab/.secret']) {
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
    assert.deepEqual(answer.roles.flatMap((r: any) => r.deployments), [], 'no role has a deployment');
    assert.deepEqual(answer.pilot, { stagePercent: 100, allow: [], deny: [] }, "the configured pilot (PILOT_STAGE's default)");
  });

  it('answers the pool snapshot: roles, deployments, latency, errors, breaker, tokens, cost', async function () {
    for (let i = 0; i < 4; i += 1) await pool.complete('review', { messages: [{ role: 'user', content: `review ${i}` }] });
    for (let i = 0; i < 3; i += 1) await pool.complete('security', { messages: [{ role: 'user', content: 'scan' }] }).catch(() => undefined);
    const answer = (await (await fetch(`${reynolds.url}/api/pool`)).json()) as any;
    assert.equal(answer.configured, true);
    assert.deepEqual(answer.roles.map((r: any) => r.role), ['review', 'security']);
    const review = answer.roles[0].deployments[0];
    assert.equal(review.requests, 4);
    assert.ok(review.p50Ms > 0 && review.p95Ms >= review.p50Ms);
    assert.deepEqual(review.tokens, { prompt: 480, completion: 160 });
    assert.ok(review.costUsd > 0);
    const security = answer.roles[1].deployments[0];
    assert.equal(security.errors, 3);
    assert.equal(security.breaker, 'open');
    assert.equal(answer.history.filter((h: any) => h.role === 'review').length, 4);
    assert.equal(answer.pilot.stagePercent, 15);
  });
});
