/**
 * Local mode (no BOT_ID) serves /api/messages and the tab API to callers on this machine's
 * loopback only: the same request is let through from 127.0.0.1 and refused with a 403 (JSON,
 * saying why) from any other address.
 *
 * How the caller comes from elsewhere: the guards read `req.socket.remoteAddress`
 * (src/http/teams-route.ts isLoopback, src/http/tab-api-access.ts). When this machine has a
 * non-loopback IPv4 address of its own (os.networkInterfaces()), the server binds to 0.0.0.0 and
 * the test connects from and to that address, so the refusal is of a real TCP connection whose
 * peer is not loopback, and no packet leaves the machine. Only when there is no such address does
 * it fall back to setting the socket's remote address in a restify `pre` handler, for requests
 * carrying a test header; the title of each test says which of the two ran.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { systemClock } from '../../src/core/clock.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';

const CHANNEL = '19:local-mode@thread.tacv2';
/** TEST-NET-3 (RFC 5737): only ever a label in the injected fallback, never connected to. */
const INJECTED_ADDRESS = '203.0.113.7';
const INJECT_HEADER = 'x-test-remote-address';

/** A non-internal IPv4 address of this machine, or undefined when it has none. */
function ownExternalAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    const found = entries?.find((e) => e.family === 'IPv4' && !e.internal && !e.address.startsWith('127.'));
    if (found) return found.address;
  }
  return undefined;
}

interface Answer {
  status: number;
  json: { error?: { code: string; message: string }; [k: string]: unknown };
  remote?: string;
}

describe('local mode: loopback callers only', function () {
  this.timeout(30_000);
  const external = ownExternalAddress();
  const how = external ? `a real connection from ${external}, this machine's own address` : `an injected remote address (${INJECTED_ADDRESS}): this machine has no non-loopback address`;
  let reynolds: TestReynolds;

  before(async function () {
    reynolds = await startTestReynolds({ HOST: '0.0.0.0' });
    assert.equal(reynolds.config.localMode, true, 'no BOT_ID: local mode');
    if (!external) {
      reynolds.server.pre((req, _res, next) => {
        if (req.headers[INJECT_HEADER] !== undefined) Object.defineProperty(req.socket, 'remoteAddress', { value: INJECTED_ADDRESS, configurable: true });
        return next();
      });
    }
    await new ConversationBook(reynolds.store, systemClock).remember('local', { channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9', conversation: { id: CHANNEL, name: 'alerts', conversationType: 'channel', isGroup: true }, bot: { id: 'bot', name: 'Reynolds' } }, { scope: 'channel' });
  });
  after(async () => reynolds?.dispose());

  /** One request, from loopback or from elsewhere (see the file's header for how). */
  function call(from: 'loopback' | 'elsewhere', method: string, path: string, body?: unknown): Promise<Answer> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
    const target = from === 'loopback' ? { host: '127.0.0.1', localAddress: '127.0.0.1' } : external ? { host: external, localAddress: external } : { host: '127.0.0.1', localAddress: '127.0.0.1' };
    if (from === 'elsewhere' && !external) headers[INJECT_HEADER] = '1';
    return new Promise((resolve, reject) => {
      // agent: false, a connection per request: a kept-alive socket would carry one caller's address into the next request.
      const req = request({ ...target, agent: false, port: reynolds.port, method, path, headers }, (res) => {
        let raw = '';
        res.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: raw ? JSON.parse(raw) : {}, remote: req.socket?.localAddress }));
      });
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
    if (external) assert.equal(far.remote, external, 'the request left from the non-loopback address');
    assert.equal(far.status, 403, JSON.stringify(far.json));
    assert.equal(far.json.error?.code, 'local_mode');
    assert.match(far.json.error!.message, /this machine only/);
    assert.match(far.json.error!.message, /Set BOT_ID, BOT_PASSWORD and BOT_TENANT_ID/, 'says how to serve Teams instead');
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
      assert.equal(far.status, 403, `${method} ${path} from elsewhere: ${JSON.stringify(far.json)}`);
      assert.equal(far.json.error?.code, 'local_mode', `${method} ${path}`);
      assert.match(far.json.error!.message, /Local mode \(no BOT_ID\) serves the tab API to this machine only/, `${method} ${path}`);
    }
    // Nothing the refused PUT asked for was saved.
    const listed = await call('loopback', 'GET', `/api/subscriptions?conversationId=${conversation}`);
    assert.equal(listed.status, 200, JSON.stringify(listed.json));
    assert.deepEqual(listed.json.subscriptions, []);
    for (const [method, path, body] of routes) {
      const near = await call('loopback', method, path, body);
      assert.ok(near.status >= 200 && near.status < 300, `${method} ${path} from loopback answered ${near.status}: ${JSON.stringify(near.json)}`);
    }
  });
});
