/**
 * Reads from GitHub's REST API that the message extension, link unfurling and chat lookups need.
 * The Octokit adapter implements it (throttling, retries, App or token auth, GHES base URL, a
 * short cache). Failures are `GitHubReadError`s with a kind, so callers can answer with a clear
 * card instead of an exception.
 */
export type PullState = 'open' | 'draft' | 'merged' | 'closed';
export type ChecksState = 'success' | 'failure' | 'pending' | 'none';

export interface PullRequestView {
  repo: string;
  number: number;
  title: string;
  url: string;
  state: PullState;
  author: string;
  authorAvatarUrl?: string;
  body: string;
  labels: string[];
  baseRef: string;
  headRef: string;
  headSha: string;
  additions: number;
  deletions: number;
  changedFiles: number;
  createdAt: string;
  updatedAt: string;
  checks: { state: ChecksState; total: number; failing: string[] };
  reviews: { approved: string[]; changesRequested: string[]; requested: string[] };
}

export interface IssueView {
  repo: string;
  number: number;
  title: string;
  url: string;
  state: 'open' | 'closed';
  author: string;
  body: string;
  labels: string[];
  assignees: string[];
  comments: number;
  createdAt: string;
  updatedAt: string;
  /** Search results and links can point at a PR through the issues API. */
  isPullRequest: boolean;
  /** Added with the Octokit reader: a PR's state as far as the issues API tells (draft, merged). */
  pullState?: PullState;
}

export interface CommitView {
  repo: string;
  sha: string;
  message: string;
  url: string;
  author: string;
  date: string;
  additions: number;
  deletions: number;
  files: number;
  checks: { state: ChecksState; total: number; failing: string[] };
}

export interface ReleaseView {
  repo: string;
  tag: string;
  name: string;
  url: string;
  author: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  publishedAt?: string;
}

export interface SearchResult {
  total: number;
  items: IssueView[];
}

export interface GitHubReader {
  getPullRequest(repo: string, number: number): Promise<PullRequestView>;
  getIssue(repo: string, number: number): Promise<IssueView>;
  getCommit(repo: string, ref: string): Promise<CommitView>;
  getRelease(repo: string, tag: string): Promise<ReleaseView>;
  /** GitHub issue search syntax (`is:pr repo:owner/name text`); newest updated first. */
  search(query: string, limit: number): Promise<SearchResult>;
  /** Paths changed by a PR (first pages), for reviewer suggestions and summaries. */
  listPullFiles(
    repo: string,
    number: number,
  ): Promise<Array<{ path: string; additions: number; deletions: number; patch?: string }>>;
  /** The CODEOWNERS file's text, if the repo has one. */
  getCodeowners(repo: string): Promise<string | undefined>;
}

export type GitHubReadErrorKind =
  'not_found' | 'rate_limited' | 'unauthorized' | 'forbidden' | 'unavailable' | 'not_configured';

export class GitHubReadError extends Error {
  constructor(
    readonly kind: GitHubReadErrorKind,
    message: string,
    /** When a rate limit resets (ms since epoch), if GitHub said. */
    readonly resetAt?: number,
  ) {
    super(message);
    this.name = 'GitHubReadError';
  }
}
