/**
 * Where every Octokit of Reynolds comes from: @octokit/rest with the throttling and retry plugins,
 * authenticated with a token or as a GitHub App installation, against github.com or a GitHub
 * Enterprise Server (`GITHUB_API_URL`).
 *
 * With an App and no fixed installation, the installation is looked up per repository (or owner)
 * and one installation-authenticated client is kept per installation; @octokit/auth-app caches
 * and renews the installation tokens itself.
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export const ReynoldsOctokit = Octokit.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof ReynoldsOctokit>;

export type GitHubAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: number; privateKey: string; installationId?: number };

export interface OctokitLog {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface GitHubClientOptions {
  auth: GitHubAuth;
  /** REST API root: https://api.github.com, a GHES `https://host/api/v3`, or a stand-in. */
  baseUrl?: string;
  log?: OctokitLog;
  /** Retries of 5xx and network failures (default 2: a Teams invoke cannot wait long). */
  retries?: number;
  /** Milliseconds per second of GitHub's retry-after and of the retry plugin's backoff (tests shrink it). */
  retryAfterBaseMs?: number;
  /** Longest rate-limit wait (seconds) worth retrying after; longer waits fail with the reset time. */
  maxRateLimitWaitSeconds?: number;
  /** The throttling plugin's pacing and rate-limit handling (default on). */
  throttle?: boolean;
}

const QUIET_LOG: OctokitLog = {
  debug: () => {},
  info: () => {},
  warn: (message, ...rest) => console.warn(message, ...rest), // deprecation notices from GitHub
  error: () => {}, // the request-log plugin would print every 404 callers deliberately absorb
};

export const DEFAULT_API_URL = 'https://api.github.com';

/** Where a client is needed: a repository, or just an owner (an org or user search). */
export type ClientTarget = { owner: string; repo?: string } | undefined;

/** Thrown when an App client is asked for without saying which repository or owner it is for. */
export class NoInstallationTargetError extends Error {
  constructor() {
    super(
      'a GitHub App without GITHUB_APP_INSTALLATION_ID needs a repository or owner to find its installation (name one, e.g. repo:owner/name)',
    );
    this.name = 'NoInstallationTargetError';
  }
}

export class GitHubClients {
  private readonly single?: GitHubClient;
  private readonly appClient?: GitHubClient;
  private readonly perInstallation = new Map<number, GitHubClient>();
  /** Which installation serves an owner or repository; installations rarely move, a few minutes is fine. */
  private readonly installations = new LRUCache<string, number>({ max: 5_000, ttl: 10 * 60_000 });
  /** Throttling groups are keyed by this id, so clients of one factory share GitHub's limits. */
  private readonly throttleId = `reynolds-${randomUUID().slice(0, 8)}`;

  constructor(private readonly options: GitHubClientOptions) {
    const auth = options.auth;
    if (auth.kind === 'token') this.single = this.build({ auth: auth.token });
    else if (auth.installationId !== undefined) this.single = this.appOctokit(auth.installationId);
    else
      this.appClient = this.build({
        authStrategy: createAppAuth,
        auth: { appId: auth.appId, privateKey: auth.privateKey },
      });
  }

  get baseUrl(): string {
    return this.options.baseUrl ?? DEFAULT_API_URL;
  }

  /** The client that may read `target`: the token's, the fixed installation's, or the one installed there. */
  async forTarget(target: ClientTarget): Promise<GitHubClient> {
    if (this.single) return this.single;
    if (target === undefined) throw new NoInstallationTargetError();
    const key =
      target.repo === undefined
        ? target.owner.toLowerCase()
        : `${target.owner}/${target.repo}`.toLowerCase();
    let installationId = this.installations.get(key);
    if (installationId === undefined) {
      installationId = await this.lookUpInstallation(target);
      this.installations.set(key, installationId);
    }
    let client = this.perInstallation.get(installationId);
    if (client === undefined) {
      client = this.appOctokit(installationId);
      this.perInstallation.set(installationId, client);
    }
    return client;
  }

  private async lookUpInstallation(target: { owner: string; repo?: string }): Promise<number> {
    const app = this.appClient!;
    if (target.repo !== undefined)
      return (await app.rest.apps.getRepoInstallation({ owner: target.owner, repo: target.repo }))
        .data.id;
    try {
      return (await app.rest.apps.getOrgInstallation({ org: target.owner })).data.id;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      return (await app.rest.apps.getUserInstallation({ username: target.owner })).data.id;
    }
  }

  private appOctokit(installationId: number): GitHubClient {
    const auth = this.options.auth as Extract<GitHubAuth, { kind: 'app' }>;
    return this.build({
      authStrategy: createAppAuth,
      auth: { appId: auth.appId, privateKey: auth.privateKey, installationId },
    });
  }

  private build(authOptions: { auth: unknown; authStrategy?: unknown }): GitHubClient {
    const base = this.options.retryAfterBaseMs ?? 1000;
    const maxWait = this.options.maxRateLimitWaitSeconds ?? 2;
    // Retry at most once, and only when the wait is short: a Teams invoke has seconds, not minutes.
    // A longer wait fails, and the reader turns it into "rate limited until ..." for the person.
    const onLimit = (
      retryAfter: number,
      _options: unknown,
      _octokit: unknown,
      retryCount: number,
    ) => retryCount < 1 && retryAfter <= maxWait;
    return new ReynoldsOctokit({
      ...(authOptions as object),
      baseUrl: this.baseUrl,
      log: this.options.log ?? QUIET_LOG,
      userAgent: 'reynolds',
      throttle: {
        enabled: this.options.throttle ?? true,
        id: this.throttleId,
        retryAfterBaseValue: base,
        onRateLimit: onLimit,
        onSecondaryRateLimit: onLimit,
      },
      // 429 is the throttling plugin's to handle, with GitHub's own retry-after.
      retry: {
        retries: this.options.retries ?? 2,
        retryAfterBaseValue: base,
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      },
    });
  }
}
