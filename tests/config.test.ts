import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../src/config.js';

const base = { GITHUB_WEBHOOK_SECRET: 'a-long-enough-secret' };

function configErrorOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('config', function () {
  it('has defaults that make a local run work: port 3978, SQLite under ./.data, loopback, local mode', function () {
    const config = parseConfig(base);
    assert.equal(config.PORT, 3978);
    assert.equal(config.STORE, 'sqlite');
    assert.equal(config.localMode, true);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.tenantId, 'local');
    assert.equal(config.WEBHOOK_MAX_BODY_BYTES, 25 * 1024 * 1024);
    assert.equal(config.dataDir, path.resolve('.data'));
  });

  it('names the variable and what it expects, one line per problem', function () {
    const message = configErrorOf({ ...base, PORT: 'eighty', STORE: 'mongo' });
    const lines = message.split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^PORT: expected a whole number \(got "eighty"\)$/);
    assert.match(lines[1]!, /^STORE: .*'sqlite' \| 'cosmos'.*\(got "mongo"\)$/);
  });

  it('never echoes a secret value in an error', function () {
    const message = configErrorOf({ GITHUB_WEBHOOK_SECRET: 'short' });
    assert.match(
      message,
      /^GITHUB_WEBHOOK_SECRET: expected at least 8 characters \(got a value\)$/,
    );
    assert.ok(!message.includes('short'));
  });

  it('requires the webhook secret, and the bot credentials outside local mode', function () {
    assert.match(configErrorOf({}), /GITHUB_WEBHOOK_SECRET: required/);
    const message = configErrorOf({ ...base, BOT_ID: '00000000-0000-0000-0000-000000000001' });
    assert.match(message, /BOT_PASSWORD: required/);
    assert.match(message, /BOT_TENANT_ID: required/);
    const full = parseConfig({
      ...base,
      BOT_ID: '00000000-0000-0000-0000-000000000001',
      BOT_PASSWORD: 'p',
      BOT_TENANT_ID: 'contoso',
    });
    assert.equal(full.localMode, false);
    assert.equal(full.host, '0.0.0.0');
    assert.equal(full.tenantId, 'contoso');
    assert.deepEqual(full.secretValues.slice(0, 2), ['p', 'a-long-enough-secret']);
    assert.ok(full.secretValues.includes(full.markerKey), 'the derived marker key is a secret too');
  });

  it('sign-in: off without a client id; outside local mode it needs TOKEN_ENCRYPTION_KEY and the client secret, with clear errors', function () {
    assert.equal(
      parseConfig(base).tokenKey,
      undefined,
      'no GITHUB_OAUTH_CLIENT_ID: no sign-in, no key',
    );
    const production = {
      ...base,
      GITHUB_WEBHOOK_SECRET: 'a-long-enough-production-secret',
      BOT_ID: '00000000-0000-0000-0000-000000000001',
      BOT_PASSWORD: 'p',
      BOT_TENANT_ID: 'contoso',
      GITHUB_OAUTH_CLIENT_ID: 'Iv23liExampleClient',
    };
    const message = configErrorOf(production);
    assert.match(
      message,
      /^TOKEN_ENCRYPTION_KEY: required when GITHUB_OAUTH_CLIENT_ID is set outside local mode \(32 random bytes, base64: openssl rand -base64 32\)/m,
    );
    assert.match(
      message,
      /^GITHUB_OAUTH_CLIENT_SECRET: required when GITHUB_OAUTH_CLIENT_ID is set outside local mode/m,
    );
    const key = Buffer.alloc(32, 7);
    const secret = 'oauth-client-secret-0123456789abcdef';
    const config = parseConfig({
      ...production,
      TOKEN_ENCRYPTION_KEY: key.toString('base64'),
      GITHUB_OAUTH_CLIENT_SECRET: secret,
    });
    assert.deepEqual(config.tokenKey, key);
    assert.equal(config.GITHUB_WEB_URL, 'https://github.com');
    for (const value of [secret, key.toString('base64'), key.toString('hex')])
      assert.ok(
        config.secretValues.includes(value),
        'the client secret and the key are redacted secrets',
      );
    assert.deepEqual(
      parseConfig({
        ...production,
        TOKEN_ENCRYPTION_KEY: key.toString('hex'),
        GITHUB_OAUTH_CLIENT_SECRET: secret,
      }).tokenKey,
      key,
      'hex works too',
    );

    const bad = configErrorOf({
      ...production,
      TOKEN_ENCRYPTION_KEY: 'too-short',
      GITHUB_OAUTH_CLIENT_SECRET: secret,
    });
    assert.match(
      bad,
      /^TOKEN_ENCRYPTION_KEY: expected 32 random bytes as 44 base64 characters or 64 hex digits .* \(got a value\)$/,
    );
    assert.ok(!bad.includes('too-short'), 'the bad key is not echoed');
    assert.match(
      configErrorOf({ ...base, GITHUB_OAUTH_CLIENT_SECRET: secret }),
      /^GITHUB_OAUTH_CLIENT_ID: required with GITHUB_OAUTH_CLIENT_SECRET/,
    );
    assert.match(
      configErrorOf({ ...base, GITHUB_WEB_URL: 'github.com' }),
      /^GITHUB_WEB_URL: expected an absolute URL/,
    );
  });

  it('sign-in in local mode: a key derived from the webhook secret when none is set, so tokens are still sealed', function () {
    const one = parseConfig({ ...base, GITHUB_OAUTH_CLIENT_ID: 'Iv23liExampleClient' });
    assert.equal(one.tokenKey?.length, 32);
    assert.deepEqual(
      parseConfig({ ...base, GITHUB_OAUTH_CLIENT_ID: 'Iv23liExampleClient' }).tokenKey,
      one.tokenKey,
      'stable across restarts',
    );
    assert.ok(one.secretValues.includes(one.tokenKey!.toString('base64')));
  });

  it('requires the Cosmos endpoint and key when STORE=cosmos', function () {
    const message = configErrorOf({ ...base, STORE: 'cosmos' });
    assert.match(message, /COSMOS_ENDPOINT: required when STORE=cosmos/);
    assert.match(message, /COSMOS_KEY: required when STORE=cosmos/);
    assert.match(
      configErrorOf({ ...base, STORE: 'cosmos', COSMOS_ENDPOINT: 'not a url', COSMOS_KEY: 'k' }),
      /COSMOS_ENDPOINT: expected an absolute URL/,
    );
  });

  it('treats empty values as unset', function () {
    assert.equal(parseConfig({ ...base, BOT_ID: '', PORT: '' }).localMode, true);
  });

  it('reads env/.env.<name> and .user, with the process environment winning', function () {
    const root = mkdtempSync(path.join(tmpdir(), 'reynolds-config-'));
    try {
      mkdirSync(path.join(root, 'env'));
      writeFileSync(
        path.join(root, 'env/.env.local'),
        'PORT=4000\nLOG_LEVEL=debug\nGITHUB_WEBHOOK_SECRET=from-the-committed-file\n',
      );
      writeFileSync(
        path.join(root, 'env/.env.local.user'),
        'GITHUB_WEBHOOK_SECRET=from-the-user-file\n',
      );
      const config = loadConfig({ LOG_LEVEL: 'warn' }, root);
      assert.equal(config.PORT, 4000);
      assert.equal(config.LOG_LEVEL, 'warn');
      assert.equal(config.GITHUB_WEBHOOK_SECRET, 'from-the-user-file');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the committed env/.env.local starts Reynolds with no other set-up', function () {
    const config = loadConfig({}, process.cwd());
    assert.equal(config.localMode, true);
    assert.equal(config.STORE, 'sqlite');
    assert.ok(config.GITHUB_WEBHOOK_SECRET);
  });

  it('reads MCP_SERVERS: entries with defaults, errors by index and field, tokens and headers redacted and never echoed', function () {
    const config = parseConfig({
      ...base,
      MCP_SERVERS: JSON.stringify([
        {
          name: 'docs',
          url: 'https://docs.test/mcp',
          token: 'docs-token-123456',
          tools: ['search'],
        },
        {
          name: 'desk',
          url: 'http://127.0.0.1:9/mcp',
          headers: { 'x-api-key': 'desk-key-abcdef' },
        },
      ]),
    });
    assert.deepEqual(config.MCP_SERVERS, [
      {
        name: 'docs',
        url: 'https://docs.test/mcp',
        token: 'docs-token-123456',
        tools: ['search'],
        headers: {},
      },
      { name: 'desk', url: 'http://127.0.0.1:9/mcp', headers: { 'x-api-key': 'desk-key-abcdef' } },
    ]);
    assert.ok(
      config.secretValues.includes('docs-token-123456') &&
        config.secretValues.includes('desk-key-abcdef'),
    );
    assert.deepEqual(parseConfig(base).MCP_SERVERS, []);
    assert.equal(parseConfig(base).MCP_MAX_TOOL_CALLS_PER_TURN, 3);

    assert.match(
      configErrorOf({ ...base, MCP_SERVERS: 'not json' }),
      /^MCP_SERVERS: expected a JSON array of MCP servers \(see docs\/mcp.md\)/,
    );
    assert.match(
      configErrorOf({
        ...base,
        MCP_SERVERS: '[{"name": "Docs Server", "url": "https://docs.test/mcp"}]',
      }),
      /^MCP_SERVERS\[0\]\.name: expected a short lower-case name.* \(got "Docs Server"\)$/,
    );
    assert.match(
      configErrorOf({
        ...base,
        MCP_SERVERS:
          '[{"name": "a", "url": "https://a.test/mcp"}, {"name": "a", "url": "https://b.test/mcp"}]',
      }),
      /^MCP_SERVERS\[1\]\.name: duplicate MCP server name "a"/,
    );
    const secret = configErrorOf({
      ...base,
      MCP_SERVERS: JSON.stringify([
        { name: 'a', url: 'https://a.test/mcp', headers: { 'bad header!': 'super-secret-value' } },
      ]),
    });
    assert.match(secret, /^MCP_SERVERS\[0\]\.headers.*\(got a value\)$/);
    assert.ok(!secret.includes('super-secret-value'));
  });
});
