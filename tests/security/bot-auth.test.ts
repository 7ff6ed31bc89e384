/**
 * /api/messages with BOT_ID set: the SDK's own token validation, pointed at a loopback OpenID
 * metadata + JWKS server (BOT_OPENID_METADATA_URL) whose RSA key is made here.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { botAuthenticationSettingsFrom } from '../../src/composition/bot-authentication-settings.js';
import { botCredentialsFactory } from '../../src/teams/bot-authentication.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import { captureLogger } from '../support/log-capture.js';
import {
  LoopbackCredentialsFactory,
  startOpenIdServer,
  type OpenIdServer,
} from '../support/openid-server.js';
import {
  eventually,
  startTestReynolds,
  testConfig,
  type TestReynolds,
} from '../support/reynolds.js';

const TENANT = 'c5b7a1f0-0000-4000-8000-00000000abcd';

function messageActivity(serviceUrl: string, botId: string, text = 'help') {
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: '29:user-1', name: 'Ada', aadObjectId: randomUUID() },
    recipient: { id: `28:${botId}`, name: 'Reynolds' },
    conversation: { id: `a:${randomUUID()}`, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    text,
  };
}

async function postActivity(url: string, activity: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : {},
  };
}

for (const botType of ['SingleTenant', 'UserAssignedMSI'] as const) {
  describe(`bot authentication on /api/messages (BOT_TYPE=${botType})`, () => {
    const botId = randomUUID();
    let openId: OpenIdServer;
    let connector: ConnectorStub;
    let reynolds: TestReynolds;

    before(async () => {
      openId = await startOpenIdServer();
      connector = await startConnectorStub();
      const env = {
        BOT_ID: botId,
        BOT_TYPE: botType,
        BOT_TENANT_ID: TENANT,
        BOT_OPENID_METADATA_URL: openId.metadataUrl,
        HOST: '127.0.0.1',
        ...(botType === 'SingleTenant' ? { BOT_PASSWORD: 'bot-password-for-test' } : {}),
      };
      reynolds = await startTestReynolds(env, {
        botCredentialsFactory: new LoopbackCredentialsFactory(
          botCredentialsFactory(botAuthenticationSettingsFrom(testConfig(env))),
        ),
      });
    });
    after(async () => {
      await reynolds?.dispose();
      await connector?.stop();
      await openId?.stop();
    });

    const refused = (result: { status: number; json: { error?: { code: string } } }) => {
      assert.equal(result.status, 401);
      assert.equal(result.json.error?.code, 'unauthorized');
    };

    it('refuses an activity without a token with a JSON 401', async () => {
      refused(await postActivity(reynolds.url, messageActivity(connector.url, botId)));
    });

    it('refuses a token signed by another key (same kid)', async () => {
      const activity = messageActivity(connector.url, botId);
      refused(
        await postActivity(
          reynolds.url,
          activity,
          await openId.token({ aud: botId, serviceurl: connector.url }, { key: openId.foreignKey }),
        ),
      );
    });

    it('refuses a token for another bot (wrong audience)', async () => {
      const activity = messageActivity(connector.url, botId);
      refused(
        await postActivity(
          reynolds.url,
          activity,
          await openId.token({ aud: randomUUID(), serviceurl: connector.url }),
        ),
      );
    });

    it('refuses an expired token', async () => {
      const activity = messageActivity(connector.url, botId);
      const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
      refused(
        await postActivity(
          reynolds.url,
          activity,
          await openId.token({ aud: botId, serviceurl: connector.url }, { expiresIn: anHourAgo }),
        ),
      );
    });

    it('refuses a token whose serviceurl claim is not the activity service URL', async () => {
      const activity = messageActivity(connector.url, botId);
      refused(
        await postActivity(
          reynolds.url,
          activity,
          await openId.token({ aud: botId, serviceurl: 'https://elsewhere.example' }),
        ),
      );
    });

    it('refuses an unauthenticated caller before looking at its body', async () => {
      refused(await postActivity(reynolds.url, {}));
    });

    it('refuses garbage in the Authorization header', async () => {
      refused(await postActivity(reynolds.url, messageActivity(connector.url, botId), 'not.a.jwt'));
    });

    it('accepts a valid channel token and the bot answers through the connector', async () => {
      const activity = messageActivity(connector.url, botId, 'help');
      const before = connector.posts.length;
      const result = await postActivity(
        reynolds.url,
        activity,
        await openId.token({ aud: botId, serviceurl: connector.url }),
      );
      assert.equal(result.status, 200, result.text);
      await eventually(
        () =>
          connector.posts.slice(before).some((p) => p.conversationId === activity.conversation.id),
        'the help reply',
      );
      const reply = connector.posts
        .slice(before)
        .find((p) => p.conversationId === activity.conversation.id)!;
      assert.match(String(reply.activity.text), /subscribe/i);
    });
  });
}

describe('local mode (no BOT_ID)', () => {
  it('binds to loopback and says so at start', async () => {
    const log = captureLogger([], 'info');
    const reynolds = await startTestReynolds({ LOG_LEVEL: 'info' }, { logger: log.logger });
    try {
      assert.equal(reynolds.config.localMode, true);
      assert.equal(reynolds.config.host, '127.0.0.1');
      assert.match(reynolds.url, /^http:\/\/127\.0\.0\.1:/);
      assert.ok(
        log.lines.some((l) => /local mode: .*this machine only.*127\.0\.0\.1/.test(l)),
        log.text(),
      );
    } finally {
      await reynolds.dispose();
    }
  });
});
