/**
 * Webhook intake over real HTTP: every status the endpoint can answer, each with a JSON error
 * body that says what to fix, and what ends up in the durable inbox.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import Database from 'better-sqlite3';
import path from 'node:path';
import type { PipelineStage } from '../../src/core/pipeline.js';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite/sqlite-store.js';
import {
  eventually,
  postDelivery,
  signedRequest,
  startTestReynolds,
  TEST_SECRET,
  type TestReynolds,
} from '../support/reynolds.js';
import { loadWebhookExamples } from '../support/webhook-examples.js';

const issuePayload = {
  action: 'opened',
  issue: {
    number: 7,
    title: 'It broke',
    html_url: 'https://github.com/octo-org/octo-repo/issues/7',
    labels: [],
    user: { login: 'octocat', type: 'User' },
  },
  repository: { full_name: 'octo-org/octo-repo', name: 'octo-repo', owner: { login: 'octo-org' } },
  sender: { login: 'octocat', id: 1, type: 'User' },
};

function assertError(
  result: { status: number; json: { error?: { code: string; message: string } } },
  status: number,
  code: string,
  mentions: RegExp,
) {
  assert.equal(result.status, status);
  assert.equal(result.json.error?.code, code);
  assert.match(result.json.error?.message ?? '', mentions);
}

describe('webhook intake (POST /api/github/webhook)', function () {
  let reynolds: TestReynolds;
  const seen: BrokerEvent[] = [];
  const recorder: PipelineStage = {
    name: 'record',
    run: async ({ event }) => void seen.push(event),
  };

  before(async function () {
    reynolds = await startTestReynolds(
      { WEBHOOK_MAX_BODY_BYTES: String(256 * 1024) },
      { stages: [recorder] },
    );
  });
  after(async function () {
    await reynolds.dispose();
  });
  beforeEach(function () {
    seen.length = 0;
  });

  it('202: accepts a signed JSON delivery, stores it before answering, and processes it', async function () {
    const result = await postDelivery(reynolds.url, { event: 'issues', payload: issuePayload });
    assert.equal(result.status, 202);
    assert.deepEqual(result.json, { status: 'accepted', delivery: result.deliveryId });
    const stored = await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`);
    assert.ok(stored, 'in the inbox by the time the 202 arrives');
    assert.equal(stored.event, 'issues');
    assert.equal(stored.action, 'opened');
    assert.equal(stored.orderingKey, 'octo-org/octo-repo');
    assert.equal(stored.tenantId, 'local');
    await eventually(
      () => seen.some((e) => e.deliveryId === result.deliveryId),
      'the delivery is processed',
    );
    const event = seen.find((e) => e.deliveryId === result.deliveryId)!;
    assert.equal(event.kind, 'issues');
    assert.equal(event.repo?.fullName, 'octo-org/octo-repo');
    await eventually(
      async () =>
        (await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`))?.status === 'done',
      'the item is marked done',
    );
  });

  it("202: accepts GitHub's form encoding (payload=<JSON>) and stores the JSON", async function () {
    const result = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      form: true,
    });
    assert.equal(result.status, 202);
    const stored = await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`);
    assert.ok(stored?.body === null || JSON.parse(stored!.body!).issue.number === 7);
    await eventually(
      () => seen.some((e) => e.deliveryId === result.deliveryId && e.target?.number === 7),
      'the form delivery is processed',
    );
  });

  it('200: a repeated delivery to the same hook is a duplicate and is not processed again', async function () {
    const first = await postDelivery(reynolds.url, { event: 'issues', payload: issuePayload });
    assert.equal(first.status, 202);
    await eventually(
      () => seen.some((e) => e.deliveryId === first.deliveryId),
      'first copy processed',
    );
    const again = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      deliveryId: first.deliveryId,
    });
    assert.equal(again.status, 200);
    assert.equal(again.json.status, 'duplicate');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(seen.filter((e) => e.deliveryId === first.deliveryId).length, 1);
  });

  it('202: the same delivery id at another hook is another delivery', async function () {
    const first = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      hookId: '1',
    });
    const second = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      hookId: '2',
      deliveryId: first.deliveryId,
    });
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
  });

  it('200: ping answers pong and is not queued', async function () {
    const result = await postDelivery(reynolds.url, {
      event: 'ping',
      payload: { zen: 'Design for failure.', hook_id: 1 },
    });
    assert.equal(result.status, 200);
    assert.equal(result.json.status, 'pong');
    assert.equal(result.json.zen, 'Design for failure.');
    assert.equal(await reynolds.store.getDelivery(`hook-1001:${result.deliveryId}`), undefined);
  });

  it('202: an unknown event type is kept and processed as a generic event', async function () {
    const result = await postDelivery(reynolds.url, {
      event: 'brand_new_event',
      payload: { action: 'sparkled', repository: { full_name: 'octo-org/octo-repo' } },
    });
    assert.equal(result.status, 202);
    await eventually(
      () => seen.some((e) => e.deliveryId === result.deliveryId),
      'unknown event processed',
    );
    const event = seen.find((e) => e.deliveryId === result.deliveryId)!;
    assert.equal(event.known, false);
    assert.equal(event.kind, 'brand_new_event');
  });

  it('202: reads action, ordering key and installation as normalise does: an empty string or a non-integer id is absent', async function () {
    const empty = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: { action: '', repository: { full_name: '' }, organization: { login: 'octo-org' } },
    });
    assert.equal(empty.status, 202);
    const stored = await reynolds.store.getDelivery(`hook-1001:${empty.deliveryId}`);
    assert.equal(stored?.orderingKey, 'octo-org', 'an empty full_name is no ordering key');
    assert.equal(stored?.action ?? undefined, undefined);

    // Without hook headers the installation keys the delivery; a numeric string is not an installation id.
    const noHook = { 'x-github-hook-id': undefined };
    const installed = await postDelivery(reynolds.url, {
      event: 'installation_repositories',
      payload: { installation: { id: 42 } },
      headers: noHook,
    });
    assert.equal(
      (await reynolds.store.getDelivery(`installation-42:${installed.deliveryId}`))?.orderingKey,
      'installation-42',
    );
    const stringId = await postDelivery(reynolds.url, {
      event: 'installation_repositories',
      payload: { installation: { id: '42' } },
      headers: noHook,
    });
    assert.equal(
      (await reynolds.store.getDelivery(`any:${stringId.deliveryId}`))?.orderingKey,
      'global',
    );
  });

  it('accepts all 329 recorded GitHub payloads when signed, and processes each exactly once', async function () {
    const examples = loadWebhookExamples();
    assert.equal(examples.length, 329);
    const ids = new Map<string, string>();
    for (const [i, example] of examples.entries()) {
      const form = i % 5 === 0; // a share of them in GitHub's form encoding
      const result = await postDelivery(reynolds.url, {
        event: example.event,
        payload: example.payload,
        form,
      });
      if (example.event === 'ping') {
        assert.equal(result.status, 200, `ping #${example.index}`);
        continue;
      }
      assert.equal(
        result.status,
        202,
        `${example.event}#${example.index}: ${JSON.stringify(result.json)}`,
      );
      ids.set(result.deliveryId, example.event);
    }
    await eventually(
      () => [...ids.keys()].every((id) => seen.some((e) => e.deliveryId === id)),
      'every recorded delivery is processed',
      20_000,
    );
    for (const [id, event] of ids) {
      const runs = seen.filter((e) => e.deliveryId === id);
      assert.equal(runs.length, 1, `${id} processed once`);
      assert.equal(runs[0]!.kind, event);
    }
  });

  it('401: missing signature', async function () {
    const result = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      headers: { 'x-hub-signature-256': undefined },
    });
    assertError(result, 401, 'missing_signature', /X-Hub-Signature-256 is missing/);
  });

  it('401: signature made with another secret, or over another body', async function () {
    const wrongSecret = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      secret: 'not-the-secret',
    });
    assertError(wrongSecret, 401, 'bad_signature', /GITHUB_WEBHOOK_SECRET/);
    const { headers } = await signedRequest({ event: 'issues', payload: issuePayload });
    const response = await fetch(`${reynolds.url}/api/github/webhook`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...issuePayload, action: 'deleted' }),
    });
    assert.equal(response.status, 401);
    const garbage = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      headers: { 'x-hub-signature-256': 'sha256=zz' },
    });
    assertError(garbage, 401, 'bad_signature', /does not match/);
  });

  it('400: missing X-GitHub-Event or X-GitHub-Delivery, or malformed ones', async function () {
    assertError(
      await postDelivery(reynolds.url, {
        event: 'issues',
        payload: issuePayload,
        headers: { 'x-github-event': undefined },
      }),
      400,
      'missing_header',
      /X-GitHub-Event/,
    );
    assertError(
      await postDelivery(reynolds.url, {
        event: 'issues',
        payload: issuePayload,
        headers: { 'x-github-delivery': undefined },
      }),
      400,
      'missing_header',
      /X-GitHub-Delivery/,
    );
    assertError(
      await postDelivery(reynolds.url, {
        event: 'issues',
        payload: issuePayload,
        deliveryId: 'a/b?c#d',
      }),
      400,
      'invalid_header',
      /X-GitHub-Delivery/,
    );
    assertError(
      await postDelivery(reynolds.url, { event: 'Issues; DROP', payload: issuePayload }),
      400,
      'invalid_header',
      /X-GitHub-Event/,
    );
    assertError(
      await postDelivery(reynolds.url, { event: 'issues', payload: issuePayload, hookId: '12abc' }),
      400,
      'invalid_header',
      /numeric/,
    );
  });

  it('400: a signed body that is not a JSON object', async function () {
    assertError(
      await postDelivery(reynolds.url, { event: 'issues', payload: '{"action": "opened",' }),
      400,
      'malformed_body',
      /not valid JSON/,
    );
    assertError(
      await postDelivery(reynolds.url, { event: 'issues', payload: '[1,2,3]' }),
      400,
      'malformed_body',
      /JSON object/,
    );
    const form = await signedRequest({ event: 'issues', payload: issuePayload, form: true });
    const body = 'notpayload=1';
    const { headers } = await signedRequest({
      event: 'issues',
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const response = await fetch(`${reynolds.url}/api/github/webhook`, {
      method: 'POST',
      headers,
      body,
    });
    const json = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(response.status, 400);
    assert.match(json.error.message, /"payload" field/);
    assert.ok(form.body.startsWith('payload='));
  });

  it('413: a body over the limit, whether declared or streamed', async function () {
    const big = { ...issuePayload, padding: 'x'.repeat(300 * 1024) };
    assertError(
      await postDelivery(reynolds.url, { event: 'issues', payload: big }),
      413,
      'payload_too_large',
      /WEBHOOK_MAX_BODY_BYTES/,
    );
    // Chunked: no Content-Length, so the limit must hold while streaming.
    const { body, headers } = await signedRequest({ event: 'issues', payload: big });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${reynolds.url}/api/github/webhook`,
        { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.slice(i, i + 16 * 1024));
      req.end();
    });
    assert.equal(status, 413);
  });

  it('413 at once for a declared length over the limit, before the body is sent', async function () {
    const { headers } = await signedRequest({ event: 'issues', payload: issuePayload });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${reynolds.url}/api/github/webhook`,
        { method: 'POST', headers: { ...headers, 'content-length': String(10 * 1024 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (error) =>
        error.message.includes('socket hang up') ? undefined : reject(error),
      );
      // A few bytes of the declared 10 MB, and the request is left open: a server that waits for
      // the body before checking would never answer.
      req.write('{"action":');
    });
    assert.equal(status, 413);
  });

  it('415: other content types, or none', async function () {
    assertError(
      await postDelivery(reynolds.url, {
        event: 'issues',
        payload: issuePayload,
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported_media_type',
      /application\/json/,
    );
    // fetch() would add text/plain to a body without a type, so send this one by hand.
    const { body, headers } = await signedRequest({
      event: 'issues',
      payload: issuePayload,
      headers: { 'content-type': undefined },
    });
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${reynolds.url}/api/github/webhook`,
        { method: 'POST', headers },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assertError(
      { status: answer.status, json: JSON.parse(answer.text) },
      415,
      'unsupported_media_type',
      /missing/,
    );
  });

  it('405: other methods, with a JSON error naming the allowed one', async function () {
    const response = await fetch(`${reynolds.url}/api/github/webhook`);
    assert.equal(response.status, 405);
    const json = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(json.error.code, 'method_not_allowed');
    assert.match(json.error.message, /POST/);
  });

  it('404: an unknown path gets a JSON error that lists the routes', async function () {
    const response = await fetch(`${reynolds.url}/api/nope`);
    assert.equal(response.status, 404);
    const json = (await response.json()) as { error: { code: string; message: string } };
    assert.match(json.error.message, /\/api\/github\/webhook/);
  });

  it('503 with Retry-After: the store cannot take the write (file locked by another process)', async function () {
    const locker = new Database(path.join(reynolds.dataDir, SQLITE_FILE_NAME));
    try {
      locker.exec('BEGIN EXCLUSIVE');
      const result = await postDelivery(reynolds.url, { event: 'issues', payload: issuePayload });
      assertError(result, 503, 'store_unavailable', /redeliver/);
      assert.equal(result.headers.get('retry-after'), '5');
      const ready = await fetch(`${reynolds.url}/readyz`);
      assert.equal(ready.status, 503);
      locker.exec('ROLLBACK');
      const retried = await postDelivery(reynolds.url, {
        event: 'issues',
        payload: issuePayload,
        deliveryId: result.deliveryId,
      });
      assert.equal(retried.status, 202, 'the refused delivery is accepted when GitHub redelivers');
    } finally {
      locker.close();
    }
  });

  it('keeps the secret out of every answer', async function () {
    const result = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
      secret: 'wrong',
    });
    assert.ok(!JSON.stringify(result.json).includes(TEST_SECRET));
    const metrics = await (await fetch(`${reynolds.url}/metrics`)).text();
    assert.ok(!metrics.includes(TEST_SECRET));
    assert.match(
      metrics,
      /reynolds_webhook_deliveries_total\{event="unverified",outcome="bad_signature"\} [1-9]/,
    );
  });
});

describe('webhook intake while shutting down', function () {
  it('answers 503 with Retry-After once stop() has begun, and readyz says draining', async function () {
    const reynolds = await startTestReynolds();
    const stopping = reynolds.stop();
    // The listener may already be closed; either way nothing is accepted that is not kept.
    const outcome = await postDelivery(reynolds.url, {
      event: 'issues',
      payload: issuePayload,
    }).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.ok(outcome === 503 || outcome === 'refused', `got ${outcome}`);
    await stopping;
    await reynolds.dispose();
  });
});
