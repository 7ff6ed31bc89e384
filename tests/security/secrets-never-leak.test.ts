/**
 * Secrets never leave Reynolds: start it with a distinctive value for every secret variable
 * (config.secretNames, so a new secret is covered the day it is added), drive traffic that
 * succeeds and fails on every door, then grep everything that came out — log lines, console
 * output of the SDKs, HTTP responses (bodies and headers), bot replies and cards sent to the
 * connector — for each secret and its base64 forms.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config.js';
import type { PipelineContext } from '../../src/core/pipeline.js';
import { botAuthenticationSettingsFrom } from '../../src/composition/bot-authentication-settings.js';
import { botCredentialsFactory } from '../../src/teams/bot-authentication.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import { startGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { startGitHubApiStub, type GitHubApiStub } from '../support/github-api-stub.js';
import { captureLogger } from '../support/log-capture.js';
import {
  LoopbackCredentialsFactory,
  startOpenIdServer,
  type OpenIdServer,
} from '../support/openid-server.js';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  testConfig,
  TEST_SECRET,
  type TestReynolds,
} from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const TENANT = '7d1c3e55-0000-4000-8000-0000000000aa';
const APP_ID = 4242;
/** The person who signs in; a tenant admin, so their card clicks reach GitHub. */
const ADA = randomUUID();

function distinctive(name: string): string {
  return `${name.toLowerCase().replace(/_/g, '-')}-LEAKCHECK-${randomBytes(12).toString('hex')}`;
}

