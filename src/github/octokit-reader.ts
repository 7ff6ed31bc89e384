/**
 * The production GitHubReader: GitHub's REST API through the shared client factory, with a short
 * cache (a search followed by a select, or a link pasted twice, costs one call), and every failure
 * turned into a GitHubReadError with a kind the message extension can explain.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { LRUCache } from 'lru-cache';
import {
  type ChecksState,
  type CommitView,
  type GitHubReader,
  GitHubReadError,
  type IssueView,
  type PullRequestView,
  type PullState,
  type ReleaseView,
  type SearchResult,
} from './github-reader.js';
import {
  type GitHubClient,
  type GitHubClients,
  NoInstallationTargetError,
} from './octokit-client.js';
import { isGitHubRequestError, toReadError } from './read-errors.js';

// GitHub's REST answers are read field by field with a fallback for each (see read-errors.ts), so
// a loose record is the honest type here; the generated Octokit types would promise more than we check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

export interface OctokitReaderOptions {
  clients: GitHubClients;
  /** How long a read is reused (0: not at all). */
  cacheTtlMs?: number;
  cacheMax?: number;
  /** What the cache's lifetimes are measured on (tests step a manual clock). */
  clock?: Clock;
}

const REPO = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/;
const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];
const FILE_PAGES = 3;

export class OctokitReader implements GitHubReader {
  private readonly cache?: LRUCache<string, Promise<unknown>>;

  constructor(private readonly options: OctokitReaderOptions) {
    const ttl = options.cacheTtlMs ?? 45_000;
    // Promises are cached, so concurrent reads of one thing share one call; failures are dropped.
    // ttlResolution 0: lru-cache would otherwise reuse a reading of the clock for 1 ms, which a
    // stepped clock jumps past.
    const clock = options.clock ?? systemClock;
    if (ttl > 0)
      this.cache = new LRUCache({
        max: options.cacheMax ?? 2_000,
        ttl,
        ttlResolution: 0,
        perf: { now: () => clock.now() },
      });
  }

  getPullRequest(repo: string, number: number): Promise<PullRequestView> {
    return this.read(`pull:${repo}#${number}`, repo, async (gh, where) => {
      const { data: pr } = await gh.rest.pulls.get({ ...where, pull_number: number });
      const [checks, reviews] = await Promise.all([
        this.checksOf(gh, where, pr.head.sha),
        gh.rest.pulls.listReviews({ ...where, pull_number: number, per_page: 100 }),
      ]);
      return pullView(repo, pr as Json, checks, reviews.data as Json[]);
    });
  }

  getIssue(repo: string, number: number): Promise<IssueView> {
    return this.read(`issue:${repo}#${number}`, repo, async (gh, where) =>
      issueView((await gh.rest.issues.get({ ...where, issue_number: number })).data as Json, repo),
    );
  }

  getCommit(repo: string, ref: string): Promise<CommitView> {
    return this.read(`commit:${repo}@${ref}`, repo, async (gh, where) => {
      const { data } = await gh.rest.repos.getCommit({ ...where, ref, per_page: 1 });
      const checks = await this.checksOf(gh, where, data.sha);
      return {
        repo,
        sha: data.sha,
        message: data.commit.message,
        url: data.html_url,
        author: data.author?.login ?? data.commit.author?.name ?? 'unknown',
        date: data.commit.author?.date ?? data.commit.committer?.date ?? '',
        additions: data.stats?.additions ?? 0,
        deletions: data.stats?.deletions ?? 0,
        files: data.files?.length ?? 0,
        checks,
      };
    });
  }

  getRelease(repo: string, tag: string): Promise<ReleaseView> {
    return this.read(`release:${repo}@${tag}`, repo, async (gh, where) => {
      const { data } = await gh.rest.repos.getReleaseByTag({ ...where, tag });
      return {
        repo,
        tag: data.tag_name,
        name: data.name ?? data.tag_name,
        url: data.html_url,
        author: data.author?.login ?? 'unknown',
        body: data.body ?? '',
        draft: data.draft,
        prerelease: data.prerelease,
        ...(data.published_at ? { publishedAt: data.published_at } : {}),
      };
    });
  }

