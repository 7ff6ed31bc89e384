/**
 * In-test fakes of the ports the chat actions use (GitHubReader, ModelPool, DigestSource): plain
 * data in, the port's own shapes and errors out, every call recorded.
 */
import {
  GitHubReadError,
  type CommitView,
  type GitHubReader,
  type IssueView,
  type PullRequestView,
  type ReleaseView,
  type SearchResult,
} from '../../src/github/github-reader.js';
import type {
  CompletionRequest,
  CompletionResult,
  ModelPool,
  PoolSnapshot,
} from '../../src/models/model-pool.js';
import type { ModelRole } from '../../src/core/model-roles.js';
import { MODEL_ROLES } from '../../src/core/model-roles.js';

type PullFile = { path: string; additions: number; deletions: number; patch?: string };

export function pullOf(
  repo: string,
  number: number,
  overrides: Partial<PullRequestView> = {},
): PullRequestView {
  return {
    repo,
    number,
    title: 'Teach the widget to fly',
    url: `https://github.com/${repo}/pull/${number}`,
    state: 'open',
    author: 'wade',
    body: 'Adds wings to the widget.\n\nMore details below.',
    labels: ['feature'],
    baseRef: 'main',
    headRef: 'wings',
    headSha: 'a'.repeat(40),
    additions: 120,
    deletions: 8,
    changedFiles: 3,
    createdAt: '2026-11-20T10:00:00Z',
    updatedAt: '2026-11-21T10:00:00Z',
    checks: { state: 'failure', total: 4, failing: ['lint'] },
    reviews: { approved: ['vanessa'], changesRequested: [], requested: ['colossus'] },
    ...overrides,
  };
}

export function issueOf(
  repo: string,
  number: number,
  overrides: Partial<IssueView> = {},
): IssueView {
  return {
    repo,
    number,
    title: 'The widget will not fly',
    url: `https://github.com/${repo}/issues/${number}`,
    state: 'open',
    author: 'dopinder',
    body: 'It just sits there.',
    labels: ['bug'],
    assignees: ['wade'],
    comments: 3,
    createdAt: '2026-11-20T10:00:00Z',
    updatedAt: '2026-11-21T10:00:00Z',
    isPullRequest: false,
    ...overrides,
  };
}

export class FakeGitHubReader implements GitHubReader {
  readonly calls: string[] = [];
  readonly pulls = new Map<string, PullRequestView>();
  readonly issues = new Map<string, IssueView>();
  readonly files = new Map<string, PullFile[]>();
  readonly codeowners = new Map<string, string>();
  /** Every read of this repo fails with this error (a GitHubReadError, or a bug). */
  readonly failing = new Map<string, Error>();

  private check(repo: string): void {
    const failure = this.failing.get(repo);
    if (failure) throw failure;
  }

  async getPullRequest(repo: string, number: number): Promise<PullRequestView> {
    this.calls.push(`getPullRequest ${repo}#${number}`);
    this.check(repo);
    const pull = this.pulls.get(`${repo}#${number}`);
    if (!pull) throw new GitHubReadError('not_found', `${repo}#${number} is not a pull request`);
    return pull;
  }
  async getIssue(repo: string, number: number): Promise<IssueView> {
    this.calls.push(`getIssue ${repo}#${number}`);
    this.check(repo);
    const issue = this.issues.get(`${repo}#${number}`);
    if (!issue) throw new GitHubReadError('not_found', `${repo}#${number} not found`);
    return issue;
  }
  async getCommit(repo: string): Promise<CommitView> {
    throw new GitHubReadError('not_found', `${repo}: no commits in this fake`);
  }
  async getRelease(repo: string): Promise<ReleaseView> {
    throw new GitHubReadError('not_found', `${repo}: no releases in this fake`);
  }
  async search(): Promise<SearchResult> {
    return { total: 0, items: [] };
  }
  async listPullFiles(repo: string, number: number): Promise<PullFile[]> {
    this.calls.push(`listPullFiles ${repo}#${number}`);
    this.check(repo);
    return this.files.get(`${repo}#${number}`) ?? [];
  }
  async getCodeowners(repo: string): Promise<string | undefined> {
    this.calls.push(`getCodeowners ${repo}`);
    this.check(repo);
    return this.codeowners.get(repo);
  }
}

export class FakeModelPool implements ModelPool {
  readonly requests: Array<{ role: ModelRole; request: CompletionRequest }> = [];
  /** Roles with a deployment. */
  roles = new Set<ModelRole>(['review']);
  stagePercent = 100;
  allow: string[] = [];
  deny: string[] = [];
  /** Set to make every completion fail. */
  down: Error | undefined;
  answer = '- Adds wings.\n- Lint fails.';

  async complete(role: ModelRole, request: CompletionRequest): Promise<CompletionResult> {
    this.requests.push({ role, request });
    if (this.down) throw this.down;
    return {
      text: this.answer,
      role,
      deployment: `${role}-1`,
      model: 'fake-model',
      usage: { promptTokens: 10, completionTokens: 5 },
      latencyMs: 1,
    };
  }
  serves(role: ModelRole): boolean {
    return this.roles.has(role);
  }
  snapshot(): PoolSnapshot {
    return {
      configured: this.roles.size > 0,
      concurrency: { limit: 10, inFlight: 2, queued: 1 },
      roles: MODEL_ROLES.map((role) => ({
        role,
        queued: 0,
        inFlight: 0,
        deployments: this.roles.has(role)
          ? [
              {
                name: `${role}-1`,
                provider: 'openai' as const,
                model: 'fake-model',
                weight: 1,
                inFlight: 0,
                breaker: role === 'security' ? ('open' as const) : ('closed' as const),
                requests: 1,
                errors: 0,
                p50Ms: 10,
                p95Ms: 20,
                tokens: { prompt: 1, completion: 1 },
                costUsd: 0,
              },
            ]
          : [],
      })),
      pilot: { stagePercent: this.stagePercent, allow: this.allow, deny: this.deny },
      history: [],
    };
  }
  async close(): Promise<void> {}
}

export class FakeDigest {
  readonly calls: Array<[string, string]> = [];
  async digestNow(tenantId: string, conversationId: string): Promise<void> {
    this.calls.push([tenantId, conversationId]);
  }
}
