/**
 * The Octokit reader and client factory, driving the real @octokit/rest (with the throttling and
 * retry plugins, token and App auth) against a loopback GitHub that replays recorded responses.
 */
import { ManualClock } from '../../src/core/clock.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parseConfig } from '../../src/config.js';
import { GitHubReadError } from '../../src/github/github-reader.js';
import { OctokitActions } from '../../src/github/octokit-actions.js';
import { githubClientOptionsFrom } from '../../src/composition/github-client-options.js';
import { GitHubClients, type GitHubClientOptions } from '../../src/github/octokit-client.js';
import { OctokitReader } from '../../src/github/octokit-reader.js';
import {
  GitHubApiServer,
  rateLimited,
  secondaryRateLimited,
} from '../support/github-api-server.js';
import { commitJson, releaseJson, servePull } from '../support/github-api-shapes.js';

const REPO = 'octo-org/widgets';

function readerFor(
  server: GitHubApiServer,
  options: Partial<GitHubClientOptions> = {},
  cacheTtlMs = 45_000,
  clock?: ManualClock,
): OctokitReader {
  const clients = new GitHubClients({
    auth: { kind: 'token', token: 'ghp_test' },
    baseUrl: server.url,
    retryAfterBaseMs: 5,
    ...options,
  });
  return new OctokitReader({ clients, cacheTtlMs, clock });
}

