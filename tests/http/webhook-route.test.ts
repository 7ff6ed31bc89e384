/**
 * POST /api/github/webhook as an ordinary client sees it, against Reynolds in its own process
 * (`npm start`'s way): in one process with the client, the event loop interleaves the client's
 * writes with the server's answer and the reset this guards against never shows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startChild,
  waitHealthy,
  type ChildReynolds,
} from '../support/child-reynolds.js';
import { signedRequest } from '../support/reynolds.js';

const LIMIT = 1024 * 1024;

describe('webhook route: a body over the limit', function () {
  this.timeout(60_000);
  let reynolds: ChildReynolds;
  let dataDir: string;

  before(async function () {
    dataDir = mkdtempSync(join(tmpdir(), 'reynolds-webhook-route-'));
    reynolds = startChild({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      WEBHOOK_MAX_BODY_BYTES: String(LIMIT),
    });
    await waitHealthy(reynolds.url);
  });

  after(async function () {
    await reynolds.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers fetch 413 with the JSON error while the client is still sending, every time', async function () {
    // 26 MB against a 1 MB limit: the client has almost all of it left to send when the
    // declared length is refused. Before the rest was discarded, fetch failed with EPIPE on
    // most tries (4 of 5 with a 26 MB body against the 25 MB default).
    for (let attempt = 0; attempt < 5; attempt++) {
      const { headers } = await signedRequest({ event: 'issues', payload: {} });
      const response = await fetch(`${reynolds.url}/api/github/webhook`, {
        method: 'POST',
        headers,
        body: Buffer.alloc(26 * 1024 * 1024, 0x20),
      });
      assert.equal(response.status, 413);
      const json = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(json.error.code, 'payload_too_large');
      assert.match(json.error.message, /WEBHOOK_MAX_BODY_BYTES/);
    }
  });

  it('keeps the connection usable after the refused body: the next request on it is answered', async function () {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: Buffer, headers: Record<string, string>) =>
      new Promise<{ status: number; reusedSocket: boolean }>((resolve, reject) => {
        const req = request(
          `${reynolds.url}/api/github/webhook`,
          { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } },
          (res) => {
            res.resume();
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, reusedSocket: req.reusedSocket }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const big = await signedRequest({ event: 'issues', payload: {} });
    assert.equal((await send(Buffer.alloc(3 * LIMIT, 0x20), big.headers)).status, 413);
    const small = await signedRequest({
      event: 'ping',
      payload: { zen: 'Keep it logically awesome.', hook_id: 1 },
    });
    const next = await send(Buffer.from(small.body), small.headers);
    assert.equal(next.status, 200);
    assert.ok(
      next.reusedSocket,
      'the second request went over the connection that carried the refused body',
    );
    agent.destroy();
  });

  it('cuts a client off once it has sent more than the bound past the limit', async function () {
    // The bound is max(limit, 32 MB) of discarded bytes: 40 MB more is past it, so the server
    // closes the connection rather than read forever. The client sees the 413 or the reset.
    const { headers } = await signedRequest({ event: 'issues', payload: {} });
    const outcome = await new Promise<string>((resolve) => {
      const req = request(`${reynolds.url}/api/github/webhook`, {
        method: 'POST',
        headers: { ...headers, 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => res.resume());
      req.on('error', (error) => resolve(`closed: ${error.message}`));
      req.on('close', () => resolve('closed'));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 80 && !req.destroyed) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) resolve(`sent all ${sent} MB without being cut off`);
      };
      pump();
    });
    assert.match(outcome, /^closed/);
  });
});
