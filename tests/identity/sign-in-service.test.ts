/**
 * Verified sign-in end to end below Teams: the real @octokit/oauth-methods adapter against the
 * loopback GitHub stand-in, the person links in a real SQLite file and in Cosmos (the
 * Cosmos-compatible server), a manual clock and a sleep that only records its waits.
 *
 * Covers: approve → link by GitHub id and login; at rest, no token in clear (the SQLite file's
 * bytes and the raw Cosmos documents); a restart and a second replica see the link; expiring
 * GitHub App tokens refreshed; revoked and expired tokens forgotten; sign-out revokes at GitHub;
 * denied, expired, slow_down and GitHub-down flows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { ManualClock } from '../../src/core/clock.js';
import type { Sleep } from '../../src/identity/device-flow-poll.js';
import { GitHubOAuthClient } from '../../src/identity/github-oauth-client.js';
import { GitHubOAuthError } from '../../src/identity/github-oauth.js';
import { PersonLinks } from '../../src/identity/person-links.js';
import { SignInService } from '../../src/identity/sign-in-service.js';
import { TokenVault } from '../../src/identity/token-vault.js';
import { CosmosStore } from '../../src/store/cosmos/cosmos-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server.js';
import { startGitHubApiStub, type GitHubApiStub } from '../support/github-api-stub.js';

const TENANT = 'tenant-1';
const MEGAN = 'AAAAAAAA-2222-4222-8222-222222222222';
const OCTO = { id: 583231, login: 'octocat', name: 'The Octocat' };

describe('verified sign-in (device flow, token vault, person links)', function () {
  this.timeout(20_000);
  let github: GitHubApiStub;
  let dir: string;
  const key = randomBytes(32);

  before(async () => {
    github = await startGitHubApiStub();
    dir = mkdtempSync(path.join(tmpdir(), 'reynolds-signin-'));
  });
  after(async () => {
    await github?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    github.signIn.script = [];
    github.signIn.down = false;
    github.signIn.expiresIn = undefined;
  });

  function service(
    store: Store,
    clock = new ManualClock(),
    overrides: { clientSecret?: string } = {},
  ) {
    const waits: number[] = [];
    const sleep: Sleep = async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    };
    const oauth = new GitHubOAuthClient({
      clientId: github.signIn.clientId,
      clientSecret:
        'clientSecret' in overrides ? overrides.clientSecret : github.signIn.clientSecret,
      webUrl: github.url,
      apiUrl: github.url,
      timeoutMs: 2000,
    });
    const links = new PersonLinks(store);
    return {
      signIn: new SignInService({ oauth, vault: new TokenVault(key), links, clock, sleep }),
      links,
      waits,
      clock,
    };
  }

  async function sqlite(name: string, clock = new ManualClock()): Promise<SqliteStore> {
    const store = new SqliteStore({
      file: path.join(dir, `${name}.db`),
      clock,
      deliveryTtlMs: 3600_000,
    });
    await store.init();
    return store;
  }

  /** `sign in`, then the person approves at GitHub as `user`. */
  async function signInAs(signIn: SignInService, user = OCTO, aad = MEGAN) {
    const started = await signIn.start(TENANT, aad);
    github.signIn.approve(started.code.userCode, user);
    return { started, outcome: await started.done };
  }

  it('approve: links the Teams user to the GitHub user GitHub names, and whoami says so', async function () {
    const store = await sqlite('approve');
    const { signIn, links, waits } = service(store);
    github.signIn.script = ['authorization_pending', 'authorization_pending'];
    const { started, outcome } = await signInAs(signIn);
    assert.match(started.code.userCode, /^WDJB-\d{4}$/);
    assert.equal(started.code.verificationUri, `${github.url}/login/device`);
    assert.equal(outcome.kind, 'signed_in');
    assert.deepEqual(
      waits,
      [1000, 1000, 1000],
      'polled at the interval: two pending, then the token',
    );
    const me = await signIn.whoami(TENANT, MEGAN);
    assert.deepEqual({ id: me?.githubId, login: me?.login }, { id: OCTO.id, login: OCTO.login });
    assert.equal(
      (await links.byLogin(TENANT, 'OctoCat'))?.aadObjectId,
      MEGAN.toLowerCase(),
      'which Teams user is GitHub login X',
    );
    assert.equal(
      (await links.byGithubId(TENANT, OCTO.id))?.aadObjectId,
      MEGAN.toLowerCase(),
      'which Teams user is GitHub id N',
    );
    const token = await signIn.tokenFor(TENANT, MEGAN);
    assert.equal(token.kind, 'token');
    const user = github.requests.find((r) => r.path === '/user');
    assert.equal(
      user?.authorization,
      `token ${token.kind === 'token' ? token.token : ''}`,
      'GET /user was read with the new token',
    );
    await store.close();
  });

  it('at rest the token is sealed: the SQLite file holds no token in clear, and a restart reads it back', async function () {
    const store = await sqlite('at-rest');
    const { signIn } = service(store);
    await signInAs(signIn);
    const lookup = await signIn.tokenFor(TENANT, MEGAN);
    assert.equal(lookup.kind, 'token');
    const token = lookup.kind === 'token' ? lookup.token : '';
    await store.close();
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
      (f) => f.isFile() && path.join(f.parentPath, f.name).includes('at-rest.db'),
    );
    assert.ok(files.length > 0);
    for (const entry of files) {
      const file = path.join(entry.parentPath, entry.name);
      const bytes = readFileSync(file);
      for (const form of [
        token,
        Buffer.from(token).toString('base64'),
        Buffer.from(token).toString('hex'),
      ])
        assert.equal(
          bytes.indexOf(form),
          -1,
          `${file} holds the token (${form.slice(0, 6)}…) in clear`,
        );
    }
    const reopened = await sqlite('at-rest');
    const after = await service(reopened).signIn.tokenFor(TENANT, MEGAN);
    assert.equal(
      after.kind === 'token' && after.token,
      token,
      'a restarted Reynolds still acts as the person',
    );
    const wrongKey = new SignInService({
      oauth: new GitHubOAuthClient({
        clientId: 'x'.repeat(10),
        webUrl: github.url,
        apiUrl: github.url,
      }),
      vault: new TokenVault(randomBytes(32)),
      links: new PersonLinks(reopened),
      clock: new ManualClock(),
      sleep: async () => {},
    });
    assert.deepEqual(
      await wrongKey.tokenFor(TENANT, MEGAN),
      { kind: 'unreadable' },
      'another key opens nothing, and the unreadable link is dropped',
    );
    await reopened.close();
  });

  it('a second sign-in as the same GitHub user from another Teams user replaces the first link', async function () {
    const store = await sqlite('relink');
    const { signIn, links } = service(store);
    await signInAs(signIn, OCTO, MEGAN);
    await signInAs(signIn, OCTO, 'bbbbbbbb-3333-4333-8333-333333333333');
    assert.equal(await signIn.whoami(TENANT, MEGAN), undefined);
    assert.equal(
      (await links.byGithubId(TENANT, OCTO.id))?.aadObjectId,
      'bbbbbbbb-3333-4333-8333-333333333333',
    );
    await store.close();
  });

  it('GitHub App user tokens that expire are refreshed before use; a refused refresh forgets the link', async function () {
    github.signIn.expiresIn = 8 * 3600;
    const store = await sqlite('refresh');
    const { signIn, clock } = service(store);
    await signInAs(signIn);
    const first = await signIn.tokenFor(TENANT, MEGAN);
    assert.ok(first.kind === 'token' && first.token.startsWith('ghu_'));
    clock.advance(8 * 3600_000 - 60_000); // a minute before it expires: inside the refresh margin
    const second = await signIn.tokenFor(TENANT, MEGAN);
    assert.ok(
      second.kind === 'token' && first.kind === 'token' && second.token !== first.token,
      'a new token',
    );
    assert.equal(
      github.requests.filter(
        (r) => r.path === '/login/oauth/access_token' && r.body['grant_type'] === 'refresh_token',
      ).length,
      1,
    );
    assert.deepEqual(
      await signIn.tokenFor(TENANT, MEGAN),
      second,
      'the new one is stored, not refreshed again',
    );

    // The refresh token revoked at GitHub (the person removed the app): the next refresh is refused.
    for (const issued of github.signIn.tokens.values()) issued.revoked = true;
    clock.advance(8 * 3600_000);
    assert.deepEqual(await signIn.tokenFor(TENANT, MEGAN), { kind: 'expired', login: OCTO.login });
    assert.equal(await signIn.whoami(TENANT, MEGAN), undefined, 'forgotten');
    await store.close();
  });

  it('two clicks at once refresh once (GitHub retires a refresh token when it is used)', async function () {
    github.signIn.expiresIn = 3600;
    const store = await sqlite('refresh-once');
    const { signIn, clock } = service(store);
    await signInAs(signIn);
    clock.advance(3600_000);
    const refreshes = () =>
      github.requests.filter((r) => r.body['grant_type'] === 'refresh_token').length;
    const before = refreshes();
    const [a, b] = await Promise.all([
      signIn.tokenFor(TENANT, MEGAN),
      signIn.tokenFor(TENANT, MEGAN),
    ]);
    assert.equal(refreshes() - before, 1);
    assert.ok(a.kind === 'token' && b.kind === 'token' && a.token === b.token);
    await store.close();
  });

  it('GitHub down during a refresh: a token still valid is used; an expired one is not', async function () {
    github.signIn.expiresIn = 3600;
    const store = await sqlite('refresh-down');
    const { signIn, clock } = service(store);
    await signInAs(signIn);
    github.signIn.down = true;
    clock.advance(3600_000 - 60_000);
    assert.equal((await signIn.tokenFor(TENANT, MEGAN)).kind, 'token');
    clock.advance(120_000);
    assert.deepEqual(await signIn.tokenFor(TENANT, MEGAN), { kind: 'unavailable' });
    assert.ok(
      await signIn.whoami(TENANT, MEGAN),
      'kept: GitHub being down says nothing about the token',
    );
    await store.close();
  });

  it('sign out revokes the token at GitHub (HTTP Basic client id:secret) and forgets it', async function () {
    const store = await sqlite('sign-out');
    const { signIn } = service(store);
    await signInAs(signIn);
    const lookup = await signIn.tokenFor(TENANT, MEGAN);
    const token = lookup.kind === 'token' ? lookup.token : '';
    assert.deepEqual(await signIn.signOut(TENANT, MEGAN), {
      kind: 'signed_out',
      login: OCTO.login,
    });
    const revoke = github.requests.find(
      (r) => r.method === 'DELETE' && r.path === `/applications/${github.signIn.clientId}/token`,
    );
    assert.equal(revoke?.body['access_token'], token);
    assert.equal(
      revoke?.authorization?.toLowerCase(),
      `basic ${Buffer.from(`${github.signIn.clientId}:${github.signIn.clientSecret}`).toString('base64')}`.toLowerCase(),
    );
    assert.equal(github.signIn.tokens.get(token)?.revoked, true);
    assert.deepEqual(await signIn.tokenFor(TENANT, MEGAN), { kind: 'none' });
    assert.deepEqual(await signIn.signOut(TENANT, MEGAN), { kind: 'not_signed_in' });
    await store.close();
  });

  it('sign out while GitHub is down, or without a client secret: forgotten here, and says GitHub was not told', async function () {
    const store = await sqlite('sign-out-down');
    const { signIn } = service(store);
    await signInAs(signIn);
    github.signIn.down = true;
    assert.deepEqual(await signIn.signOut(TENANT, MEGAN), {
      kind: 'forgotten_only',
      login: OCTO.login,
    });
    assert.equal(await signIn.whoami(TENANT, MEGAN), undefined);
    github.signIn.down = false;
    const noSecret = service(store, new ManualClock(), { clientSecret: undefined }).signIn;
    await signInAs(noSecret);
    assert.deepEqual(await noSecret.signOut(TENANT, MEGAN), {
      kind: 'forgotten_only',
      login: OCTO.login,
    });
    await store.close();
  });

  it('a token revoked at GitHub is already as good as signed out', async function () {
    const store = await sqlite('revoked');
    const { signIn } = service(store);
    await signInAs(signIn);
    const lookup = await signIn.tokenFor(TENANT, MEGAN);
    github.signIn.revokeOnGitHub(lookup.kind === 'token' ? lookup.token : '');
    assert.deepEqual(
      await signIn.signOut(TENANT, MEGAN),
      { kind: 'signed_out', login: OCTO.login },
      'GitHub answers 404 for a token it no longer knows',
    );
    await store.close();
  });

  it('denied, expired, slow_down and GitHub down each end the flow with their own outcome', async function () {
    const store = await sqlite('outcomes');
    const { signIn, waits } = service(store);

    const denied = await signIn.start(TENANT, MEGAN);
    github.signIn.deny(denied.code.userCode);
    assert.deepEqual(await denied.done, { kind: 'denied' });

    github.signIn.script = ['authorization_pending', 'expired_token'];
    assert.deepEqual(await (await signIn.start(TENANT, MEGAN)).done, { kind: 'expired' });

    waits.length = 0;
    github.signIn.script = ['slow_down'];
    const slowed = await signInAs(signIn);
    assert.equal(slowed.outcome.kind, 'signed_in');
    assert.deepEqual(waits, [1000, 6000], "after slow_down, GitHub's new interval (1 + 5 s)");

    const down = await signIn.start(TENANT, MEGAN);
    github.signIn.down = true;
    assert.deepEqual(await down.done, { kind: 'unavailable', reason: 'unreachable' });
    await assert.rejects(
      signIn.start(TENANT, MEGAN),
      (error: unknown) =>
        error instanceof GitHubOAuthError &&
        error.kind === 'unreachable' &&
        !/secret|token=/.test(error.message),
    );
    await store.close();
  });

  it('an app GitHub does not know (wrong client id) is misconfigured, not "down"', async function () {
    const store = await sqlite('misconfigured');
    const wrong = new SignInService({
      oauth: new GitHubOAuthClient({
        clientId: 'Iv23liNotTheClient',
        webUrl: github.url,
        apiUrl: github.url,
      }),
      vault: new TokenVault(key),
      links: new PersonLinks(store),
      clock: new ManualClock(),
      sleep: async () => {},
    });
    await assert.rejects(
      wrong.start(TENANT, MEGAN),
      (error: unknown) => error instanceof GitHubOAuthError && error.kind === 'misconfigured',
    );
    await store.close();
  });

  it('a second `sign in` replaces a pending one', async function () {
    const store = await sqlite('replace');
    const { signIn } = service(store);
    const first = await signIn.start(TENANT, MEGAN);
    const second = await signIn.start(TENANT, MEGAN);
    github.signIn.approve(second.code.userCode, OCTO);
    assert.deepEqual(await first.done, { kind: 'cancelled' });
    assert.equal((await second.done).kind, 'signed_in');
    await store.close();
  });

  it('an OAuth App (client id not Iv…) asks for the repo scope; its tokens do not expire', async function () {
    const oauthApp = await startGitHubApiStub({ clientId: 'Ov23liOAuthAppClient' });
    try {
      const store = await sqlite('oauth-app');
      const clock = new ManualClock();
      const signIn = new SignInService({
        oauth: new GitHubOAuthClient({
          clientId: oauthApp.signIn.clientId,
          clientSecret: oauthApp.signIn.clientSecret,
          webUrl: oauthApp.url,
          apiUrl: oauthApp.url,
        }),
        vault: new TokenVault(key),
        links: new PersonLinks(store),
        clock,
        sleep: async (ms) => clock.advance(ms),
      });
      const started = await signIn.start(TENANT, MEGAN);
      assert.equal(
        oauthApp.requests.find((r) => r.path === '/login/device/code')?.body['scope'],
        'repo',
      );
      oauthApp.signIn.approve(started.code.userCode, OCTO);
      const outcome = await started.done;
      assert.ok(outcome.kind === 'signed_in' && outcome.link.tokenExpiresAt === undefined);
      clock.advance(365 * 24 * 3600_000);
      assert.equal(
        (await signIn.tokenFor(TENANT, MEGAN)).kind,
        'token',
        'a year on, still the same token, no refresh',
      );
      assert.equal(
        oauthApp.requests.filter((r) => r.body['grant_type'] === 'refresh_token').length,
        0,
      );
      await store.close();
    } finally {
      await oauthApp.stop();
    }
  });

  describe('in Cosmos', function () {
    let cosmos: CosmosTestServer;
    before(async () => {
      cosmos = await startCosmosServer();
    });
    after(async () => {
      await cosmos?.stop();
    });

    it('two replicas share the link; the raw documents hold no token in clear', async function () {
      const options = {
        endpoint: cosmos.endpoint,
        key: cosmos.key,
        databaseId: 'signin',
        deliveryTtlMs: 3600_000,
        allowInsecureTls: true,
        requestTimeoutMs: 2000,
      };
      const one = new CosmosStore({ ...options, clock: new ManualClock() });
      const two = new CosmosStore({ ...options, clock: new ManualClock() });
      await one.init();
      await two.init();
      await signInAs(service(one).signIn);
      const onTwo = await service(two).signIn.tokenFor(TENANT, MEGAN);
      assert.equal(onTwo.kind, 'token', 'the other replica acts as the person too');
      const token = onTwo.kind === 'token' ? onTwo.token : '';
      const admin = new CosmosClient({
        endpoint: cosmos.endpoint,
        key: cosmos.key,
        agent: new https.Agent({ rejectUnauthorized: false }),
        connectionPolicy: { enableEndpointDiscovery: false },
      });
      const { resources } = await admin
        .database('signin')
        .container('person_link')
        .items.readAll()
        .fetchAll();
      assert.equal(resources.length, 1);
      const raw = JSON.stringify(resources);
      assert.ok(raw.includes(OCTO.login), 'the document is the link');
      for (const form of [token, Buffer.from(token).toString('base64')])
        assert.ok(!raw.includes(form), 'no token in clear in Cosmos');
      admin.dispose();
      await one.close();
      await two.close();
    });
  });
});
