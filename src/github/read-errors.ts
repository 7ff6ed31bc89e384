/**
 * GitHub API failures as GitHubReadErrors: what went wrong in words a person can act on, and for
 * a rate limit, when it resets. Octokit's RequestError is read by shape (status, response headers),
 * since its class is a transitive dependency.
 */
import { GitHubReadError, type GitHubReader } from './github-reader.js';

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** Whether an error came from talking to GitHub (Octokit's RequestError, or auth-app's), by shape. */
export function isGitHubRequestError(error: unknown): boolean {
  if (error instanceof GitHubReadError) return true;
  const e = error as { status?: unknown; name?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    (typeof e.status === 'number' || e.name === 'HttpError' || e.name === 'RequestError')
  );
}

export function toReadError(error: unknown): GitHubReadError {
  if (error instanceof GitHubReadError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as RequestErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const headers = e.response?.headers ?? {};
  const detail =
    typeof e.message === 'string' && e.message !== '' ? e.message.split(' - ')[0]! : 'no answer';
  if (status === 404)
    return new GitHubReadError(
      'not_found',
      `GitHub has no such thing, or Reynolds may not see it (404: ${detail})`,
    );
  if (status === 401)
    return new GitHubReadError(
      'unauthorized',
      "GitHub refused Reynolds's credentials (401): check GITHUB_TOKEN or the GitHub App key",
    );
  if (status === 403 || status === 429) {
    const resetAt = rateLimitResetOf(headers, e.message);
    if (resetAt !== undefined)
      return new GitHubReadError(
        'rate_limited',
        `GitHub's rate limit is used up until ${new Date(resetAt).toISOString()}`,
        resetAt,
      );
    if (status === 429)
      return new GitHubReadError('rate_limited', 'GitHub asked Reynolds to slow down (429)');
    return new GitHubReadError(
      'forbidden',
      `GitHub does not let Reynolds read this (403: ${detail})`,
    );
  }
  if (status === undefined || status >= 500)
    return new GitHubReadError(
      'unavailable',
      `GitHub did not answer properly (${status ?? 'network error'}: ${detail})`,
    );
  return new GitHubReadError('unavailable', `GitHub answered ${status}: ${detail}`);
}

/** The reset time (ms since epoch) of a primary rate limit, or of a secondary one from retry-after. */
function rateLimitResetOf(
  headers: Record<string, string | number | undefined>,
  message: string | undefined,
): number | undefined {
  const remaining = headers['x-ratelimit-remaining'];
  const reset = Number(headers['x-ratelimit-reset']);
  if (String(remaining) === '0' && Number.isFinite(reset) && reset > 0) return reset * 1000;
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && headers['retry-after'] !== undefined)
    return Date.now() + retryAfter * 1000;
  if (/rate limit/i.test(message ?? '') && Number.isFinite(reset) && reset > 0) return reset * 1000;
  return undefined;
}

/** The reader when no GitHub credentials are configured: every read says so. */
export function unconfiguredReader(): GitHubReader {
  const fail = () =>
    Promise.reject(
      new GitHubReadError(
        'not_configured',
        'no GitHub credentials: set GITHUB_TOKEN or the GitHub App variables',
      ),
    );
  return {
    getPullRequest: fail,
    getIssue: fail,
    getCommit: fail,
    getRelease: fail,
    search: fail,
    listPullFiles: fail,
    getCodeowners: fail,
  };
}
