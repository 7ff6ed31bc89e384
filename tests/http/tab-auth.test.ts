/**
 * The tab API's SSO check over real HTTP: tokens signed by keys generated here, served as a JWKS
 * on loopback in place of Azure AD's.
 */
import assert from 'node:assert/strict';
import { startSsoIssuer, type SsoIssuer } from '../support/sso-issuer.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { TabSsoVerifier, ssoAudiences } from '../../src/http/tab-sso.js';
import { systemClock } from '../../src/core/clock.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';

const BOT_ID = '11111111-2222-3333-4444-555555555555';
const TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
const AUDIENCE = `api://reynolds.test/${BOT_ID}`;

describe('tab API auth (Teams SSO tokens)', function () {
  let issuer: SsoIssuer;
  let reynolds: TestReynolds;
  before(async function () {
    issuer = await startSsoIssuer({ tenantId: TENANT, audience: AUDIENCE });
    reynolds = await startTestReynolds({
      HOST: '127.0.0.1',
      BOT_ID,
      BOT_PASSWORD: 'not-used-here',
      BOT_TENANT_ID: TENANT,
      TAB_SSO_JWKS_URL: issuer.jwksUrl,
      TAB_SSO_AUDIENCE: `${AUDIENCE},${BOT_ID}`,
    });
  });
  after(async function () {
    await reynolds.dispose();
    await issuer.stop();
  });

  const call = async (path: string, authorization?: string) => {
    const response = await fetch(`${reynolds.url}${path}`, {
      headers: authorization ? { authorization } : {},
    });
    return {
      status: response.status,
      json: (await response.json()) as {
        error?: { code: string; message: string };
        [k: string]: unknown;
      },
      headers: response.headers,
    };
  };

  it('serves a valid token of the bot tenant, for either configured audience', async function () {
    for (const aud of [AUDIENCE, BOT_ID]) {
      const ok = await call('/api/chains', `Bearer ${await issuer.token({ aud })}`);
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.deepEqual(ok.json.chains, []);
    }
    const pool = await call('/api/pool', `Bearer ${await issuer.token()}`);
    assert.equal(pool.status, 200);
    assert.equal(pool.json.configured, false);
  });

  it('accepts the v1 (sts.windows.net) issuer form', async function () {
    const ok = await call(
      '/api/chains',
      `Bearer ${await issuer.token({ iss: `https://sts.windows.net/${TENANT}/` })}`,
    );
    assert.equal(ok.status, 200);
  });

  it('answers 401 without a token, or with a malformed one, and says how to send it', async function () {
    const none = await call('/api/chains');
    assert.equal(none.status, 401);
    assert.equal(none.json.error?.code, 'sso_required');
    assert.match(none.json.error!.message, /Authorization: Bearer/);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const malformed = await call('/api/chains', 'Bearer not-a-jwt');
    assert.equal(malformed.status, 401);
    assert.equal(malformed.json.error?.code, 'malformed_token');
    const basic = await call('/api/chains', 'Basic dXNlcjpwYXNz');
    assert.equal(basic.status, 401);
  });

  it('answers 401 for an expired token', async function () {
    const expired = await call(
      '/api/chains',
      `Bearer ${await issuer.token({ expiresIn: Math.floor(Date.now() / 1000) - 3600 })}`,
    );
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error?.code, 'token_expired');
    assert.match(expired.json.error!.message, /expired/);
  });

  it('answers 401 for a token meant for another app', async function () {
    const wrong = await call(
      '/api/chains',
      `Bearer ${await issuer.token({ aud: 'api://someone-else/9999' })}`,
    );
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error?.code, 'wrong_audience');
    assert.match(wrong.json.error!.message, /TAB_SSO_AUDIENCE/);
  });

  it('answers 401 for a token signed by a key Azure AD does not publish', async function () {
    const forged = await call(
      '/api/chains',
      `Bearer ${await issuer.token({}, { foreignKey: true })}`,
    );
    assert.equal(forged.status, 401);
    assert.equal(forged.json.error?.code, 'bad_signature');
  });

  it('answers 401 when the issuer is not Azure AD for the token tenant', async function () {
    const odd = await call(
      '/api/chains',
      `Bearer ${await issuer.token({ iss: 'https://evil.example/v2.0' })}`,
    );
    assert.equal(odd.status, 401);
    assert.equal(odd.json.error?.code, 'wrong_issuer');
  });

  it('answers 403 for a valid token of another tenant', async function () {
    const other = await call(
      '/api/chains',
      `Bearer ${await issuer.token({ tid: 'bbbbbbbb-0000-0000-0000-000000000002' })}`,
    );
    assert.equal(other.status, 403);
    assert.equal(other.json.error?.code, 'wrong_tenant');
  });

  it('guards every tab route, including writes', async function () {
    for (const path of [
      '/api/chains/ch-1',
      '/api/pool',
      '/api/conversations',
      '/api/subscriptions?conversationId=x',
      '/api/alerts?conversationId=x',
    ]) {
      assert.equal((await call(path)).status, 401, path);
    }
    const put = await fetch(`${reynolds.url}/api/subscriptions`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(put.status, 401);
  });
});

