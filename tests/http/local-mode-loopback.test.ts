/**
 * Local mode (no BOT_ID) serves /api/messages and the tab API to callers on this machine's
 * loopback only: the same request is let through from 127.0.0.1 and refused with a 403 (JSON,
 * saying why) from any other address.
 *
 * How the caller comes from elsewhere: the guards read `req.socket.remoteAddress`
 * (src/http/teams-route.ts isLoopback, src/http/tab-api-access.ts). Tests here send traffic to
 * loopback only (house rule: no test connects to a non-loopback address, not even this machine's
 * own), so a restify `pre` handler gives the socket a TEST-NET-3 remote address for requests that
 * carry a test header; the guards then see exactly what a remote peer's connection shows them.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { systemClock } from '../../src/core/clock.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';

const CHANNEL = '19:local-mode@thread.tacv2';
/** TEST-NET-3 (RFC 5737): only ever a label on the socket, never connected to. */
const INJECTED_ADDRESS = '203.0.113.7';
const INJECT_HEADER = 'x-test-remote-address';

interface Answer {
  status: number;
  json: { error?: { code: string; message: string }; [k: string]: unknown };
}

describe('local mode: loopback callers only', function () {
  this.timeout(30_000);
  const how = `remote address ${INJECTED_ADDRESS}`;
  let reynolds: TestReynolds;

  before(async function () {
    reynolds = await startTestReynolds();
    assert.equal(reynolds.config.localMode, true, 'no BOT_ID: local mode');
    reynolds.server.pre((req, _res, next) => {
      if (req.headers[INJECT_HEADER] !== undefined)
        Object.defineProperty(req.socket, 'remoteAddress', {
          value: INJECTED_ADDRESS,
          configurable: true,
        });
      return next();
    });
    await new ConversationBook(reynolds.store, systemClock).remember(
      'local',
      {
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9',
        conversation: { id: CHANNEL, name: 'alerts', conversationType: 'channel', isGroup: true },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel' },
    );
  });
  after(async () => reynolds?.dispose());

  /** One request, from loopback or from elsewhere (see the file's header for how). */
  function call(
    from: 'loopback' | 'elsewhere',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answer> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> =
      text === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
    const target = { host: '127.0.0.1', localAddress: '127.0.0.1' };
    if (from === 'elsewhere') headers[INJECT_HEADER] = '1';
    return new Promise((resolve, reject) => {
      // agent: false, a connection per request: a kept-alive socket would carry one caller's address into the next request.
      const req = request(
        { ...target, agent: false, port: reynolds.port, method, path, headers },
        (res) => {
          let raw = '';
          res.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, json: raw ? JSON.parse(raw) : {} }),
          );
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  it(`refuses POST /api/messages from elsewhere with 403 local_mode, and lets loopback through (${how})`, async function () {
    // Not a valid activity: from loopback the guard lets it through and the route refuses the shape (400).
    const activity = { type: 7 };
    const near = await call('loopback', 'POST', '/api/messages', activity);
    assert.equal(near.status, 400, JSON.stringify(near.json));
    assert.equal(near.json.error?.code, 'malformed_activity');
    const far = await call('elsewhere', 'POST', '/api/messages', activity);
    assert.equal(far.status, 403, JSON.stringify(far.json));
    assert.equal(far.json.error?.code, 'local_mode');
    assert.match(far.json.error!.message, /this machine only/);
    assert.match(
      far.json.error!.message,
      /Set BOT_ID, BOT_PASSWORD and BOT_TENANT_ID/,
      'says how to serve Teams instead',
    );
  });

  it(`refuses the tab API from elsewhere with 403 local_mode, and serves it to loopback (${how})`, async function () {
    const conversation = encodeURIComponent(CHANNEL);
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/chains'],
      ['GET', '/api/pool'],
      ['GET', '/api/conversations'],
      ['GET', `/api/subscriptions?conversationId=${conversation}`],
      ['GET', `/api/alerts?conversationId=${conversation}`],
      ['PUT', '/api/subscriptions', { conversationId: CHANNEL, repos: ['contoso/octo-repo'] }],
      ['DELETE', `/api/subscriptions?conversationId=${conversation}&repo=contoso%2Focto-repo`],
    ];
    for (const [method, path, body] of routes) {
      const far = await call('elsewhere', method, path, body);
      assert.equal(
        far.status,
        403,
        `${method} ${path} from elsewhere: ${JSON.stringify(far.json)}`,
      );
      assert.equal(far.json.error?.code, 'local_mode', `${method} ${path}`);
      assert.match(
        far.json.error!.message,
        /Local mode \(no BOT_ID\) serves the tab API to this machine only/,
        `${method} ${path}`,
      );
    }
    // Nothing the refused PUT asked for was saved.
    const listed = await call(
      'loopback',
      'GET',
      `/api/subscriptions?conversationId=${conversation}`,
    );
    assert.equal(listed.status, 200, JSON.stringify(listed.json));
    assert.deepEqual(listed.json.subscriptions, []);
    for (const [method, path, body] of routes) {
      const near = await call('loopback', method, path, body);
      assert.ok(
        near.status >= 200 && near.status < 300,
        `${method} ${path} from loopback answered ${near.status}: ${JSON.stringify(near.json)}`,
      );
    }
  });
});
