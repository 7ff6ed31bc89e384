/**
 * The message extension end to end: composeExtension/query, selectItem and queryLink invokes
 * posted to /api/messages of a running Reynolds (local mode), answered by the real Teams AI
 * application, reading through the real Octokit client from a loopback GitHub. Every card in an
 * answer must be a valid Adaptive Card.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../../src/core/clock.js';
import { parseGitHubLink, webHostsFor } from '../../../src/github/github-links.js';
import type { GitHubReader, PullRequestView } from '../../../src/github/github-reader.js';
import { SubscriptionBook } from '../../../src/routing/subscriptions/subscription-book.js';
import { DEFAULT_FEATURES } from '../../../src/routing/subscriptions/subscription.js';
import {
  buildSearchQuery,
  distinctScopes,
  parseSearch,
} from '../../../src/teams/message-extension/search-query.js';
import { parserErrors, schemaErrors } from '../../support/adaptive-card-schema.js';
import { GitHubApiServer, rateLimited } from '../../support/github-api-server.js';
import {
  commitJson,
  issueJson,
  pullJson,
  releaseJson,
  servePull,
} from '../../support/github-api-shapes.js';
import { type TestReynolds, startTestReynolds } from '../../support/reynolds.js';

type Json = Record<string, any>;
const REPO = 'octo-org/widgets';

async function invoke(
  reynolds: TestReynolds,
  name: string,
  value: unknown,
): Promise<{ status: number; body: Json }> {
  const activity = {
    type: 'invoke',
    name,
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    from: { id: 'user-1', aadObjectId: '00000000-0000-0000-0000-000000000001', name: 'Alice' },
    recipient: { id: 'bot-1', name: 'Reynolds' },
    conversation: { id: 'conv-1', conversationType: 'personal', tenantId: 'tenant-x' },
    value,
  };
  const response = await fetch(`${reynolds.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const query = (reynolds: TestReynolds, text: string) =>
  invoke(reynolds, 'composeExtension/query', {
    commandId: 'searchPullRequests',
    parameters: [{ name: 'query', value: text }],
    queryOptions: { skip: 0, count: 25 },
  });
const unfurl = (reynolds: TestReynolds, url: string) =>
  invoke(reynolds, 'composeExtension/queryLink', { url });

/** The attachments of an answer, each card checked against the schema. */
function cardsOf(answer: { status: number; body: Json }): Json[] {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const result = answer.body['composeExtension'];
  assert.equal(result?.type, 'result', JSON.stringify(answer.body));
  for (const attachment of result.attachments as Json[]) {
    assert.equal(attachment['contentType'], 'application/vnd.microsoft.card.adaptive');
    assert.deepEqual(
      schemaErrors(attachment['content']),
      [],
      JSON.stringify(attachment['content']),
    );
    assert.deepEqual(parserErrors(attachment['content']), []);
    assert.equal(attachment['preview']?.contentType, 'application/vnd.microsoft.card.thumbnail');
    assert.ok(String(attachment['preview'].content.title).length > 0);
    assert.ok(
      !JSON.stringify(attachment['content']).includes('${'),
      'no unbound template expression',
    );
  }
  return result.attachments as Json[];
}

/** A card's JSON with card-markdown escapes (`GITHUB\\_TOKEN`) undone, as a reader sees the text. */
const cardText = (attachment: Json): string =>
  JSON.stringify(attachment['content']).replace(/\\\\/g, '');