function forms(secret: string): string[] {
  const out = [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
  ];
  if (secret.includes('-----BEGIN'))
    out.push(...secret.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
  return out;
}

describe('secrets never appear in logs, errors, cards or /metrics', function () {
  this.timeout(60_000);
  const seen: string[] = [];
  const botId = randomUUID();
  const secrets: Record<string, string> = {};
  let openId: OpenIdServer;
  let connector: ConnectorStub;
  let github: GitHubAppServer;
  /** GitHub's sign-in side (device flow, /user, revocation), passing everything else on to the App stand-in. */
  let signInGitHub: GitHubApiStub;
  let reynolds: TestReynolds;
  let log: ReturnType<typeof captureLogger>;
  /** What the pipeline processed: the chain node a card click ties to. */
  const processed: PipelineContext[] = [];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = consoleMethods.map((m) => console[m]);

  before(async () => {
    for (const m of consoleMethods)
      console[m] = (...args: unknown[]) =>
        void seen.push(
          args
            .map((a) =>
              a instanceof Error
                ? `${a.message}\n${a.stack}`
                : typeof a === 'string'
                  ? a
                  : JSON.stringify(a),
            )
            .join(' '),
        );
    openId = await startOpenIdServer();
    connector = await startConnectorStub();
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    github = await startGitHubAppServer({ appId: APP_ID, privateKeyPem: privateKey });
    const names = parseConfig({ GITHUB_WEBHOOK_SECRET: TEST_SECRET }).secretNames;
    // Secrets with a format of their own get a well-formed value that is still unique to this test.
    const shaped: Record<string, string> = {
      GITHUB_APP_PRIVATE_KEY: privateKey,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${randomUUID()};IngestionEndpoint=https://${distinctive(
        'ingest',
      )
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')}.example`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    for (const name of names) secrets[name] = shaped[name] ?? distinctive(name);
    signInGitHub = await startGitHubApiStub({
      clientSecret: secrets.GITHUB_OAUTH_CLIENT_SECRET,
      fallbackUrl: github.url,
    });
    const env = {
      ...secrets,
      BOT_ID: botId,
      BOT_TENANT_ID: TENANT,
      BOT_OPENID_METADATA_URL: openId.metadataUrl,
      HOST: '127.0.0.1',
      GITHUB_APP_ID: String(APP_ID),
      GITHUB_API_URL: signInGitHub.url,
      GITHUB_WEB_URL: signInGitHub.url,
      GITHUB_OAUTH_CLIENT_ID: signInGitHub.signIn.clientId,
      ADMIN_AAD_IDS: ADA,
      LOG_LEVEL: 'trace',
    };
    const config = testConfig(env);
    log = captureLogger(config.secretValues, 'trace');
    reynolds = await startTestReynolds(env, {
      logger: log.logger,
      botCredentialsFactory: new LoopbackCredentialsFactory(
        botCredentialsFactory(botAuthenticationSettingsFrom(config)),
      ),
      stages: [{ name: 'capture', run: async (context) => void processed.push(context) }],
    });
  });

  after(async () => {
    consoleMethods.forEach((m, i) => (console[m] = originals[i]!));
    await reynolds?.dispose();
    await Promise.all([connector?.stop(), openId?.stop(), github?.stop(), signInGitHub?.stop()]);
  });

  async function call(path: string, init?: RequestInit): Promise<number> {
    const response = await fetch(`${reynolds.url}${path}`, init);
    seen.push(
      `${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`,
    );
    return response.status;
  }

  async function chat(text: string, token?: string, aadObjectId = randomUUID()): Promise<number> {
    const activity = {
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: '29:user', aadObjectId, name: 'Ada' },
      recipient: { id: `28:${botId}` },
      conversation: { id: 'a:leak-check', conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      text,
    };
    const auth = token ?? (await openId.token({ aud: botId, serviceurl: connector.url }));
    return call('/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
      body: JSON.stringify(activity),
    });
  }

  /** A card click (Action.Execute invoke) by Ada on the alert about issue `number`. */
  async function click(verb: string, number: number): Promise<number> {
    const payload = structuredClone(exampleOf('issues', 'opened').payload) as Record<string, any>;
    payload['issue'].number = number;
    const delivery = await postDelivery(reynolds.url, {
      event: 'issues',
      payload,
      secret: secrets.GITHUB_WEBHOOK_SECRET,
    });
    await eventually(
      () => processed.some((c) => c.event.deliveryId === delivery.deliveryId),
      'the alert is processed',
    );
    const context = processed.find((c) => c.event.deliveryId === delivery.deliveryId)!;
    const data = {
      verb,
      repo: context.event.repo!.fullName,
      number,
      chainId: context.loop!.node.chainId,
      nodeId: context.loop!.node.nodeId,
      deliveryId: delivery.deliveryId,
    };
    const activity = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: '29:user', aadObjectId: ADA, name: 'Ada' },
      recipient: { id: `28:${botId}` },
      conversation: {
        id: '19:leak-check@thread.tacv2',
        conversationType: 'channel',
        tenantId: TENANT,
      },
      channelData: { tenant: { id: TENANT } },
      replyToId: 'alert-1',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    };
    const auth = await openId.token({ aud: botId, serviceurl: connector.url });
    return call('/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
      body: JSON.stringify(activity),
    });
  }

  it('drives traffic on every door, including failures, and finds no secret in anything that came out', async () => {
    const issue = exampleOf('issues', 'opened').payload;
    const webhook = secrets.GITHUB_WEBHOOK_SECRET!;
    // Webhook: good, bad signature, wrong secret, garbage body, wrong content type, form-encoded, ping.
    for (const d of [
      { event: 'issues', payload: issue, secret: webhook },
      { event: 'issues', payload: issue, secret: 'wrong-secret-value-123' },
      { event: 'issues', payload: `{"broken": ${webhook}`, secret: webhook },
      {
        event: 'issues',
        payload: issue,
        secret: webhook,
        headers: { 'content-type': 'text/plain' },
      },
      {
        event: 'issues',
        payload: issue,
        secret: webhook,
        headers: { 'x-hub-signature-256': `sha256=${Buffer.from(webhook).toString('hex')}` },
      },
      { event: 'issues', payload: issue, secret: webhook, form: true },
      {
        event: 'ping',
        payload: { zen: 'Keep it logically awesome.', hook_id: 1 },
        secret: webhook,
      },
    ]) {
      const result = await postDelivery(reynolds.url, d);
      seen.push(
        `${result.status} ${JSON.stringify([...result.headers])} ${JSON.stringify(result.json)}`,
      );
    }
    // Bot: refused tokens, then commands that succeed and fail.
    await chat('help', 'not-a-token');
    await chat('help', await openId.token({ aud: randomUUID(), serviceurl: connector.url }));
    for (const text of [
      'help',
      'status',
      'subscribe',
      'subscribe octo-org/hello-world issues',
      'subscribe ??? !!!',
      'subscriptions',
      'unsubscribe octo-org/hello-world',
      `echo ${webhook}`,
    ]) {
      assert.equal(await chat(text), 200, text);
    }
    // Sign-in: approved (then whoami), denied, GitHub down; sign-out revokes with the client secret; a token revoked at GitHub.
    const ada = ADA;
    const posted = () => connector.posts.length;
    const signInAnd = async (decide: (userCode: string) => void) => {
      const before = posted();
      assert.equal(await chat('sign in', undefined, ada), 200);
      decide((await signInGitHub.signIn.nextCode()).userCode);
      await eventually(() => posted() >= before + 2, 'the sign-in card and the follow-up');
    };
    await signInAnd((code) => signInGitHub.signIn.approve(code, { id: 4242, login: 'ada-gh' }));
    assert.ok(
      connector.posts.some((p) => String(p.activity['text']).includes('signed in as **@ada-gh**')),
      'the sign-in went through',
    );
    await chat('whoami', undefined, ada);
    await signInAnd((code) => signInGitHub.signIn.deny(code));
    await chat('sign out', undefined, ada);
    await signInAnd((code) => signInGitHub.signIn.approve(code, { id: 4242, login: 'ada-gh' }));
    // Card clicks with Ada's token: one GitHub does, one it refuses (404), one after her token was revoked on GitHub (401).
    const writes = signInGitHub.writes().length;
    assert.equal(await click('close', 7), 200);
    assert.equal(await click('close', 404), 200);
    for (const token of signInGitHub.signIn.tokens.keys())
      signInGitHub.signIn.revokeOnGitHub(token);
    assert.equal(await click('close', 8), 200);
    assert.equal(
      signInGitHub.writes().length,
      writes + 3,
      "three writes reached GitHub with Ada's token",
    );
    signInGitHub.signIn.down = true;
    await chat('sign in', undefined, ada);
    await chat('sign out', undefined, ada);
    signInGitHub.signIn.down = false;
    assert.ok(
      signInGitHub.requests.some(
        (r) => r.method === 'DELETE' && r.path.startsWith('/applications/'),
      ),
      'a token was revoked at GitHub',
    );
    // People's tokens, refresh tokens and device codes are secrets too.
    for (const [token, issued] of signInGitHub.signIn.tokens) {
      secrets[`person token ${token.slice(0, 4)}`] = token;
      if (issued.refreshToken) secrets[`refresh token ${token.slice(0, 4)}`] = issued.refreshToken;
    }
    for (const request of signInGitHub.requests)
      if (typeof request.body['device_code'] === 'string')
        secrets[`device code ${request.body['device_code']}`] = request.body['device_code'];
    // Tab API (no SSO here), health, metrics, unknown routes and methods.
    for (const path of ['/api/chains', '/api/chains/x', '/healthz', '/readyz', '/metrics', '/nope'])
      await call(path);
    await call('/healthz', { method: 'DELETE' });
    // Recovery against a GitHub that refuses, then answers.
    github.refuse(1, 503);
    await reynolds.recovery!.runOnce();
    await reynolds.recovery!.runOnce();
    await eventually(
      async () => (await reynolds.store.inboxCounts()).pending === 0,
      'the accepted deliveries to be processed',
    );
    // The store going away: intake answers 503, the bot's turn fails, readiness says why.
    await reynolds.store.close();
    await postDelivery(reynolds.url, { event: 'issues', payload: issue, secret: webhook }).then(
      (r) => seen.push(`${r.status} ${JSON.stringify(r.json)}`),
    );
    await chat('subscriptions');
    await call('/readyz');
    await call('/metrics');
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last log lines flush

    const corpus = [
      ...log.lines,
      ...seen,
      ...connector.posts.map((p) => JSON.stringify(p.activity)),
    ].join('\n');
    assert.ok(
      log.lines.length > 20 && connector.posts.length >= 5,
      `traffic was driven (${log.lines.length} log lines, ${connector.posts.length} bot posts)`,
    );
    assert.ok(
      log.lines.some((l) => l.includes('"level":50') || l.includes('"level":40')),
      'errors were logged',
    );
    for (const [name, value] of Object.entries(secrets)) {
      for (const form of forms(value)) {
        const at = corpus.indexOf(form);
        assert.equal(at, -1, `${name} leaked: …${corpus.slice(Math.max(0, at - 200), at + 50)}…`);
      }
    }
  });
});