  search(query: string, limit: number): Promise<SearchResult> {
    const perPage = Math.max(1, Math.min(100, Math.floor(limit)));
    return this.cached(`search:${perPage}:${query}`, async () => {
      const gh = await this.clients.forTarget(searchTarget(query));
      const { data } = await gh.request('GET /search/issues', {
        q: query,
        per_page: perPage,
        sort: 'updated',
        order: 'desc',
      });
      return {
        total: data.total_count,
        items: (data.items as Json[]).map((item) => issueView(item, repoOfIssue(item))),
      };
    });
  }

  listPullFiles(
    repo: string,
    number: number,
  ): Promise<Array<{ path: string; additions: number; deletions: number; patch?: string }>> {
    return this.read(`files:${repo}#${number}`, repo, async (gh, where) => {
      const files: Array<{ path: string; additions: number; deletions: number; patch?: string }> =
        [];
      for (let page = 1; page <= FILE_PAGES; page++) {
        const { data } = await gh.rest.pulls.listFiles({
          ...where,
          pull_number: number,
          per_page: 100,
          page,
        });
        for (const f of data)
          files.push({
            path: f.filename,
            additions: f.additions,
            deletions: f.deletions,
            ...(f.patch !== undefined ? { patch: f.patch } : {}),
          });
        if (data.length < 100) break;
      }
      return files;
    });
  }

  getCodeowners(repo: string): Promise<string | undefined> {
    return this.read(`codeowners:${repo}`, repo, async (gh, where) => {
      for (const path of CODEOWNERS_PATHS) {
        try {
          const { data } = await gh.rest.repos.getContent({
            ...where,
            path,
            mediaType: { format: 'raw' },
          });
          return typeof data === 'string' ? data : undefined;
        } catch (error) {
          if ((error as { status?: number }).status !== 404) throw error;
        }
      }
      return undefined;
    });
  }

  private get clients(): GitHubClients {
    return this.options.clients;
  }

  /** A read of one repository: its client, its cache entry, its errors mapped. */
  private read<T>(
    key: string,
    repo: string,
    load: (gh: GitHubClient, where: { owner: string; repo: string }) => Promise<T>,
  ): Promise<T> {
    let where: { owner: string; repo: string };
    try {
      where = split(repo);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.cached(key.toLowerCase(), async () =>
      load(await this.clients.forTarget(where), where),
    );
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache?.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const pending = load().catch((error: unknown) => {
      this.cache?.delete(key);
      if (error instanceof NoInstallationTargetError)
        throw new GitHubReadError('not_configured', error.message);
      // GitHub's answers become read errors; anything else is a bug here and stays what it is.
      throw isGitHubRequestError(error) ? toReadError(error) : error;
    });
    this.cache?.set(key, pending);
    return pending;
  }

  /** Check runs and the combined commit status of one sha, as one verdict. */
  private async checksOf(
    gh: GitHubClient,
    where: { owner: string; repo: string },
    sha: string,
  ): Promise<PullRequestView['checks']> {
    const [runs, status] = await Promise.all([
      gh.rest.checks.listForRef({ ...where, ref: sha, per_page: 100 }),
      gh.rest.repos.getCombinedStatusForRef({ ...where, ref: sha, per_page: 100 }),
    ]);
    const failing: string[] = [];
    let pending = 0;
    for (const run of runs.data.check_runs) {
      if (run.status !== 'completed') pending++;
      else if (FAILING_CONCLUSIONS.has(run.conclusion ?? '')) failing.push(run.name);
    }
    for (const s of status.data.statuses) {
      if (s.state === 'pending') pending++;
      else if (s.state === 'failure' || s.state === 'error') failing.push(s.context);
    }
    const total = runs.data.check_runs.length + status.data.statuses.length;
    const state: ChecksState =
      total === 0 ? 'none' : failing.length > 0 ? 'failure' : pending > 0 ? 'pending' : 'success';
    return { state, total, failing };
  }
}

const FAILING_CONCLUSIONS = new Set([
  'failure',
  'timed_out',
  'cancelled',
  'action_required',
  'startup_failure',
]);

export function pullStateOf(pr: {
  state: string;
  draft?: boolean | null;
  merged_at?: string | null;
  merged?: boolean | null;
}): PullState {
  if (pr.merged_at || pr.merged) return 'merged';
  if (pr.state === 'closed') return 'closed';
  return pr.draft ? 'draft' : 'open';
}

function pullView(
  repo: string,
  pr: Json,
  checks: PullRequestView['checks'],
  reviews: Json[],
): PullRequestView {
  // A person's latest verdict counts; a later comment-only review does not undo an approval.
  const verdicts = new Map<string, string>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (
      login &&
      (review.state === 'APPROVED' ||
        review.state === 'CHANGES_REQUESTED' ||
        review.state === 'DISMISSED')
    )
      verdicts.set(login, review.state);
  }
  const with_ = (state: string) =>
    [...verdicts].filter(([, s]) => s === state).map(([login]) => login);
  return {
    repo,
    number: pr.number,
    title: pr.title,
    url: pr.html_url,
    state: pullStateOf(pr as { state: string }),
    author: pr.user?.login ?? 'ghost',
    ...(pr.user?.avatar_url ? { authorAvatarUrl: pr.user.avatar_url } : {}),
    body: pr.body ?? '',
    labels: (pr.labels ?? []).map((l: Json) => l.name),
    baseRef: pr.base.ref,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    additions: pr.additions ?? 0,
    deletions: pr.deletions ?? 0,
    changedFiles: pr.changed_files ?? 0,
    createdAt: pr.created_at,
    updatedAt: pr.updated_at,
    checks,
    reviews: {
      approved: with_('APPROVED'),
      changesRequested: with_('CHANGES_REQUESTED'),
      requested: [
        ...(pr.requested_reviewers ?? []).map((u: Json) => u.login),
        ...(pr.requested_teams ?? []).map((t: Json) => `@${t.slug}`),
      ],
    },
  };
}