describe('TabSsoVerifier (without a server around it)', function () {
  it('answers 503 with what happened when the signing keys cannot be fetched', async function () {
    const issuer = await startSsoIssuer({ tenantId: TENANT, audience: BOT_ID });
    const token = await issuer.token();
    const jwksUrl = issuer.jwksUrl;
    await issuer.stop(); // nothing listens there any more
    const outcome = await new TabSsoVerifier({
      jwksUrl,
      audiences: [BOT_ID],
      tenantId: TENANT,
    }).verify(`Bearer ${token}`);
    assert.equal(outcome.ok, false);
    assert.deepEqual(outcome.ok ? undefined : [outcome.status, outcome.code], [
      503,
      'sso_keys_unavailable',
    ]);
  });

  it('fetches the keys once and reuses them', async function () {
    const issuer = await startSsoIssuer({ tenantId: TENANT, audience: BOT_ID });
    const verifier = new TabSsoVerifier({
      jwksUrl: issuer.jwksUrl,
      audiences: [BOT_ID],
      tenantId: TENANT,
    });
    for (let i = 0; i < 3; i += 1)
      assert.equal((await verifier.verify(`Bearer ${await issuer.token()}`)).ok, true);
    assert.equal(issuer.jwksRequests, 1);
    await issuer.stop();
  });

  it('defaults the audience to the bot id and its api:// URIs on the public host', function () {
    assert.deepEqual(ssoAudiences(BOT_ID, undefined, 'https://reynolds.contoso.test'), [
      BOT_ID,
      `api://botid-${BOT_ID}`,
      `api://reynolds.contoso.test/${BOT_ID}`,
      `api://reynolds.contoso.test/botid-${BOT_ID}`,
    ]);
    assert.deepEqual(ssoAudiences(BOT_ID, 'api://x/1,2', undefined), ['api://x/1', '2']);
  });
});

describe('tab API writes with an SSO token', function () {
  let issuer: SsoIssuer;
  let reynolds: TestReynolds;
  before(async function () {
    issuer = await startSsoIssuer({ tenantId: TENANT, audience: BOT_ID });
    reynolds = await startTestReynolds({
      HOST: '127.0.0.1',
      BOT_ID,
      BOT_PASSWORD: 'not-used-here',
      BOT_TENANT_ID: TENANT,
      TAB_SSO_JWKS_URL: issuer.jwksUrl,
    });
    const book = new ConversationBook(reynolds.store, systemClock);
    await book.remember(
      TENANT,
      { conversation: { id: '19:team-channel@thread.tacv2' } as never },
      { scope: 'channel', name: 'eng' },
    );
    await book.remember(
      'bbbbbbbb-0000-0000-0000-000000000002',
      { conversation: { id: '19:elsewhere@thread.tacv2' } as never },
      { scope: 'channel', name: 'elsewhere' },
    );
  });
  after(async function () {
    await reynolds.dispose();
    await issuer.stop();
  });

  it('saves in the caller tenant, records who saved, and lists only that tenant conversations', async function () {
    const headers = {
      authorization: `Bearer ${await issuer.token()}`,
      'content-type': 'application/json',
    };
    const put = await fetch(`${reynolds.url}/api/subscriptions`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        conversationId: '19:team-channel@thread.tacv2',
        repos: ['octo-org/api'],
      }),
    });
    assert.equal(put.status, 200);
    const saved = ((await put.json()) as any).saved[0].subscription;
    assert.equal(saved.tenantId, TENANT);
    assert.equal(saved.createdBy, 'Megan Bowen');
    const listed = (await (
      await fetch(`${reynolds.url}/api/conversations`, { headers })
    ).json()) as any;
    assert.deepEqual(
      listed.conversations.map((c: any) => c.name),
      ['eng'],
    );
    const foreign = await fetch(
      `${reynolds.url}/api/subscriptions?conversationId=${encodeURIComponent('19:elsewhere@thread.tacv2')}`,
      { headers },
    );
    assert.equal(
      foreign.status,
      404,
      "another tenant's conversation is not found from this tenant",
    );
  });
});