describe('message extension over /api/messages', function () {
  let github: GitHubApiServer;
  let reynolds: TestReynolds;

  before(async function () {
    github = await new GitHubApiServer().start();
    reynolds = await startTestReynolds(
      { GITHUB_TOKEN: 'ghp_test', GITHUB_API_URL: github.url },
      { worker: false },
    );
    const book = new SubscriptionBook(reynolds.store, systemClock);
    await book.subscribe(
      'local',
      'conv-9',
      {
        scope: { owner: 'octo-org', repo: 'widgets' },
        features: [...DEFAULT_FEATURES],
        filters: {},
      },
      'test',
    );
    await book.subscribe(
      'local',
      'conv-9',
      { scope: { owner: 'acme' }, features: [...DEFAULT_FEATURES], filters: {} },
      'test',
    );

    servePull(
      github,
      { repo: REPO, number: 1, title: 'Fix crash', requested: ['carol'], sha: '1'.repeat(40) },
      [{ name: 'lint', conclusion: 'failure' }],
      [],
      [],
    );
    servePull(
      github,
      { repo: REPO, number: 2, title: 'Fix draft', draft: true, sha: '2'.repeat(40) },
      [{ name: 'build', status: 'queued' }],
      [],
      [],
    );
    servePull(
      github,
      { repo: REPO, number: 3, title: 'Fix merged', merged: true, sha: '3'.repeat(40) },
      [{ name: 'build' }],
      [],
      [{ login: 'dave', state: 'APPROVED' }],
    );
    servePull(
      github,
      { repo: REPO, number: 4, title: 'Fix closed', state: 'closed', sha: '4'.repeat(40) },
      [],
      [],
      [{ login: 'erin', state: 'CHANGES_REQUESTED' }],
    );
    github.on('GET', `/repos/${REPO}/issues/5`, {
      status: 200,
      body: issueJson(REPO, 5, { title: 'Fix: saving crashes' }),
    });
    github.on('GET', '/search/issues', (_req, url) => {
      const q = url.searchParams.get('q') ?? '';
      const hits = [1, 2, 3, 4].map((n) => {
        const pr = pullJson({
          repo: REPO,
          number: n,
          title: ['Fix crash', 'Fix draft', 'Fix merged', 'Fix closed'][n - 1],
          draft: n === 2,
          merged: n === 3,
          state: n === 4 ? 'closed' : 'open',
        });
        return issueJson(REPO, n, {
          title: pr.title,
          state: pr.state,
          html_url: pr.html_url,
          draft: pr.draft,
          pull_request: { url: pr.url, html_url: pr.html_url, merged_at: pr.merged_at },
        });
      });
      const items = q.includes('nothing-matches')
        ? []
        : [...hits, issueJson(REPO, 5, { title: 'Fix: saving crashes' })];
      return {
        status: 200,
        headers: { 'x-ratelimit-resource': 'search' },
        body: { total_count: items.length, incomplete_results: false, items },
      };
    });
    const sha = 'abcdef0123456789abcdef0123456789abcdef01';
    github.on('GET', `/repos/${REPO}/commits/${sha}`, { status: 200, body: commitJson(REPO, sha) });
    github.on('GET', `/repos/${REPO}/commits/${sha}/check-runs`, {
      status: 200,
      body: { total_count: 0, check_runs: [] },
    });
    github.on('GET', `/repos/${REPO}/commits/${sha}/status`, {
      status: 200,
      body: { state: 'success', total_count: 1, statuses: [{ context: 'ci', state: 'success' }] },
    });
    github.on('GET', `/repos/${REPO}/releases/tags/v2.0.0`, {
      status: 200,
      body: releaseJson(REPO, 'v2.0.0'),
    });
    github.on(
      'GET',
      `/repos/${REPO}/pulls/77`,
      rateLimited(Math.floor(Date.UTC(2030, 0, 1, 13, 45) / 1000)),
    );
  });

  after(async function () {
    await reynolds?.dispose();
    await github?.close();
  });

  it('search: PRs in each state and an issue, with state, checks and review on cards and previews', async function () {
    const attachments = cardsOf(await query(reynolds, 'repo:octo-org/widgets fix'));
    assert.equal(attachments.length, 5);
    const q = new URL(
      github.requests.filter((r) => r.path.startsWith('/search/issues')).at(-1)!.path,
      'http://x',
    ).searchParams.get('q');
    assert.equal(q, 'fix repo:octo-org/widgets');
    const [open, draft, merged, closed, issue] = attachments as [Json, Json, Json, Json, Json];
    assert.match(cardText(open), /Open/);
    assert.match(cardText(open), /Checks failing \(1\/1\)/);
    assert.match(cardText(open), /Review requested/);
    assert.match(cardText(draft), /Draft/);
    assert.match(cardText(draft), /Checks running/);
    assert.match(cardText(merged), /Merged/);
    assert.match(cardText(merged), /Approved/);
    assert.match(cardText(closed), /Closed/);
    assert.match(cardText(closed), /Changes requested/);
    assert.match(cardText(issue), /Issue #5/);
    assert.equal(open['preview'].content.subtitle, `${REPO}#1 · Open · by octocat`);
    assert.deepEqual(open['preview'].content.tap, {
      type: 'invoke',
      value: { kind: 'pull', repo: REPO, number: 1 },
    });
    assert.deepEqual(issue['preview'].content.tap.value, { kind: 'issue', repo: REPO, number: 5 });
    // The same reader is on the Reynolds object, for chat lookups.
    assert.equal((await reynolds.github.getIssue(REPO, 5)).title, 'Fix: saving crashes');
  });

  it("an empty query shows the open PRs of the tenant's subscriptions (repos and orgs)", async function () {
    cardsOf(await query(reynolds, ''));
    const q = new URL(
      github.requests.filter((r) => r.path.startsWith('/search/issues')).at(-1)!.path,
      'http://x',
    ).searchParams.get('q');
    assert.equal(q, 'is:pr is:open org:acme repo:octo-org/widgets');
  });

  it('nothing found is a card that says so', async function () {
    const [card] = cardsOf(await query(reynolds, 'nothing-matches'));
    assert.match(cardText(card!), /No matches/);
  });

  it('selecting a result inserts the full card, from the cache', async function () {
    const before = github.count('GET', `/repos/${REPO}/pulls/3`);
    const [card] = cardsOf(
      await invoke(reynolds, 'composeExtension/selectItem', {
        kind: 'pull',
        repo: REPO,
        number: 3,
      }),
    );
    assert.match(cardText(card!), /Fix merged/);
    assert.match(cardText(card!), /fix-3 → main/);
    assert.equal(
      github.count('GET', `/repos/${REPO}/pulls/3`),
      before,
      'the search already read it',
    );
    const [bad] = cardsOf(
      await invoke(reynolds, 'composeExtension/selectItem', { nonsense: true }),
    );
    assert.match(cardText(bad!), /Cannot open that item/);
  });

  it('unfurls PR (with sub-pages and anchors), issue, commit and release links', async function () {
    const cases: Array<[string, RegExp]> = [
      [`https://github.com/${REPO}/pull/1`, /Pull request #1/],
      [`https://github.com/${REPO}/pull/2/files`, /Pull request #2/],
      [`https://github.com/${REPO}/pull/4#issuecomment-123`, /Pull request #4/],
      [`https://github.com/${REPO}/issues/5#issuecomment-9`, /Issue #5/],
      [`https://github.com/${REPO}/issues/3`, /Pull request #3/],
      [
        `https://github.com/${REPO}/commit/abcdef0123456789abcdef0123456789abcdef01`,
        /Commit abcdef0/,
      ],
      [`https://github.com/${REPO}/releases/tag/v2.0.0`, /Release v2\.0\.0/],
    ];
    for (const [url, expected] of cases) {
      const attachments = cardsOf(await unfurl(reynolds, url));
      assert.equal(attachments.length, 1, url);
      assert.match(cardText(attachments[0]!), expected, url);
    }
    assert.deepEqual(
      cardsOf(await unfurl(reynolds, `https://github.com/${REPO}`)),
      [],
      'a repository page is not unfurled',
    );
    assert.deepEqual(cardsOf(await unfurl(reynolds, 'https://example.com/a/b/pull/1')), []);
  });

  it('not found and rate limited become helpful cards', async function () {
    const [missing] = cardsOf(await unfurl(reynolds, `https://github.com/${REPO}/pull/999`));
    assert.match(cardText(missing!), /Not found: octo-org\/widgets#999/);
    const [limited] = cardsOf(await unfurl(reynolds, `https://github.com/${REPO}/pull/77`));
    assert.match(cardText(limited!), /rate limit/i);
    assert.match(cardText(limited!), /after 13:45 UTC/);
    const [byNumber] = cardsOf(await query(reynolds, 'repo:octo-org/widgets #999'));
    assert.match(cardText(byNumber!), /Not found/);
  });

  it('GitHub Enterprise Server: links on its host unfurl, read through its /api/v3', async function () {
    const ghes = await new GitHubApiServer('/api/v3').start();
    const onGhes = await startTestReynolds(
      { GITHUB_TOKEN: 'ghp_test', GITHUB_API_URL: ghes.url },
      { worker: false },
    );
    try {
      servePull(
        ghes,
        { repo: REPO, number: 1, title: 'Enterprise fix' },
        [{ name: 'build' }],
        [],
        [],
      );
      const host = new URL(ghes.url).host;
      const [card] = cardsOf(await unfurl(onGhes, `http://${host}/${REPO}/pull/1/files`));
      assert.match(cardText(card!), /Enterprise fix/);
      assert.ok(
        ghes.requests.length > 0 && ghes.requests.every((r) => r.path.startsWith('/api/v3/')),
      );
    } finally {
      await onGhes.dispose();
      await ghes.close();
    }
  });

  it('wrong credentials and no credentials become cards, not exceptions', async function () {
    const strict = await new GitHubApiServer().start();
    strict.tokens.add('token right');
    const wrong = await startTestReynolds(
      { GITHUB_TOKEN: 'wrong', GITHUB_API_URL: strict.url },
      { worker: false },
    );
    const none = await startTestReynolds({}, { worker: false });
    try {
      const [unauthorized] = cardsOf(await unfurl(wrong, `https://github.com/${REPO}/pull/1`));
      assert.match(cardText(unauthorized!), /GitHub refused the credentials/);
      const [notConfigured] = cardsOf(await query(none, 'repo:a/b x'));
      assert.match(
        cardText(notConfigured!),
        /no GitHub credentials: set GITHUB_TOKEN or the GitHub App variables/,
      );
    } finally {
      await wrong.dispose();
      await none.dispose();
      await strict.close();
    }
  });
});

describe('message extension with a fake GitHubReader port', function () {
  const pr: PullRequestView = {
    repo: REPO,
    number: 6,
    title: 'Use <b>bold</b> & [links](javascript:x)',
    url: `https://github.com/${REPO}/pull/6`,
    state: 'open',
    author: 'mallory',
    body: '',
    labels: [],
    baseRef: 'main',
    headRef: 'x',
    headSha: 'f'.repeat(40),
    additions: 1,
    deletions: 0,
    changedFiles: 1,
    createdAt: '',
    updatedAt: '',
    checks: { state: 'success', total: 1, failing: [] },
    reviews: { approved: [], changesRequested: [], requested: [] },
  };
  const fake = (getPullRequest: GitHubReader['getPullRequest']): GitHubReader => {
    const unused = () => Promise.reject(new Error('not used by this test'));
    return {
      getPullRequest,
      getIssue: unused,
      getCommit: unused,
      getRelease: unused,
      search: unused,
      listPullFiles: unused,
      getCodeowners: unused,
    };
  };

  it("a failure that is not GitHub's becomes a plain card (and is logged), not an exception", async function () {
    const reynolds = await startTestReynolds(
      {},
      { worker: false, github: fake(() => Promise.reject(new TypeError('boom'))) },
    );
    try {
      const [card] = cardsOf(await unfurl(reynolds, `https://github.com/${REPO}/pull/6`));
      assert.match(cardText(card!), /Reynolds could not answer/);
      assert.ok(!cardText(card!).includes('boom'), 'internals stay in the log');
    } finally {
      await reynolds.dispose();
    }
  });

  it('text from GitHub is escaped in the card and in the preview', async function () {
    const reynolds = await startTestReynolds({}, { worker: false, github: fake(async () => pr) });
    try {
      const [attachment] = cardsOf(
        await invoke(reynolds, 'composeExtension/selectItem', {
          kind: 'pull',
          repo: REPO,
          number: 6,
        }),
      );
      assert.equal(
        attachment!['preview'].content.title,
        'Use &lt;b&gt;bold&lt;/b&gt; &amp; [links](javascript:x)',
      );
      const json = JSON.stringify(attachment!['content']);
      assert.ok(json.includes('\\\\[links\\\\](javascript:x)'), json);
      assert.ok(
        !/(?<!\\)\]\(javascript:/.test(json),
        'no live link from a title: the brackets are escaped',
      );
    } finally {
      await reynolds.dispose();
    }
  });
});

describe('search syntax', function () {
  const scopes = [{ owner: 'octo-org', repo: 'widgets' }, { owner: 'acme' }];
  const table: Array<[string, string]> = [
    ['', 'is:pr is:open repo:octo-org/widgets org:acme'],
    ['crash', 'crash repo:octo-org/widgets org:acme'],
    ['repo:a/b crash on save', 'crash on save repo:a/b'],
    ['state:merged author:@mona', 'is:pr is:merged author:mona repo:octo-org/widgets org:acme'],
    ['state:draft', 'is:pr is:open draft:true repo:octo-org/widgets org:acme'],
    ['is:pr state:closed', 'is:pr is:closed is:unmerged repo:octo-org/widgets org:acme'],
    ['is:issue state:open login', 'is:issue is:open login repo:octo-org/widgets org:acme'],
    ['#42 repo:a/b', '42 repo:a/b'],
    ['state:weird "quoted"', '"state:weird" quoted repo:octo-org/widgets org:acme'],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected}`, function () {
      assert.equal(buildSearchQuery(parseSearch(input), scopes), expected);
    });
  }

  it('scopes: distinct, repos under a subscribed owner folded in, in a stable order', function () {
    const scopes = distinctScopes([
      { owner: 'zeta', repo: 'x' },
      { owner: 'Acme', repo: 'a' },
      { owner: 'acme' },
      { owner: 'zeta', repo: 'X' },
    ]);
    assert.deepEqual(scopes, [{ owner: 'acme' }, { owner: 'zeta', repo: 'x' }]);
  });

  it('links: github.com and the GHES host, sub-pages resolve, others do not', function () {
    const hosts = webHostsFor('https://ghe.example.com/api/v3');
    assert.deepEqual(parseGitHubLink('https://ghe.example.com/a/b/pull/7/commits/abc1234', hosts), {
      kind: 'pull',
      repo: 'a/b',
      number: 7,
    });
    assert.deepEqual(parseGitHubLink('https://github.com/a/b/releases/tag/v1%2Brc', hosts), {
      kind: 'release',
      repo: 'a/b',
      tag: 'v1+rc',
    });
    assert.equal(
      parseGitHubLink('https://ghe.example.com/a/b/pull/7', webHostsFor('https://api.github.com')),
      undefined,
    );
    assert.equal(parseGitHubLink('javascript:alert(1)//github.com/a/b/pull/1', hosts), undefined);
    assert.equal(parseGitHubLink('https://github.com/a/b/blob/main/x.ts', hosts), undefined);
  });
});
