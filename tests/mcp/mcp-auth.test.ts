/**
 * /mcp outside local mode: the MCP authorization spec with Entra ID tokens, signed by keys made
 * here and served as a JWKS on loopback in place of Entra's (tests/support/sso-issuer.ts).
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { systemClock } from '../../src/core/clock.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startSsoIssuer, type SsoIssuer } from '../support/sso-issuer.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';

const BOT_ID = '11111111-2222-3333-4444-555555555555';
const TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
const ADMIN = 'bbbbbbbb-0000-0000-0000-00000000000a';
const AUDIENCE = `api://reynolds.test/${BOT_ID}`;
const CHANNEL = '19:mcp-auth@thread.tacv2';
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 't', version: '1' },
  },
});

describe('MCP server auth (Entra ID bearer tokens)', function () {
  this.timeout(30_000);
  let issuer: SsoIssuer;
  let reynolds: TestReynolds;
  before(async function () {
    issuer = await startSsoIssuer({ tenantId: TENANT, audience: AUDIENCE });
    reynolds = await startTestReynolds({
      HOST: '127.0.0.1',
      BOT_ID,
      BOT_PASSWORD: 'not-used-here',
      BOT_TENANT_ID: TENANT,
      PUBLIC_BASE_URL: 'https://reynolds.test',
      MCP_JWKS_URL: issuer.jwksUrl,
      MCP_AUDIENCE: AUDIENCE,
      ADMIN_AAD_IDS: ADMIN,
    });
    await new ConversationBook(reynolds.store, systemClock).remember(
      TENANT,
      {
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9',
        conversation: { id: CHANNEL, name: 'builds', conversationType: 'channel', isGroup: true },
        bot: { id: 'bot', name: 'Reynolds' },
      },
      { scope: 'channel', name: 'builds' },
    );
  });
  after(async function () {
    await reynolds?.dispose();
    await issuer?.stop();
  });

  const post = (authorization?: string) =>
    fetch(`${reynolds.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(authorization ? { authorization } : {}),
      },
      body: INIT,
    });
  const METADATA = 'https://reynolds.test/.well-known/oauth-protected-resource/mcp';

  it('answers 401 without a token, with WWW-Authenticate naming the resource metadata, which names Entra ID', async function () {
    const none = await post();
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), `Bearer resource_metadata="${METADATA}"`);
    assert.match(
      ((await none.json()) as { error: { message: string } }).error.message,
      /Authorization: Bearer/,
    );

    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const metadata = (await (await fetch(`${reynolds.url}${path}`)).json()) as Record<
        string,
        unknown
      >;
      assert.equal(metadata.resource, 'https://reynolds.test/mcp');
      assert.deepEqual(metadata.authorization_servers, [
        `https://login.microsoftonline.com/${TENANT}/v2.0`,
      ]);
      assert.deepEqual(metadata.scopes_supported, [`${AUDIENCE}/access_as_user`]);
    }
  });

  it('refuses a token for another audience, another tenant, expired, or signed by another key', async function () {
    const cases: [string, string, number, RegExp][] = [
      [
        'another audience',
        await issuer.token({ aud: 'api://someone-else' }),
        401,
        /another resource/,
      ],
      [
        'expired',
        await issuer.token({ expiresIn: Math.floor(Date.now() / 1000) - 600 }),
        401,
        /expired/,
      ],
      ['foreign key', await issuer.token({}, { foreignKey: true }), 401, /not signed by a key/],
      [
        'another tenant',
        await issuer.token({ tid: 'cccccccc-0000-0000-0000-000000000002' }),
        403,
        /another Microsoft 365 tenant/,
      ],
    ];
    for (const [what, token, status, message] of cases) {
      const answer = await post(`Bearer ${token}`);
      assert.equal(answer.status, status, what);
      assert.match(
        ((await answer.json()) as { error: { message: string } }).error.message,
        message,
        what,
      );
      const challenge = answer.headers.get('www-authenticate') ?? '';
      assert.match(
        challenge,
        new RegExp(
          `^Bearer resource_metadata="${METADATA}", error="${status === 401 ? 'invalid_token' : 'insufficient_scope'}"`,
        ),
        what,
      );
    }
    const malformed = await post('Bearer not-a-jwt');
    assert.equal(malformed.status, 401);
    assert.match(malformed.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('serves a valid token of the tenant, and maps the caller to the same write rights as in Teams', async function () {
    const connect = async (oid: string) => {
      const token = await issuer.token({ oid, name: `user ${oid.slice(-1)}` });
      const client = new Client({ name: 'reynolds-auth-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${reynolds.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      return client;
    };
    const someone = await connect('dddddddd-0000-0000-0000-00000000000d');
    const conversations = (await someone.callTool({
      name: 'list_conversations',
      arguments: {},
    })) as unknown as { structuredContent: { conversations: { conversationId: string }[] } };
    assert.deepEqual(
      conversations.structuredContent.conversations.map((c) => c.conversationId),
      [CHANNEL],
    );
    const refused = (await someone.callTool({
      name: 'subscribe',
      arguments: { conversationId: CHANNEL, repo: 'octo-org/app' },
    })) as { isError?: boolean; content: { text: string }[] };
    assert.equal(refused.isError, true);
    assert.match(refused.content[0]!.text, /hasn't allowed you/);
    await someone.close();

    // A tenant-wide admin (ADMIN_AAD_IDS) may, as from a Teams card.
    const admin = await connect(ADMIN);
    const done = (await admin.callTool({
      name: 'subscribe',
      arguments: { conversationId: CHANNEL, repo: 'octo-org/app' },
    })) as unknown as {
      isError?: boolean;
      structuredContent: { subscriptions: { name: string; createdBy: string }[] };
    };
    assert.equal(done.isError, undefined);
    assert.deepEqual(
      done.structuredContent.subscriptions.map((s) => [s.name, s.createdBy]),
      [['octo-org/app', 'mcp:user a']],
    );
    await admin.close();
  });
});
