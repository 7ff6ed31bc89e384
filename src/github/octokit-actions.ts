/**
 * The production GitHubActions adapter: each write is one call of GitHub's REST API through
 * @octokit/rest. Nothing here decides whether to write; callers reach it only through the write
 * guard (src/loops/guarded-github.ts), which has already said yes.
 *
 * Errors propagate (an Octokit RequestError carries `status`), so the guard records nothing for a
 * failed write and the pipeline's retry asks the guard again. The one exception is removing a
 * label that is not there: GitHub answers 404, and the state we wanted is the state we have.
 */
import { Octokit } from '@octokit/rest';
import type { GitHubActions, ReviewEvent } from '../broker/github-actions.js';

export interface OctokitActionsOptions {
  /** Token the writes are made with (an installation token once App auth lands). */
  token: string;
  /** REST API root: https://api.github.com, a GitHub Enterprise Server `/api/v3`, or a stand-in. */
  baseUrl?: string;
  /** Octokit's request log. Defaults to warnings only: every failure is also thrown to the caller. */
  log?: OctokitLog;
}

export interface OctokitLog {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

const QUIET_LOG: OctokitLog = {
  debug: () => {},
  info: () => {},
  warn: (message, ...rest) => console.warn(message, ...rest), // deprecation notices from GitHub
  error: () => {}, // the request-log plugin would print every 404 we deliberately absorb
};

const REPO = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/;

// Throttling and retry plugins and GitHub App (installation) auth come later, in their own issue.
export class OctokitActions implements GitHubActions {
  private readonly octokit: Octokit;

  constructor(options: OctokitActionsOptions) {
    this.octokit = new Octokit({
      auth: options.token,
      baseUrl: options.baseUrl ?? 'https://api.github.com',
      log: options.log ?? QUIET_LOG,
      userAgent: 'reynolds',
    });
  }

  async comment(repo: string, number: number, body: string): Promise<{ id: number; url?: string }> {
    const { data } = await this.octokit.rest.issues.createComment({ ...split(repo), issue_number: number, body });
    return { id: data.id, url: data.html_url };
  }

  async addLabels(repo: string, number: number, labels: string[]): Promise<void> {
    await this.octokit.rest.issues.addLabels({ ...split(repo), issue_number: number, labels });
  }

  async removeLabel(repo: string, number: number, label: string): Promise<void> {
    try {
      await this.octokit.rest.issues.removeLabel({ ...split(repo), issue_number: number, name: label });
    } catch (error) {
      if (statusOf(error) === 404) return; // already gone: the outcome we asked for
      throw error;
    }
  }

  async setState(repo: string, number: number, state: 'open' | 'closed'): Promise<void> {
    await this.octokit.rest.issues.update({ ...split(repo), issue_number: number, state });
  }

  async review(repo: string, number: number, event: ReviewEvent, body?: string): Promise<void> {
    await this.octokit.rest.pulls.createReview({ ...split(repo), pull_number: number, event, ...(body ? { body } : {}) });
  }
}

function split(repo: string): { owner: string; repo: string } {
  const match = REPO.exec(repo);
  if (!match) throw new Error(`not a repository name of the form owner/name: ${JSON.stringify(repo)}`);
  return { owner: match[1]!, repo: match[2]! };
}

/** The HTTP status of an Octokit RequestError, read by shape (the class is a transitive dependency). */
function statusOf(error: unknown): number | undefined {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}