async function readError(promise: Promise<unknown>): Promise<GitHubReadError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GitHubReadError, `expected a GitHubReadError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the read to fail');
}

describe('OctokitReader against a loopback GitHub', function () {
  let server: GitHubApiServer;

  beforeEach(async function () {
    server = await new GitHubApiServer().start();
  });
  afterEach(async function () {
    await server.close();
  });

  describe('pull requests', function () {
    it('an open PR: checks from check runs and statuses, reviews by latest verdict, requested reviewers', async function () {
      servePull(
        server,
        { repo: REPO, number: 1, requested: ['carol'], requestedTeams: ['core'], labels: ['bug'] },
        [{ name: 'build' }, { name: 'lint', conclusion: 'failure' }],
        [{ context: 'ci/legacy', state: 'success' }],
        [
          { login: 'dave', state: 'CHANGES_REQUESTED' },
          { login: 'dave', state: 'APPROVED' },
          { login: 'erin', state: 'COMMENTED' },
        ],
      );
      const pr = await readerFor(server).getPullRequest(REPO, 1);
      assert.equal(pr.state, 'open');
      assert.deepEqual(pr.checks, { state: 'failure', total: 3, failing: ['lint'] });
      assert.deepEqual(pr.reviews, {
        approved: ['dave'],
        changesRequested: [],
        requested: ['carol', '@core'],
      });
      assert.deepEqual(
        [pr.baseRef, pr.headRef, pr.additions, pr.deletions, pr.changedFiles, pr.labels],
        ['main', 'fix-1', 42, 7, 4, ['bug']],
      );
      assert.equal(pr.url, `https://github.com/${REPO}/pull/1`);
    });

    it('draft, merged and closed PRs, and pending, passing and absent checks', async function () {
      servePull(
        server,
        { repo: REPO, number: 2, draft: true, sha: '2'.repeat(40) },
        [{ name: 'build', status: 'in_progress' }],
        [],
        [],
      );
      servePull(
        server,
        { repo: REPO, number: 3, merged: true, sha: '3'.repeat(40) },
        [{ name: 'build' }],
        [{ context: 'ci', state: 'success' }],
        [{ login: 'dave', state: 'APPROVED' }],
      );
      servePull(
        server,
        { repo: REPO, number: 4, state: 'closed', sha: '4'.repeat(40) },
        [],
        [],
        [],
      );
      const reader = readerFor(server);
      const [draft, merged, closed] = await Promise.all([
        reader.getPullRequest(REPO, 2),
        reader.getPullRequest(REPO, 3),
        reader.getPullRequest(REPO, 4),
      ]);
      assert.deepEqual([draft.state, draft.checks.state], ['draft', 'pending']);
      assert.deepEqual(
        [merged.state, merged.checks.state, merged.reviews.approved],
        ['merged', 'success', ['dave']],
      );
      assert.deepEqual(
        [closed.state, closed.checks],
        ['closed', { state: 'none', total: 0, failing: [] }],
      );
    });
  });

  it('issues, commits and releases', async function () {
    server.replay('get-repository'); // a recorded route alongside, to show replays and routes mix
    server.on('GET', `/repos/${REPO}/issues/9`, {
      status: 200,
      body: (await import('../support/github-api-shapes.js')).issueJson(REPO, 9),
    });
    const sha = 'abcdef0123456789abcdef0123456789abcdef01';
    server.on('GET', `/repos/${REPO}/commits/${sha}`, { status: 200, body: commitJson(REPO, sha) });
    server.on('GET', `/repos/${REPO}/commits/${sha}/check-runs`, {
      status: 200,
      body: { total_count: 0, check_runs: [] },
    });
    server.on('GET', `/repos/${REPO}/commits/${sha}/status`, {
      status: 200,
      body: { state: 'failure', total_count: 1, statuses: [{ context: 'deploy', state: 'error' }] },
    });
    server.on('GET', `/repos/${REPO}/releases/tags/v1.2.0`, {
      status: 200,
      body: releaseJson(REPO, 'v1.2.0', { prerelease: true }),
    });
    const reader = readerFor(server);
    const issue = await reader.getIssue(REPO, 9);
    assert.deepEqual(
      [issue.state, issue.isPullRequest, issue.labels, issue.assignees, issue.comments],
      ['open', false, ['bug'], ['bob'], 3],
    );
    const commit = await reader.getCommit(REPO, sha);
    assert.deepEqual(
      [commit.author, commit.additions, commit.files, commit.checks],
      ['mona', 10, 1, { state: 'failure', total: 1, failing: ['deploy'] }],
    );
    assert.match(commit.message, /^Fix the crash on save/);
    const release = await reader.getRelease(REPO, 'v1.2.0');
    assert.deepEqual(
      [release.tag, release.name, release.prerelease, release.publishedAt],
      ['v1.2.0', 'Release v1.2.0', true, '2026-11-21T12:05:00Z'],
    );
  });

  it('searches with the recorded search-issues scenario, and the cache answers a repeat without calling', async function () {
    server.replay('search-issues');
    const reader = readerFor(server);
    const result = await reader.search('sesame repo:octokit-fixture-org/search-issues', 10);
    assert.equal(result.total, 2);
    assert.deepEqual(
      result.items.map((i) => [i.repo, i.number, i.isPullRequest]),
      [
        ['octokit-fixture-org/search-issues', 2, false],
        ['octokit-fixture-org/search-issues', 1, false],
      ],
    );
    await reader.search('sesame repo:octokit-fixture-org/search-issues', 10);
    assert.equal(server.count('GET', '/search/issues'), 1);
    const query = new URL(
      server.requests.find((r) => r.path.startsWith('/search/issues'))!.path,
      'http://x',
    ).searchParams;
    assert.deepEqual(
      [query.get('sort'), query.get('order'), query.get('per_page')],
      ['updated', 'desc', '10'],
    );
  });

  it('the cache expires, and failures are not cached', async function () {
    let calls = 0;
    server.on('GET', `/repos/${REPO}/issues/5`, () =>
      ++calls === 1
        ? { status: 404, body: { message: 'Not Found' } }
        : {
            status: 200,
            body: {
              number: 5,
              title: 'x',
              state: 'open',
              html_url: 'https://github.com/x/y/issues/5',
              user: { login: 'a' },
              labels: [],
              assignees: [],
              comments: 0,
            },
          },
    );
    const clock = new ManualClock(Date.now());
    const reader = readerFor(server, {}, 30, clock);
    assert.equal((await readError(reader.getIssue(REPO, 5))).kind, 'not_found');
    await reader.getIssue(REPO, 5);
    await reader.getIssue(REPO, 5);
    assert.equal(calls, 2);
    clock.advance(29);
    await reader.getIssue(REPO, 5);
    assert.equal(calls, 2, 'still cached 29 ms on');
    clock.advance(2);
    await reader.getIssue(REPO, 5);
    assert.equal(calls, 3, 'read again once 30 ms have passed');
  });

  describe('errors', function () {
    it('404 → not_found, 401 → unauthorized, plain 403 → forbidden', async function () {
      server.tokens.add('token ghp_test');
      server.on('GET', `/repos/${REPO}/issues/7`, {
        status: 403,
        body: { message: 'Resource not accessible by integration' },
      });
      const reader = readerFor(server);
      assert.equal((await readError(reader.getIssue(REPO, 404))).kind, 'not_found');
      assert.equal((await readError(reader.getIssue(REPO, 7))).kind, 'forbidden');
      assert.equal(
        (
          await readError(
            readerFor(server, { auth: { kind: 'token', token: 'wrong' } }).getIssue(REPO, 1),
          )
        ).kind,
        'unauthorized',
      );
    });

    it('403 with the rate limit used up → rate_limited with the reset time, not retried for a long wait', async function () {
      const reset = Math.floor(Date.now() / 1000) + 1800;
      server.on('GET', `/repos/${REPO}/issues/8`, rateLimited(reset));
      const error = await readError(readerFor(server).getIssue(REPO, 8));
      assert.deepEqual([error.kind, error.resetAt], ['rate_limited', reset * 1000]);
      assert.equal(server.count('GET', `/repos/${REPO}/issues/8`), 1);
    });

    it('429 → rate_limited', async function () {
      server.on(
        'GET',
        `/repos/${REPO}/issues/8`,
        rateLimited(Math.floor(Date.now() / 1000) + 600, 429),
      );
      assert.equal((await readError(readerFor(server).getIssue(REPO, 8))).kind, 'rate_limited');
    });

    it('5xx is retried a bounded number of times, then → unavailable; a recovery within the budget succeeds', async function () {
      server.on('GET', `/repos/${REPO}/issues/10`, {
        status: 502,
        body: { message: 'Server Error' },
      });
      assert.equal(
        (await readError(readerFor(server, { retries: 2 }).getIssue(REPO, 10))).kind,
        'unavailable',
      );
      assert.equal(server.count('GET', `/repos/${REPO}/issues/10`), 3);
      let calls = 0;
      server.on('GET', `/repos/${REPO}/issues/11`, () =>
        ++calls < 3
          ? { status: 503, body: { message: 'busy' } }
          : {
              status: 200,
              body: {
                number: 11,
                title: 'ok',
                state: 'open',
                html_url: 'https://github.com/x/y/issues/11',
                user: { login: 'a' },
                labels: [],
                assignees: [],
                comments: 0,
              },
            },
      );
      assert.equal((await readerFor(server, { retries: 2 }).getIssue(REPO, 11)).title, 'ok');
    });

    it('a secondary rate limit with a short retry-after is retried once by the throttling plugin', async function () {
      let calls = 0;
      server.on('GET', `/repos/${REPO}/issues/12`, () =>
        ++calls === 1
          ? secondaryRateLimited(1)
          : {
              status: 200,
              body: {
                number: 12,
                title: 'after',
                state: 'open',
                html_url: 'https://github.com/x/y/issues/12',
                user: { login: 'a' },
                labels: [],
                assignees: [],
                comments: 0,
              },
            },
      );
      assert.equal((await readerFor(server).getIssue(REPO, 12)).title, 'after');
      assert.equal(calls, 2);
      server.on('GET', `/repos/${REPO}/issues/13`, secondaryRateLimited(1));
      const error = await readError(readerFor(server).getIssue(REPO, 13));
      assert.equal(error.kind, 'rate_limited');
      assert.equal(server.count('GET', `/repos/${REPO}/issues/13`), 2, 'one retry, then the error');
    });

    it('a network failure → unavailable', async function () {
      const url = server.url;
      await server.close();
      const reader = new OctokitReader({
        clients: new GitHubClients({
          auth: { kind: 'token', token: 't' },
          baseUrl: url,
          retries: 1,
          retryAfterBaseMs: 1,
        }),
      });
      assert.equal((await readError(reader.getIssue(REPO, 1))).kind, 'unavailable');
      server = await new GitHubApiServer().start(); // for afterEach
    });
  });

  describe('GitHub App auth', function () {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });

    it('looks up the installation per repo, uses its token, and keeps one client per installation', async function () {
      server.actAsApp(42, publicKey, { [REPO]: 7, 'octo-org/gears': 7, 'other-org/thing': 8 });
      for (const repo of [REPO, 'octo-org/gears', 'other-org/thing'])
        server.on('GET', `/repos/${repo}/issues/1`, (req) => ({
          status: 200,
          body: {
            number: 1,
            title: req.authorization ?? '',
            state: 'open',
            html_url: `https://github.com/${repo}/issues/1`,
            user: { login: 'a' },
            labels: [],
            assignees: [],
            comments: 0,
          },
        }));
      server.tokens.add('token never-used'); // token routes now demand an installation token
      const clients = new GitHubClients({
        auth: { kind: 'app', appId: 42, privateKey },
        baseUrl: server.url,
        retryAfterBaseMs: 5,
      });
      const reader = new OctokitReader({ clients });
      assert.equal((await reader.getIssue(REPO, 1)).title, 'token ghs_installation_7');
      assert.equal((await reader.getIssue('octo-org/gears', 1)).title, 'token ghs_installation_7');
      assert.equal((await reader.getIssue('other-org/thing', 1)).title, 'token ghs_installation_8');
      assert.equal(
        server.count('POST', '/app/installations/7/access_tokens'),
        1,
        'the installation token is reused',
      );
      assert.equal(server.count('GET', `/repos/${REPO}/installation`), 1);
      assert.equal(
        (await readError(reader.getIssue('stranger/repo', 1))).kind,
        'not_found',
        'the App is not installed there',
      );
      assert.equal(
        (await readError(reader.search('is:pr bugs', 5))).kind,
        'not_configured',
        'a search must name where',
      );
    });

    it("OctokitActions (writes) takes its client from the same factory, as the repo's installation", async function () {
      server.actAsApp(42, publicKey, { [REPO]: 7 });
      let seen = '';
      server.on('POST', `/repos/${REPO}/issues/1/comments`, (req) => {
        seen = req.authorization ?? '';
        return {
          status: 201,
          body: { id: 99, html_url: `https://github.com/${REPO}/issues/1#issuecomment-99` },
        };
      });
      const actions = new OctokitActions({
        clients: new GitHubClients({
          auth: { kind: 'app', appId: 42, privateKey },
          baseUrl: server.url,
        }),
      });
      assert.deepEqual(await actions.comment(REPO, 1, 'hello'), {
        id: 99,
        url: `https://github.com/${REPO}/issues/1#issuecomment-99`,
      });
      assert.equal(seen, 'token ghs_installation_7');
    });

    it('a fixed installation id skips the look-up', async function () {
      server.actAsApp(42, publicKey, { [REPO]: 9 });
      server.on('GET', `/repos/${REPO}/issues/1`, (req) => ({
        status: 200,
        body: {
          number: 1,
          title: req.authorization ?? '',
          state: 'open',
          html_url: 'https://github.com/a/b/issues/1',
          user: { login: 'a' },
          labels: [],
          assignees: [],
          comments: 0,
        },
      }));
      const reader = new OctokitReader({
        clients: new GitHubClients({
          auth: { kind: 'app', appId: 42, privateKey, installationId: 9 },
          baseUrl: server.url,
        }),
      });
      assert.equal((await reader.getIssue(REPO, 1)).title, 'token ghs_installation_9');
      assert.equal(server.count('GET', `/repos/${REPO}/installation`), 0);
    });

    it('configuration: a \\n-escaped PEM loads, a bad PEM is a clear start-up error', function () {
      const base = { GITHUB_WEBHOOK_SECRET: 'secret-0123456789' };
      const config = parseConfig({
        ...base,
        GITHUB_APP_ID: '42',
        GITHUB_APP_PRIVATE_KEY: privateKey.replaceAll('\n', '\\n'),
      });
      const options = githubClientOptionsFrom(config);
      assert.deepEqual(options?.auth.kind, 'app');
      assert.equal((options?.auth as { privateKey: string }).privateKey, privateKey.trim());
      assert.throws(
        () => parseConfig({ ...base, GITHUB_APP_ID: '42', GITHUB_APP_PRIVATE_KEY: 'not a key' }),
        (e: Error) =>
          /^GITHUB_APP_PRIVATE_KEY: .*PEM.*does not parse \(got a value\)$/m.test(e.message) &&
          !e.message.includes('not a key'),
      );
      assert.throws(
        () => parseConfig({ ...base, GITHUB_APP_PRIVATE_KEY: privateKey }),
        /GITHUB_APP_ID: required with GITHUB_APP_PRIVATE_KEY/,
      );
      assert.throws(
        () => parseConfig({ ...base, GITHUB_API_URL: 'ghe.example.com' }),
        /GITHUB_API_URL: expected an absolute URL/,
      );
      assert.equal(githubClientOptionsFrom(parseConfig(base)), undefined);
      assert.deepEqual(
        githubClientOptionsFrom(parseConfig({ ...base, GITHUB_TOKEN: 'ghp_x' }))?.auth,
        { kind: 'token', token: 'ghp_x' },
      );
    });
  });

  it('GitHub Enterprise Server: requests go under the /api/v3 base URL', async function () {
    const ghes = await new GitHubApiServer('/api/v3').start();
    try {
      servePull(ghes, { repo: REPO, number: 1 }, [{ name: 'build' }], [], []);
      const pr = await readerFor(ghes).getPullRequest(REPO, 1);
      assert.equal(pr.number, 1);
      assert.ok(
        ghes.requests.every((r) => r.path.startsWith('/api/v3/')),
        ghes.requests.map((r) => r.path).join(', '),
      );
    } finally {
      await ghes.close();
    }
  });
});