function issueView(issue: Json, repo: string): IssueView {
  const isPullRequest = issue.pull_request !== undefined && issue.pull_request !== null;
  return {
    repo,
    number: issue.number,
    title: issue.title,
    url: issue.html_url,
    state: issue.state === 'closed' ? 'closed' : 'open',
    author: issue.user?.login ?? 'ghost',
    body: issue.body ?? '',
    labels: (issue.labels ?? []).map((l: Json | string) => (typeof l === 'string' ? l : l.name)),
    assignees: (issue.assignees ?? []).map((a: Json) => a.login),
    comments: issue.comments ?? 0,
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    isPullRequest,
    ...(isPullRequest
      ? {
          pullState: pullStateOf({
            state: issue.state,
            draft: issue.draft,
            merged_at: issue.pull_request.merged_at,
          }),
        }
      : {}),
  };
}

/** `owner/name` from an issue's `repository_url` (https://api.github.com/repos/owner/name). */
function repoOfIssue(issue: Json): string {
  const match = /\/repos\/([^/]+\/[^/]+)$/.exec(String(issue.repository_url ?? ''));
  if (match) return match[1]!;
  const html = /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\//.exec(String(issue.html_url ?? ''));
  return html ? html[1]! : 'unknown/unknown';
}

/** Which installation a search runs as: its first `repo:`, else its first `org:` or `user:`. */
export function searchTarget(query: string): { owner: string; repo?: string } | undefined {
  const repo = /(?:^|\s)repo:([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)/.exec(query);
  if (repo) return { owner: repo[1]!, repo: repo[2]! };
  const owner = /(?:^|\s)(?:org|user):([A-Za-z0-9_.-]+)/.exec(query);
  return owner ? { owner: owner[1]! } : undefined;
}

function split(repo: string): { owner: string; repo: string } {
  const match = REPO.exec(repo);
  if (!match)
    throw new GitHubReadError(
      'not_found',
      `not a repository name of the form owner/name: ${JSON.stringify(repo)}`,
    );
  return { owner: match[1]!, repo: match[2]! };
}
