/**
 * The production GitHubActions adapter: each write is one call of GitHub's REST API through
 * @octokit/rest. Nothing here decides whether to write; callers reach it only through the write
 * guard (src/loops/guarded-github.ts), which has already said yes.
 *
 * Errors propagate (an Octokit RequestError carries `status`), so the guard records nothing for a
 * failed write and the pipeline's retry asks the guard again. The one exception is removing a
 * label that is not there: GitHub answers 404, and the state we wanted is the state we have.
 */
import type { GitHubActions, ReviewEvent } from '../core/github-actions.js';
import { type GitHubClient, GitHubClients, type OctokitLog } from './octokit-client.js';

export type { OctokitLog } from './octokit-client.js';

export interface OctokitActionsOptions {
  /** Token the writes are made with; or `clients`, which may also be a GitHub App's. */
  token?: string;
  /** The shared client factory (src/github/octokit-client.ts): token or App installation auth. */
  clients?: GitHubClients;
  /** REST API root: https://api.github.com, a GitHub Enterprise Server `/api/v3`, or a stand-in. */
  baseUrl?: string;
  /** Octokit's request log. Defaults to warnings only: every failure is also thrown to the caller. */
  log?: OctokitLog;
}

const REPO = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/;

export class OctokitActions implements GitHubActions {
  private readonly clients: GitHubClients;

  constructor(options: OctokitActionsOptions) {
    if (options.clients) this.clients = options.clients;
    else if (options.token !== undefined)
      // A write is tried once: the pipeline's retry asks the write guard again, while a blind
      // retry of a POST after a lost answer could comment twice.
      this.clients = new GitHubClients({
        auth: { kind: 'token', token: options.token },
        baseUrl: options.baseUrl,
        log: options.log,
        retries: 0,
        throttle: false,
      });
    else throw new Error('OctokitActions needs a token or a GitHubClients factory');
  }

  private async client(
    repo: string,
  ): Promise<{ octokit: GitHubClient; where: { owner: string; repo: string } }> {
    const where = split(repo);
    return { octokit: await this.clients.forTarget(where), where };
  }

  async comment(repo: string, number: number, body: string): Promise<{ id: number; url?: string }> {
    const { octokit, where } = await this.client(repo);
    const { data } = await octokit.rest.issues.createComment({
      ...where,
      issue_number: number,
      body,
    });
    return { id: data.id, url: data.html_url };
  }

  async addLabels(repo: string, number: number, labels: string[]): Promise<void> {
    const { octokit, where } = await this.client(repo);
    await octokit.rest.issues.addLabels({ ...where, issue_number: number, labels });
  }

  async removeLabel(repo: string, number: number, label: string): Promise<void> {
    const { octokit, where } = await this.client(repo);
    try {
      await octokit.rest.issues.removeLabel({ ...where, issue_number: number, name: label });
    } catch (error) {
      if (statusOf(error) === 404) return; // already gone: the outcome we asked for
      throw error;
    }
  }

  async setState(repo: string, number: number, state: 'open' | 'closed'): Promise<void> {
    const { octokit, where } = await this.client(repo);
    await octokit.rest.issues.update({ ...where, issue_number: number, state });
  }

  async review(repo: string, number: number, event: ReviewEvent, body?: string): Promise<void> {
    const { octokit, where } = await this.client(repo);
    await octokit.rest.pulls.createReview({
      ...where,
      pull_number: number,
      event,
      ...(body ? { body } : {}),
    });
  }
}

function split(repo: string): { owner: string; repo: string } {
  const match = REPO.exec(repo);
  if (!match)
    throw new Error(`not a repository name of the form owner/name: ${JSON.stringify(repo)}`);
  return { owner: match[1]!, repo: match[2]! };
}

/** The HTTP status of an Octokit RequestError, read by shape (the class is a transitive dependency). */
function statusOf(error: unknown): number | undefined {
  const status =
    typeof error === 'object' && error !== null
      ? (error as { status?: unknown }).status
      : undefined;
  return typeof status === 'number' ? status : undefined;
}
