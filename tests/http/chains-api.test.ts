/**
 * The event-chain API over real HTTP, fed by real signed webhooks through the whole pipeline.
 */
import assert from 'node:assert/strict';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  type TestReynolds,
} from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

interface ChainsAnswer {
  chains: {
    chainId: string;
    verdict: string;
    depth: number;
    repo?: string;
    adminAlerted: boolean;
    reason?: string;
  }[];
}

describe('chains API (GET /api/chains, /api/chains/:id)', function () {
  let reynolds: TestReynolds;
  before(async function () {
    reynolds = await startTestReynolds();
  });
  after(async function () {
    await reynolds.dispose();
  });

  const get = async (path: string) => {
    const response = await fetch(`${reynolds.url}${path}`);
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };

  function comment(login: string, body: string) {
    const payload = structuredClone(exampleOf('issue_comment', 'created').payload) as Record<
      string,
      any
    >;
    payload.sender = { ...payload.sender, login, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
    payload.comment = { ...payload.comment, body, user: payload.sender };
    return payload;
  }

  it('shows two bots in ping-pong as one broken chain, with its nodes, edges, signals and audit', async function () {
    const repo = (exampleOf('issue_comment', 'created').payload as any).repository
      .full_name as string;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = await postDelivery(reynolds.url, {
        event: 'issue_comment',
        payload: comment(i % 2 === 0 ? 'ping[bot]' : 'pong[bot]', `turn ${i}`),
      });
      assert.equal(result.status, 202);
      ids.push(result.deliveryId);
      // one at a time, so the chain grows in order
      await eventually(
        async () =>
          (await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`))?.status === 'done',
        'processed',
      );
    }
    const broken = await get(`/api/chains?verdict=break&repo=${encodeURIComponent(repo)}`);
    assert.equal(broken.status, 200);
    const chains = (broken.json as ChainsAnswer).chains;
    assert.equal(chains.length, 1);
    assert.equal(chains[0]!.adminAlerted, true);
    assert.match(chains[0]!.reason ?? '', /quick turns between/);

    const detail = await get(`/api/chains/${chains[0]!.chainId}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.json.nodes.length, 5);
    assert.deepEqual(
      detail.json.nodes.map((n: any) => n.actor),
      ['ping[bot]', 'pong[bot]', 'ping[bot]', 'pong[bot]', 'ping[bot]'],
    );
    assert.equal(detail.json.edges.length, 4);
    assert.ok(detail.json.edges.every((e: any) => e.link === 'reply'));
    assert.ok(detail.json.nodes.at(-1).signals.some((s: any) => s.name === 'ping_pong'));
    assert.ok(detail.json.audit.some((a: any) => a.what === 'admin_alert'));

    const all = await get('/api/chains?limit=200');
    assert.ok((all.json as ChainsAnswer).chains.length >= 1);
    const metrics = await (await fetch(`${reynolds.url}/metrics`)).text();
    assert.match(metrics, /reynolds_loop_chains_broken_total 1/);
  });

  it('answers bad queries with 400 and what to fix, and unknown chains with 404', async function () {
    assert.equal((await get('/api/chains?limit=0')).status, 400);
    assert.equal((await get('/api/chains?limit=abc')).status, 400);
    assert.match(
      (await get('/api/chains?verdict=explode')).json.error.message,
      /proceed, dampen or break/,
    );
    assert.match((await get('/api/chains?repo=not-a-repo')).json.error.message, /owner\/name/);
    assert.equal((await get('/api/chains/ch-does-not-exist')).status, 404);
    assert.equal((await get('/api/chains/bad%20id')).status, 400);
  });
});
