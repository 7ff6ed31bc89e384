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
import { botAuthenticationSettingsFrom } from '../../src/composition/bot-authentication-settings.js';
import { botCredentialsFactory } from '../../src/teams/bot-authentication.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import { startGitHubAppServer, type GitHubAppServer } from '../support/github-app-server.js';
import { captureLogger } from '../support/log-capture.js';
import { LoopbackCredentialsFactory, startOpenIdServer, type OpenIdServer } from '../support/openid-server.js';
import { eventually, postDelivery, startTestReynolds, testConfig, TEST_SECRET, type TestReynolds } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const TENANT = '7d1c3e55-0000-4000-8000-0000000000aa';
const APP_ID = 4242;

function distinctive(name: string): string {
  return `${name.toLowerCase().replace(/_/g, '-')}-LEAKCHECK-${randomBytes(12).toString('hex')}`;
}

function forms(secret: string): string[] {
  const out = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
  if (secret.includes('-----BEGIN')) out.push(...secret.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
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
  let reynolds: TestReynolds;
  let log: ReturnType<typeof captureLogger>;
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = consoleMethods.map((m) => console[m]);

  before(async () => {
    for (const m of consoleMethods) console[m] = (...args: unknown[]) => void seen.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    openId = await startOpenIdServer();
    connector = await startConnectorStub();
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    github = await startGitHubAppServer({ appId: APP_ID, privateKeyPem: privateKey });
    const names = parseConfig({ GITHUB_WEBHOOK_SECRET: TEST_SECRET }).secretNames;
    // Secrets with a format of their own get a well-formed value that is still unique to this test.
    const shaped: Record<string, string> = {
      GITHUB_APP_PRIVATE_KEY: privateKey,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${randomUUID()};IngestionEndpoint=https://${distinctive('ingest').toLowerCase().replace(/[^a-z0-9]/g, '')}.example`,
    };
    for (const name of names) secrets[name] = shaped[name] ?? distinctive(name);
    const env = {
      ...secrets,
      BOT_ID: botId,
      BOT_TENANT_ID: TENANT,
      BOT_OPENID_METADATA_URL: openId.metadataUrl,
      HOST: '127.0.0.1',
      GITHUB_APP_ID: String(APP_ID),
      GITHUB_API_URL: github.url,
      LOG_LEVEL: 'trace',
    };
    const config = testConfig(env);
    log = captureLogger(config.secretValues, 'trace');
    reynolds = await startTestReynolds(env, { logger: log.logger, botCredentialsFactory: new LoopbackCredentialsFactory(botCredentialsFactory(botAuthenticationSettingsFrom(config))) });
  });

  after(async () => {
    consoleMethods.forEach((m, i) => (console[m] = originals[i]!));
    await reynolds?.dispose();
    await Promise.all([connector?.stop(), openId?.stop(), github?.stop()]);
  });

  async function call(path: string, init?: RequestInit): Promise<number> {
    const response = await fetch(`${reynolds.url}${path}`, init);
    seen.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
    return response.status;
  }

  async function chat(text: string, token?: string): Promise<number> {
    const activity = {
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: '29:user', aadObjectId: randomUUID(), name: 'Ada' },
      recipient: { id: `28:${botId}` },
      conversation: { id: 'a:leak-check', conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      text,
    };
    const auth = token ?? (await openId.token({ aud: botId, serviceurl: connector.url }));
    return call('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(activity) });
  }

  it('drives traffic on every door, including failures, and finds no secret in anything that came out', async () => {
    const issue = exampleOf('issues', 'opened').payload;
    const webhook = secrets.GITHUB_WEBHOOK_SECRET!;
    // Webhook: good, bad signature, wrong secret, garbage body, wrong content type, form-encoded, ping.
    for (const d of [
      { event: 'issues', payload: issue, secret: webhook },
      { event: 'issues', payload: issue, secret: 'wrong-secret-value-123' },
      { event: 'issues', payload: `{"broken": ${webhook}`, secret: webhook },
      { event: 'issues', payload: issue, secret: webhook, headers: { 'content-type': 'text/plain' } },
      { event: 'issues', payload: issue, secret: webhook, headers: { 'x-hub-signature-256': `sha256=${Buffer.from(webhook).toString('hex')}` } },
      { event: 'issues', payload: issue, secret: webhook, form: true },
      { event: 'ping', payload: { zen: 'Keep it logically awesome.', hook_id: 1 }, secret: webhook },
    ]) {
      const result = await postDelivery(reynolds.url, d);
      seen.push(`${result.status} ${JSON.stringify([...result.headers])} ${JSON.stringify(result.json)}`);
    }
    // Bot: refused tokens, then commands that succeed and fail.
    await chat('help', 'not-a-token');
    await chat('help', await openId.token({ aud: randomUUID(), serviceurl: connector.url }));
    for (const text of ['help', 'status', 'subscribe', 'subscribe octo-org/hello-world issues', 'subscribe ??? !!!', 'subscriptions', 'unsubscribe octo-org/hello-world', `echo ${webhook}`]) {
      assert.equal(await chat(text), 200, text);
    }
    // Tab API (no SSO here), health, metrics, unknown routes and methods.
    for (const path of ['/api/chains', '/api/chains/x', '/healthz', '/readyz', '/metrics', '/nope']) await call(path);
    await call('/healthz', { method: 'DELETE' });
    // Recovery against a GitHub that refuses, then answers.
    github.refuse(1, 503);
    await reynolds.recovery!.runOnce();
    await reynolds.recovery!.runOnce();
    await eventually(async () => (await reynolds.store.inboxCounts()).pending === 0, 'the accepted deliveries to be processed');
    // The store going away: intake answers 503, the bot's turn fails, readiness says why.
    await reynolds.store.close();
    await postDelivery(reynolds.url, { event: 'issues', payload: issue, secret: webhook }).then((r) => seen.push(`${r.status} ${JSON.stringify(r.json)}`));
    await chat('subscriptions');
    await call('/readyz');
    await call('/metrics');
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last log lines flush

    const corpus = [...log.lines, ...seen, ...connector.posts.map((p) => JSON.stringify(p.activity))].join('\n');
    assert.ok(log.lines.length > 20 && connector.posts.length >= 5, `traffic was driven (${log.lines.length} log lines, ${connector.posts.length} bot posts)`);
    assert.ok(log.lines.some((l) => l.includes('"level":50') || l.includes('"level":40')), 'errors were logged');
    for (const [name, value] of Object.entries(secrets)) {
      for (const form of forms(value)) {
        const at = corpus.indexOf(form);
        assert.equal(at, -1, `${name} leaked: …${corpus.slice(Math.max(0, at - 200), at + 50)}…`);
      }
    }
  });
});
