/**
 * The Bicep cannot be compiled here (no Bicep CLI from npm or Debian, and its download is not
 * reachable), so this checks what matters most by reading it: the Cosmos containers it declares
 * are exactly the ones the store creates for itself (names, partition keys, defaultTtl), read
 * back from a Cosmos-compatible server after CosmosStore.init(); every Key Vault reference of the
 * container app names a secret the vault gets; and the module files it uses exist.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import https from 'node:https';
import { systemClock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/config.js';
import { MODEL_ROLES } from '../../src/core/model-roles.js';
import { CosmosStore } from '../../src/store/cosmos/cosmos-store.js';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server.js';

const INFRA = path.resolve('infra');
const read = (file: string) => readFileSync(path.join(INFRA, file), 'utf8');

interface ContainerShape {
  name: string;
  partitionKey: string;
  defaultTtl: number | undefined;
}

/** The `containers` list of cosmos.bicep, with the defaultTtl its one container resource sets. */
function bicepContainers(): ContainerShape[] {
  const text = read('modules/cosmos.bicep');
  const list = /var containers = \[([\s\S]*?)\n\]/.exec(text)?.[1];
  assert.ok(list, 'cosmos.bicep has a `var containers = [...]` list');
  const ttls = [...text.matchAll(/defaultTtl:\s*(-?\d+)/g)].map((m) => Number(m[1]));
  assert.equal(ttls.length, 1, 'one defaultTtl, on the container resource');
  return [...list.matchAll(/\{\s*name:\s*'([^']+)',\s*partitionKey:\s*'([^']+)'\s*\}/g)].map(
    (m) => ({ name: m[1]!, partitionKey: m[2]!, defaultTtl: ttls[0] }),
  );
}

describe('infra/ (Bicep, read; not compiled)', function () {
  this.timeout(30_000);
  let cosmos: CosmosTestServer;

  before(async function () {
    cosmos = await startCosmosServer();
  });
  after(async function () {
    await cosmos.stop();
  });

  it('declares exactly the Cosmos containers the store creates, with the same partition keys and defaultTtl', async function () {
    const store = new CosmosStore({
      endpoint: cosmos.endpoint,
      key: cosmos.key,
      databaseId: 'reynolds',
      clock: systemClock,
      deliveryTtlMs: 60_000,
      allowInsecureTls: true,
    });
    await store.init();
    await store.close();
    const client = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: cosmos.key,
      agent: new https.Agent({ rejectUnauthorized: false }),
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    try {
      const { resources } = await client.database('reynolds').containers.readAll().fetchAll();
      const created = resources
        .map((c) => ({
          name: c.id,
          partitionKey: c.partitionKey?.paths?.[0] ?? '',
          defaultTtl: c.defaultTtl,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const declared = bicepContainers().sort((a, b) => a.name.localeCompare(b.name));
      assert.ok(created.length >= 3, `the store created its containers (${created.length})`);
      assert.deepEqual(declared, created);
    } finally {
      client.dispose();
    }
  });

  it('names the database the app uses by default', function () {
    const config = parseConfig({ GITHUB_WEBHOOK_SECRET: 'x'.repeat(16) });
    assert.match(
      read('main.bicep'),
      new RegExp(`param cosmosDatabaseName string = '${config.COSMOS_DATABASE}'`),
    );
  });

  it('gives the container app only Key Vault references to secrets the vault holds', function () {
    const main = read('main.bicep');
    const vaultSecrets = [
      ...(/values: \{([\s\S]*?)\n\s{6}\}/.exec(main)?.[1] ?? '').matchAll(/'([a-z-]+)':/g),
    ].map((m) => m[1]);
    const references = [
      ...(/secretSettings: union\(([\s\S]*?)\n\s{4}\)/.exec(main)?.[1] ?? '').matchAll(
        /([A-Z_]+): '([a-z-]+)'/g,
      ),
    ].map((m) => ({ setting: m[1]!, secret: m[2]! }));
    assert.ok(
      vaultSecrets.length >= 4 && references.length >= 4,
      `found ${vaultSecrets.length} secrets and ${references.length} references`,
    );
    for (const { setting, secret } of references)
      assert.ok(
        vaultSecrets.includes(secret),
        `${setting} refers to ${secret}, which the vault gets`,
      );
    for (const name of [
      'BOT_PASSWORD',
      'GITHUB_WEBHOOK_SECRET',
      'COSMOS_KEY',
      'GITHUB_OAUTH_CLIENT_SECRET',
      'TOKEN_ENCRYPTION_KEY',
    ]) {
      assert.ok(
        references.some((r) => r.setting === name),
        `${name} comes from Key Vault`,
      );
      assert.doesNotMatch(
        /settings: \{([\s\S]*?)\n\s{4}\}/.exec(main)?.[1] ?? '',
        new RegExp(`\\b${name}:`),
        `${name} is not a plain setting`,
      );
    }
  });

  it('uses module files that exist, and serves on the port the app listens on', function () {
    const main = read('main.bicep');
    const modules = [...main.matchAll(/module \w+ '([^']+)'/g)].map((m) => m[1]!);
    assert.ok(modules.length >= 5);
    for (const module of modules)
      assert.ok(existsSync(path.join(INFRA, module)), `${module} exists`);
    assert.match(
      read('modules/containerapp.bicep'),
      new RegExp(`var port = ${parseConfig({ GITHUB_WEBHOOK_SECRET: 'x'.repeat(16) }).PORT}\\b`),
    );
    assert.match(main, /STORE: 'cosmos'/);
  });

  it('deploys models only for roles the pool has', function () {
    const list =
      /param openAiDeployments array = \[([\s\S]*?)\n\]/.exec(read('main.bicep'))?.[1] ?? '';
    const roles = [...list.matchAll(/role: '([^']+)'/g)].map((m) => m[1]!);
    assert.ok(roles.length > 0, 'the default deployments name their roles');
    for (const role of roles)
      assert.ok(
        (MODEL_ROLES as readonly string[]).includes(role),
        `${role} is one of ${MODEL_ROLES.join(', ')}`,
      );
  });
});
