/**
 * Responses in the shape GitHub's REST API sends (trimmed to the fields that matter, as recorded
 * from api.github.com) for what @octokit/fixtures has no scenario for: pull requests in each
 * state, check runs, combined statuses, reviews, a commit, a release.
 */
import type { GitHubApiServer } from './github-api-server.js';

type Json = Record<string, any>;

const API = 'https://api.github.com';
const WEB = 'https://github.com';

export function user(login: string, id = 1000): Json {
  return {
    login,
    id,
    node_id: 'MDQ6VXNlcjE=',
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: `${WEB}/${login}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

export interface PullShape {
  repo: string;
  number: number;
  title?: string;
  state?: 'open' | 'closed';
  draft?: boolean;
  merged?: boolean;
  author?: string;
  sha?: string;
  requested?: string[];
  requestedTeams?: string[];
  labels?: string[];
}

export function pullJson(p: PullShape): Json {
  const merged = p.merged ?? false;
  const sha = p.sha ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  return {
    url: `${API}/repos/${p.repo}/pulls/${p.number}`,
    id: 90000 + p.number,
    node_id: 'PR_kwDOAAAB',
    html_url: `${WEB}/${p.repo}/pull/${p.number}`,
    number: p.number,
    state: merged ? 'closed' : (p.state ?? 'open'),
    locked: false,
    title: p.title ?? `Pull request ${p.number}`,
    user: user(p.author ?? 'octocat'),
    body: 'Fixes the crash on save.\n\n<!-- hidden -->\n- [x] tests',
    labels: (p.labels ?? []).map((name, i) => ({
      id: i + 1,
      name,
      color: 'ededed',
      default: false,
    })),
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-23T15:30:00Z',
    closed_at: merged || p.state === 'closed' ? '2026-11-23T15:30:00Z' : null,
    merged_at: merged ? '2026-11-23T15:30:00Z' : null,
    merge_commit_sha: merged ? 'feedfacefeedfacefeedfacefeedfacefeedface' : null,
    assignees: [],
    requested_reviewers: (p.requested ?? []).map((login) => user(login, 2000)),
    requested_teams: (p.requestedTeams ?? []).map((slug) => ({ id: 1, slug, name: slug })),
    head: { label: `octocat:fix-${p.number}`, ref: `fix-${p.number}`, sha, user: user('octocat') },
    base: {
      label: 'octocat:main',
      ref: 'main',
      sha: '0000000000000000000000000000000000000001',
      user: user('octocat'),
    },
    draft: p.draft ?? false,
    merged,
    mergeable: null,
    comments: 2,
    review_comments: 1,
    commits: 3,
    additions: 42,
    deletions: 7,
    changed_files: 4,
  };
}

export function checkRunsJson(
  runs: Array<{
    name: string;
    status?: 'queued' | 'in_progress' | 'completed';
    conclusion?: string | null;
  }>,
): Json {
  return {
    total_count: runs.length,
    check_runs: runs.map((r, i) => ({
      id: 7000 + i,
      name: r.name,
      head_sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      status: r.status ?? 'completed',
      conclusion: (r.status ?? 'completed') === 'completed' ? (r.conclusion ?? 'success') : null,
      started_at: '2026-11-23T15:00:00Z',
      completed_at: '2026-11-23T15:05:00Z',
      html_url: `${WEB}/runs/${7000 + i}`,
      app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    })),
  };
}

export function combinedStatusJson(
  statuses: Array<{ context: string; state: 'success' | 'failure' | 'error' | 'pending' }>,
): Json {
  const state = statuses.some((s) => s.state === 'failure' || s.state === 'error')
    ? 'failure'
    : statuses.some((s) => s.state === 'pending')
      ? 'pending'
      : 'success';
  return {
    state: statuses.length === 0 ? 'pending' : state,
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    total_count: statuses.length,
    statuses: statuses.map((s, i) => ({
      id: 100 + i,
      state: s.state,
      context: s.context,
      description: null,
      target_url: null,
      created_at: '2026-11-23T15:00:00Z',
      updated_at: '2026-11-23T15:00:00Z',
    })),
  };
}

export function reviewsJson(
  reviews: Array<{
    login: string;
    state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  }>,
): Json[] {
  return reviews.map((r, i) => ({
    id: 500 + i,
    user: user(r.login, 3000 + i),
    body: '',
    state: r.state,
    submitted_at: `2026-11-23T1${i}:00:00Z`,
    commit_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    author_association: 'MEMBER',
  }));
}

export function issueJson(repo: string, number: number, extra: Json = {}): Json {
  return {
    url: `${API}/repos/${repo}/issues/${number}`,
    repository_url: `${API}/repos/${repo}`,
    html_url: `${WEB}/${repo}/issues/${number}`,
    id: 80000 + number,
    number,
    title: `Issue ${number}`,
    user: user('alice'),
    labels: [{ id: 1, name: 'bug', color: 'd73a4a', default: true }],
    state: 'open',
    locked: false,
    assignees: [user('bob', 1001)],
    comments: 3,
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-23T15:30:00Z',
    closed_at: null,
    body: 'Saving crashes the app.',
    ...extra,
  };
}

export function commitJson(repo: string, sha: string): Json {
  return {
    sha,
    node_id: 'C_kwDOAAAB',
    commit: {
      author: { name: 'Mona', email: 'mona@example.com', date: '2026-11-22T09:15:00Z' },
      committer: { name: 'GitHub', email: 'noreply@github.com', date: '2026-11-22T09:15:00Z' },
      message: 'Fix the crash on save\n\nThe buffer was freed twice.',
    },
    url: `${API}/repos/${repo}/commits/${sha}`,
    html_url: `${WEB}/${repo}/commit/${sha}`,
    author: user('mona'),
    committer: user('web-flow'),
    parents: [],
    stats: { total: 12, additions: 10, deletions: 2 },
    files: [
      {
        sha: 'abc',
        filename: 'src/save.ts',
        status: 'modified',
        additions: 10,
        deletions: 2,
        changes: 12,
        patch: '@@ -1 +1 @@',
      },
    ],
  };
}

export function releaseJson(repo: string, tag: string, extra: Json = {}): Json {
  return {
    url: `${API}/repos/${repo}/releases/1`,
    html_url: `${WEB}/${repo}/releases/tag/${tag}`,
    id: 1,
    tag_name: tag,
    target_commitish: 'main',
    name: `Release ${tag}`,
    draft: false,
    prerelease: false,
    created_at: '2026-11-21T12:00:00Z',
    published_at: '2026-11-21T12:05:00Z',
    author: user('octocat'),
    assets: [],
    body: '## What changed\n- Faster saves',
    ...extra,
  };
}

/** Serves one PR with its checks, statuses and reviews the way the reader asks for them. */
export function servePull(
  server: GitHubApiServer,
  pull: PullShape,
  checks: Parameters<typeof checkRunsJson>[0],
  statuses: Parameters<typeof combinedStatusJson>[0],
  reviews: Parameters<typeof reviewsJson>[0],
): void {
  const json = pullJson(pull);
  const sha = json.head.sha as string;
  server.on('GET', `/repos/${pull.repo}/pulls/${pull.number}`, { status: 200, body: json });
  server.on('GET', `/repos/${pull.repo}/issues/${pull.number}`, {
    status: 200,
    body: issueJson(pull.repo, pull.number, {
      title: json.title,
      state: json.state,
      html_url: json.html_url,
      pull_request: { url: json.url, html_url: json.html_url, merged_at: json.merged_at },
      draft: json.draft,
    }),
  });
  server.on('GET', `/repos/${pull.repo}/commits/${sha}/check-runs`, {
    status: 200,
    body: checkRunsJson(checks),
  });
  server.on('GET', `/repos/${pull.repo}/commits/${sha}/status`, {
    status: 200,
    body: combinedStatusJson(statuses),
  });
  server.on('GET', `/repos/${pull.repo}/pulls/${pull.number}/reviews`, {
    status: 200,
    body: reviewsJson(reviews),
  });
}
