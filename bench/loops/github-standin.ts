/**
 * A GitHub stand-in for the loop simulator: an HTTP server on 127.0.0.1 that speaks the part of
 * GitHub's REST API that OctokitActions uses, keeps the state those calls change (issues and pull
 * requests, their labels and state, comments, reviews), and turns every write into the webhook
 * GitHub would send back: signed, with GitHub's headers, POSTed to each registered hook.
 *
 * Payloads are the recorded ones of @octokit/webhooks-examples (structuredClone'd), with the
 * repository, the thread, the ids, the times and the sender rewritten; everything else keeps
 * GitHub's recorded shape. The sender is whoever is authenticated: a REST write with the token of
 * `reynolds-sim[bot]` comes back as that bot (type Bot), and the bot's comment body comes back as
 * written, marker included. Scripted actors (people, other bots) act through the methods below,
 * which produce the same webhooks the REST routes do.
 *
 * Webhooks leave through `dispatch` when one is given (the simulator schedules them on its virtual
 * clock, as GitHub delivers a second or so after the write); otherwise right away.
 *
 * REST routes (anything else is 404, as GitHub answers):
 *   POST   /repos/:owner/:repo/issues/:n/comments        → issue_comment.created
 *   POST   /repos/:owner/:repo/issues/:n/labels          → issues|pull_request.labeled, per new label
 *   DELETE /repos/:owner/:repo/issues/:n/labels/:name    → issues|pull_request.unlabeled (404 if absent)
 *   PATCH  /repos/:owner/:repo/issues/:n                 → issues|pull_request.closed|reopened
 *   POST   /repos/:owner/:repo/pulls/:n/reviews          → pull_request_review.submitted
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import type { Clock } from '../../src/core/clock.js';
import { exampleOf, loadWebhookExamples } from '../../tests/support/webhook-examples.js';

type Json = Record<string, unknown>;

export interface Account {
  login: string;
  /** GitHub's `type`: App bots are `Bot`; token-driven bots are `User` too. */
  type: 'User' | 'Bot';
  id: number;
}

/** A webhook receiver, as a repository or App webhook is configured on GitHub. */
export interface Hook {
  name: string;
  url: string;
  secret: string;
  hookId: number;
  /** The App the hook belongs to (X-GitHub-Hook-Installation-Target-ID). */
  appId: number;
}

export interface Webhook {
  event: string;
  action?: string;
  deliveryId: string;
  payload: Json;
  sender: Account;
  repo: string;
  /** Issue or pull request number, when the event is about one. */
  number?: number;
  /** Virtual time it was produced. */
  at: number;
}

export interface HookStats {
  /** 2xx answers. */
  accepted: number;
  /** Anything else, or no answer. */
  failed: number;
  lastError?: string;
}

export interface StandInOptions {
  clock: Clock;
  /** API token → login it authenticates as (`reynolds-sim[bot]` for Reynolds's writes). */
  tokens?: Record<string, string>;
  hooks?: Hook[];
  /** Takes each webhook GitHub would send; default: deliver at once. */
  dispatch?: (webhook: Webhook) => void;
  installationId?: number;
}

interface Thread {
  repo: string;
  number: number;
  kind: 'issue' | 'pull';
  id: number;
  title: string;
  body: string | null;
  user: Account;
  state: 'open' | 'closed';
  labels: string[];
  comments: number;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  head?: { ref: string; sha: string };
  base?: { ref: string; sha: string };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The repository every recorded payload is about; rewritten to the simulated one. */
const TEMPLATE_REPO = 'Codertocat/Hello-World';
const ZERO_SHA = '0000000000000000000000000000000000000000';
/**
 * Webhooks with no recording of their own, built from the recording of the same shape: GitHub's
 * `issues.closed` payload is `issues.reopened`'s (issue + repository + sender), with the action.
 */
const TEMPLATE_STANDS_IN: Record<string, [string, string]> = {
  'issues.closed': ['issues', 'reopened'],
};
const REVIEW_STATE: Record<string, 'approved' | 'changes_requested' | 'commented'> = {
  APPROVE: 'approved',
  REQUEST_CHANGES: 'changes_requested',
  COMMENT: 'commented',
};

export class GitHubStandIn {
  readonly hooks: Hook[];
  readonly hookStats = new Map<string, HookStats>();
  /** Webhooks produced, by event.action. */
  readonly produced = new Map<string, number>();
  restCalls = 0;
  restErrors = 0;

  private server: Server | undefined;
  private baseUrl = '';
  private readonly accounts = new Map<string, Account>();
  private readonly tokens = new Map<string, string>();
  private readonly threads = new Map<string, Thread>();
  private readonly nextNumber = new Map<string, number>();
  private readonly listeners: ((webhook: Webhook) => void)[] = [];
  private readonly installationId: number;
  private nextId = 3_000_000_000;

  constructor(private readonly options: StandInOptions) {
    this.hooks = [...(options.hooks ?? [])];
    for (const hook of this.hooks) this.hookStats.set(hook.name, { accepted: 0, failed: 0 });
    for (const [token, login] of Object.entries(options.tokens ?? {}))
      this.tokens.set(token, login);
    this.installationId = options.installationId ?? 41_000_001;
  }

  /** Base URL for Octokit (`baseUrl`). */
  get url(): string {
    if (!this.server) throw new Error('the GitHub stand-in is not listening; call start() first');
    return this.baseUrl;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  addHook(hook: Hook): void {
    this.hooks.push(hook);
    this.hookStats.set(hook.name, { accepted: 0, failed: 0 });
  }

  addToken(token: string, login: string): void {
    this.tokens.set(token, login);
  }

  /** Called for every webhook at delivery time: the scripted actors' own "webhook". */
  onWebhook(listener: (webhook: Webhook) => void): void {
    this.listeners.push(listener);
  }

  /** `login` as GitHub shows it; `[bot]` logins are App bots (type Bot). */
  account(login: string): Account {
    let account = this.accounts.get(login);
    if (!account) {
      account = {
        login,
        type: login.endsWith('[bot]') ? 'Bot' : 'User',
        id: stableId(`user:${login}`),
      };
      this.accounts.set(login, account);
    }
    return account;
  }

  labelsOf(repo: string, number: number): string[] {
    return [...this.thread(repo, number).labels];
  }

  // ---- Scripted actors: each act changes the state and produces the webhook GitHub would send.

  /** An issue that already exists (no webhook): the stage a scenario starts on. */
  seedIssue(repo: string, author: string, title: string, kind: 'issue' | 'pull' = 'issue'): number {
    return this.newThread(repo, this.account(author), title, null, kind).number;
  }

  openIssue(actor: string, repo: string, title: string, body: string | null = null): Webhook {
    const thread = this.newThread(repo, this.account(actor), title, body, 'issue');
    return this.emit('issues', 'opened', thread.user, repo, thread.number, {
      issue: this.issueObject(thread),
    });
  }

  openPullRequest(
    actor: string,
    repo: string,
    spec: {
      title: string;
      body?: string;
      head: string;
      base?: string;
      sha: string;
      labels?: string[];
    },
  ): Webhook {
    const thread = this.newThread(repo, this.account(actor), spec.title, spec.body ?? null, 'pull');
    thread.head = { ref: spec.head, sha: spec.sha };
    thread.base = { ref: spec.base ?? 'main', sha: fakeSha(`${repo}:${spec.base ?? 'main'}`) };
    thread.labels = [...(spec.labels ?? [])];
    return this.emit('pull_request', 'opened', thread.user, repo, thread.number, {
      number: thread.number,
      pull_request: this.pullObject(thread),
    });
  }

  /** New commits on a pull request's branch. */
  synchronize(actor: string, repo: string, number: number, sha: string): Webhook {
    const thread = this.thread(repo, number, 'pull');
    const before = thread.head!.sha;
    thread.head = { ...thread.head!, sha };
    this.touch(thread);
    return this.emit('pull_request', 'synchronize', this.account(actor), repo, number, {
      number,
      before,
      after: sha,
      pull_request: this.pullObject(thread),
    });
  }

  comment(actor: string, repo: string, number: number, body: string): Webhook {
    return this.createComment(this.account(actor), repo, number, body).webhook;
  }

  /** Adds a label; undefined when it was already there (GitHub sends nothing then). */
  addLabel(actor: string, repo: string, number: number, name: string): Webhook | undefined {
    return this.addLabels(this.account(actor), repo, number, [name])[0];
  }

  /** Removes a label; undefined when it was not there. */
  removeLabel(actor: string, repo: string, number: number, name: string): Webhook | undefined {
    try {
      return this.deleteLabel(this.account(actor), repo, number, name);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  setState(
    actor: string,
    repo: string,
    number: number,
    state: 'open' | 'closed',
  ): Webhook | undefined {
    return this.updateState(this.account(actor), repo, number, state);
  }

  review(
    actor: string,
    repo: string,
    number: number,
    event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT',
    body = '',
  ): Webhook {
    return this.createReview(this.account(actor), repo, number, event, body);
  }

  reviewComment(
    actor: string,
    repo: string,
    number: number,
    body: string,
    path = 'src/index.ts',
  ): Webhook {
    const thread = this.thread(repo, number, 'pull');
    const user = this.account(actor);
    const template = this.template('pull_request_review_comment', 'created');
    const comment = structuredClone(template['comment']) as Json;
    const id = this.id();
    const now = this.now();
    Object.assign(comment, {
      id,
      node_id: nodeId('PRRC', id),
      pull_request_review_id: this.id(),
      path,
      commit_id: thread.head!.sha,
      original_commit_id: thread.head!.sha,
      user: this.userObject(user),
      body,
      created_at: now,
      updated_at: now,
      url: `https://api.github.com/repos/${repo}/pulls/comments/${id}`,
      html_url: `https://github.com/${repo}/pull/${number}#discussion_r${id}`,
      pull_request_url: `https://api.github.com/repos/${repo}/pulls/${number}`,
      author_association: user.type === 'Bot' ? 'NONE' : 'MEMBER',
    });
    this.touch(thread);
    return this.emit('pull_request_review_comment', 'created', user, repo, number, {
      comment,
      pull_request: this.pullObject(thread),
    });
  }

  checkRun(
    actor: string,
    repo: string,
    spec: {
      action: 'created' | 'completed';
      id?: number;
      sha: string;
      branch: string;
      name: string;
      conclusion?: 'success' | 'failure' | 'neutral' | 'skipped';
      pullNumbers?: number[];
      startedAt?: number;
    },
  ): Webhook {
    const app = this.account(actor);
    const template = this.template('check_run', spec.action, (p) =>
      Array.isArray(at(p, 'check_run', 'pull_requests')),
    );
    const run = structuredClone(template['check_run']) as Json;
    const id = spec.id ?? this.id();
    const now = this.now();
    const done = spec.action === 'completed';
    const pullRequests = (spec.pullNumbers ?? []).map((n) => ({
      url: `https://api.github.com/repos/${repo}/pulls/${n}`,
      id: stableId(`pr:${repo}#${n}`),
      number: n,
      head: { ref: spec.branch, sha: spec.sha },
      base: { ref: 'main', sha: fakeSha(`${repo}:main`) },
    }));
    Object.assign(run, {
      id,
      node_id: nodeId('CR', id),
      head_sha: spec.sha,
      external_id: '',
      url: `https://api.github.com/repos/${repo}/check-runs/${id}`,
      html_url: `https://github.com/${repo}/runs/${id}`,
      details_url: `https://github.com/${repo}/actions/runs/${id}`,
      status: done ? 'completed' : 'queued',
      conclusion: done ? (spec.conclusion ?? 'success') : null,
      started_at: spec.startedAt !== undefined ? iso(spec.startedAt) : now,
      completed_at: done ? now : null,
      name: spec.name,
      app: this.appObject(app),
      pull_requests: pullRequests,
    });
    const suite = record(run['check_suite']);
    if (suite)
      Object.assign(suite, {
        head_branch: spec.branch,
        head_sha: spec.sha,
        after: spec.sha,
        app: this.appObject(app),
        pull_requests: pullRequests,
        updated_at: now,
      });
    return this.emit('check_run', spec.action, app, repo, undefined, { check_run: run });
  }

  status(
    actor: string,
    repo: string,
    spec: {
      sha: string;
      context: string;
      state: 'pending' | 'success' | 'failure' | 'error';
      description?: string;
      branch?: string;
    },
  ): Webhook {
    const sender = this.account(actor);
    const payload = structuredClone(this.template('status', undefined)) as Json;
    const id = this.id();
    const now = this.now();
    const commit = record(payload['commit']);
    if (commit) {
      const author = this.account(`dev-${spec.sha.slice(0, 4)}`); // whoever wrote the commit; not the status sender
      const person = {
        name: author.login,
        email: `${author.id}+${author.login}@users.noreply.github.com`,
        date: now,
      };
      const inner = record(commit['commit']);
      if (inner)
        Object.assign(inner, {
          author: person,
          committer: { name: 'GitHub', email: 'noreply@github.com', date: now },
          message: 'Update dependencies',
          url: `https://api.github.com/repos/${repo}/git/commits/${spec.sha}`,
          verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
        });
      Object.assign(commit, {
        sha: spec.sha,
        node_id: nodeId('C_', stableId(spec.sha)),
        url: `https://api.github.com/repos/${repo}/commits/${spec.sha}`,
        html_url: `https://github.com/${repo}/commit/${spec.sha}`,
        comments_url: `https://api.github.com/repos/${repo}/commits/${spec.sha}/comments`,
        author: this.userObject(author),
        committer: this.userObject(this.account('web-flow')),
      });
    }
    return this.emitPayload('status', sender, repo, undefined, {
      ...payload,
      id,
      sha: spec.sha,
      name: repo,
      target_url: `https://app.codecov.io/gh/${repo}/commit/${spec.sha}`,
      context: spec.context,
      description: spec.description ?? null,
      state: spec.state,
      commit,
      branches: spec.branch
        ? [
            {
              name: spec.branch,
              commit: {
                sha: spec.sha,
                url: `https://api.github.com/repos/${repo}/commits/${spec.sha}`,
              },
              protected: spec.branch === 'main',
            },
          ]
        : [],
      created_at: now,
      updated_at: now,
    });
  }

  push(
    actor: string,
    repo: string,
    spec: {
      ref: string;
      after: string;
      before?: string;
      message: string;
      created?: boolean;
      forced?: boolean;
    },
  ): Webhook {
    const sender = this.account(actor);
    const payload = structuredClone(
      this.template('push', undefined, (p) => record(p['head_commit']) !== undefined),
    ) as Json;
    const now = this.now();
    const author = {
      name: sender.login,
      email: `${sender.id}+${sender.login}@users.noreply.github.com`,
      username: sender.login,
    };
    const commit = {
      id: spec.after,
      tree_id: fakeSha(`tree:${spec.after}`),
      distinct: true,
      message: spec.message,
      timestamp: now.replace('Z', '+00:00'),
      url: `https://github.com/${repo}/commit/${spec.after}`,
      author,
      committer: author,
      added: [],
      removed: [],
      modified: ['README.md'],
    };
    const short = (sha: string) => sha.slice(0, 12);
    const before =
      spec.before ?? (spec.created ? ZERO_SHA : fakeSha(`${spec.ref}:before:${spec.after}`));
    return this.emitPayload('push', sender, repo, undefined, {
      ...payload,
      ref: spec.ref,
      before,
      after: spec.after,
      created: spec.created ?? false,
      deleted: false,
      forced: spec.forced ?? false,
      base_ref: null,
      compare: spec.created
        ? `https://github.com/${repo}/compare/${spec.ref.replace(/^refs\/(heads|tags)\//, '')}`
        : `https://github.com/${repo}/compare/${short(before)}...${short(spec.after)}`,
      commits: spec.ref.startsWith('refs/tags/') ? [] : [commit],
      head_commit: commit,
      pusher: { name: sender.login, email: author.email },
    });
  }

  createRef(actor: string, repo: string, ref: string, refType: 'branch' | 'tag'): Webhook {
    const sender = this.account(actor);
    const payload = structuredClone(this.template('create', undefined)) as Json;
    return this.emitPayload('create', sender, repo, undefined, {
      ...payload,
      ref,
      ref_type: refType,
      master_branch: 'main',
      description: null,
      pusher_type: sender.type === 'Bot' ? 'deploy_key' : 'user',
    });
  }

  release(
    actor: string,
    repo: string,
    spec: {
      action: 'created' | 'published';
      tag: string;
      id?: number;
      name?: string;
      body?: string;
      prerelease?: boolean;
    },
  ): Webhook {
    const author = this.account(actor);
    const release = structuredClone(this.template('release', spec.action)['release']) as Json;
    const id = spec.id ?? stableId(`release:${repo}:${spec.tag}`);
    const now = this.now();
    Object.assign(release, {
      id,
      node_id: nodeId('RE', id),
      url: `https://api.github.com/repos/${repo}/releases/${id}`,
      assets_url: `https://api.github.com/repos/${repo}/releases/${id}/assets`,
      upload_url: `https://uploads.github.com/repos/${repo}/releases/${id}/assets{?name,label}`,
      html_url: `https://github.com/${repo}/releases/tag/${spec.tag}`,
      tarball_url: `https://api.github.com/repos/${repo}/tarball/${spec.tag}`,
      zipball_url: `https://api.github.com/repos/${repo}/zipball/${spec.tag}`,
      tag_name: spec.tag,
      target_commitish: 'main',
      name: spec.name ?? spec.tag,
      draft: false,
      prerelease: spec.prerelease ?? false,
      author: this.userObject(author),
      created_at: now,
      published_at: spec.action === 'published' ? now : null,
      assets: [],
      body: spec.body ?? null,
    });
    return this.emit('release', spec.action, author, repo, undefined, { release });
  }

  deployment(
    actor: string,
    repo: string,
    spec: { sha: string; ref: string; environment: string },
  ): { webhook: Webhook; id: number } {
    const creator = this.account(actor);
    const id = this.id();
    const deployment = this.deploymentObject(repo, id, creator, spec);
    return {
      webhook: this.emit('deployment', 'created', creator, repo, undefined, { deployment }),
      id,
    };
  }

  deploymentStatus(
    actor: string,
    repo: string,
    spec: {
      deploymentId: number;
      sha: string;
      ref: string;
      environment: string;
      state: 'queued' | 'in_progress' | 'success' | 'failure';
    },
  ): Webhook {
    const creator = this.account(actor);
    const status = structuredClone(
      this.template('deployment_status', 'created')['deployment_status'],
    ) as Json;
    const id = this.id();
    const now = this.now();
    Object.assign(status, {
      id,
      node_id: nodeId('DES', id),
      url: `https://api.github.com/repos/${repo}/deployments/${spec.deploymentId}/statuses/${id}`,
      state: spec.state,
      creator: this.userObject(creator),
      description: `Deployment ${spec.state.replace('_', ' ')}`,
      environment: spec.environment,
      target_url: `https://github.com/${repo}/actions/runs/${spec.deploymentId}`,
      created_at: now,
      updated_at: now,
      deployment_url: `https://api.github.com/repos/${repo}/deployments/${spec.deploymentId}`,
      repository_url: `https://api.github.com/repos/${repo}`,
    });
    const deployment = this.deploymentObject(repo, spec.deploymentId, creator, spec);
    return this.emit('deployment_status', 'created', creator, repo, undefined, {
      deployment_status: status,
      deployment,
    });
  }

  // ---- Delivery

  /** Delivers one webhook: signed POST to every hook (in order), then the in-process listeners. */
  async deliver(webhook: Webhook): Promise<void> {
    const body = JSON.stringify(webhook.payload);
    for (const hook of this.hooks) {
      const stats = this.hookStats.get(hook.name)!;
      try {
        const response = await fetch(hook.url, {
          method: 'POST',
          headers: {
            accept: '*/*',
            'content-type': 'application/json',
            'user-agent': 'GitHub-Hookshot/5c2a3b1',
            'x-github-event': webhook.event,
            'x-github-delivery': webhook.deliveryId,
            'x-github-hook-id': String(hook.hookId),
            'x-github-hook-installation-target-type': 'integration',
            'x-github-hook-installation-target-id': String(hook.appId),
            'x-hub-signature': `sha1=${createHmac('sha1', hook.secret).update(body).digest('hex')}`,
            'x-hub-signature-256': await sign(hook.secret, body),
          },
          body,
        });
        await response.arrayBuffer();
        if (response.ok) stats.accepted += 1;
        else {
          stats.failed += 1;
          stats.lastError = `${webhook.event}.${webhook.action ?? ''} → HTTP ${response.status}`;
        }
      } catch (error) {
        stats.failed += 1;
        stats.lastError = `${webhook.event}.${webhook.action ?? ''} → ${(error as Error).message}`;
      }
    }
    for (const listener of this.listeners) listener(webhook);
  }

  // ---- REST

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.restCalls += 1;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as unknown) : {};
      const actor = this.authenticate(req.headers.authorization);
      const { status, json } = this.route(
        req.method ?? 'GET',
        new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
        body,
        actor,
      );
      send(res, status, json);
    } catch (error) {
      this.restErrors += 1;
      const status =
        error instanceof HttpError ? error.status : error instanceof SyntaxError ? 400 : 500;
      send(res, status, {
        message: error instanceof Error ? error.message : String(error),
        documentation_url: 'https://docs.github.com/rest',
      });
    }
  }

  private authenticate(header: string | undefined): Account {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
    if (!match) throw new HttpError(401, 'Requires authentication');
    const login = this.tokens.get(match[1]!);
    if (!login) throw new HttpError(401, 'Bad credentials');
    return this.account(login);
  }

  private route(
    method: string,
    path: string,
    body: unknown,
    actor: Account,
  ): { status: number; json: unknown } {
    const issue =
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)(\/comments|\/labels(?:\/([^/]+))?)?$/.exec(path);
    const review = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/.exec(path);
    const input = record(body) ?? {};
    if (issue) {
      const repo = `${decodeURIComponent(issue[1]!)}/${decodeURIComponent(issue[2]!)}`;
      const number = Number(issue[3]);
      const sub = issue[4];
      if (sub === '/comments' && method === 'POST') {
        if (typeof input['body'] !== 'string' || input['body'] === '')
          throw new HttpError(422, 'Validation Failed: body is missing');
        return {
          status: 201,
          json: this.createComment(actor, repo, number, input['body']).comment,
        };
      }
      if (sub === '/labels' && method === 'POST') {
        const raw = Array.isArray(body) ? body : input['labels'];
        const names = Array.isArray(raw)
          ? raw
              .map((l) => (typeof l === 'string' ? l : String(record(l)?.['name'] ?? '')))
              .filter((l) => l !== '')
          : [];
        if (names.length === 0) throw new HttpError(422, 'Validation Failed: labels are missing');
        this.addLabels(actor, repo, number, names);
        return {
          status: 200,
          json: this.thread(repo, number).labels.map((name) => this.labelObject(repo, name)),
        };
      }
      if (sub?.startsWith('/labels/') && method === 'DELETE') {
        this.deleteLabel(actor, repo, number, decodeURIComponent(issue[5]!));
        return {
          status: 200,
          json: this.thread(repo, number).labels.map((name) => this.labelObject(repo, name)),
        };
      }
      if (sub === undefined && method === 'PATCH') {
        const state = input['state'];
        if (state === 'open' || state === 'closed') this.updateState(actor, repo, number, state);
        else if (state !== undefined)
          throw new HttpError(422, 'Validation Failed: state must be open or closed');
        const thread = this.thread(repo, number);
        return { status: 200, json: this.issueObject(thread) };
      }
    }
    if (review && method === 'POST') {
      const repo = `${decodeURIComponent(review[1]!)}/${decodeURIComponent(review[2]!)}`;
      const event = input['event'];
      if (event !== 'APPROVE' && event !== 'REQUEST_CHANGES' && event !== 'COMMENT')
        throw new HttpError(
          422,
          'Validation Failed: event must be APPROVE, REQUEST_CHANGES or COMMENT',
        );
      const text = typeof input['body'] === 'string' ? input['body'] : '';
      const webhook = this.createReview(actor, repo, Number(review[3]), event, text);
      return {
        status: 200,
        json: {
          ...(record(webhook.payload['review']) ?? {}),
          state:
            event === 'APPROVE'
              ? 'APPROVED'
              : event === 'REQUEST_CHANGES'
                ? 'CHANGES_REQUESTED'
                : 'COMMENTED',
        },
      };
    }
    throw new HttpError(404, 'Not Found');
  }

  // ---- Writes shared by the REST routes and the scripted actors

  private createComment(
    user: Account,
    repo: string,
    number: number,
    body: string,
  ): { comment: Json; webhook: Webhook } {
    const thread = this.thread(repo, number);
    const comment = structuredClone(this.template('issue_comment', 'created')['comment']) as Json;
    const id = this.id();
    const now = this.now();
    Object.assign(comment, {
      id,
      node_id: nodeId('IC', id),
      url: `https://api.github.com/repos/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${repo}/${thread.kind === 'pull' ? 'pull' : 'issues'}/${number}#issuecomment-${id}`,
      issue_url: `https://api.github.com/repos/${repo}/issues/${number}`,
      user: this.userObject(user),
      created_at: now,
      updated_at: now,
      author_association: user.type === 'Bot' ? 'NONE' : 'MEMBER',
      body,
      performed_via_github_app: null,
    });
    thread.comments += 1;
    this.touch(thread);
    const webhook = this.emit('issue_comment', 'created', user, repo, number, {
      issue: this.issueObject(thread),
      comment,
    });
    return { comment, webhook };
  }

  private addLabels(user: Account, repo: string, number: number, names: string[]): Webhook[] {
    const thread = this.thread(repo, number);
    const added = [...new Set(names)].filter((name) => !thread.labels.includes(name));
    return added.map((name) => {
      thread.labels.push(name);
      this.touch(thread);
      return this.emitThread(thread, 'labeled', user, { label: this.labelObject(repo, name) });
    });
  }

  private deleteLabel(user: Account, repo: string, number: number, name: string): Webhook {
    const thread = this.thread(repo, number);
    const index = thread.labels.indexOf(name);
    if (index < 0) throw new HttpError(404, 'Label does not exist');
    thread.labels.splice(index, 1);
    this.touch(thread);
    return this.emitThread(thread, 'unlabeled', user, { label: this.labelObject(repo, name) });
  }

  /** GitHub sends nothing when the state does not change. */
  private updateState(
    user: Account,
    repo: string,
    number: number,
    state: 'open' | 'closed',
  ): Webhook | undefined {
    const thread = this.thread(repo, number);
    if (thread.state === state) return undefined;
    thread.state = state;
    this.touch(thread);
    thread.closedAt = state === 'closed' ? thread.updatedAt : null;
    return this.emitThread(thread, state === 'closed' ? 'closed' : 'reopened', user, {});
  }

  private createReview(
    user: Account,
    repo: string,
    number: number,
    event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT',
    body: string,
  ): Webhook {
    const thread = this.thread(repo, number, 'pull');
    if (event !== 'APPROVE' && body.trim() === '')
      throw new HttpError(422, `Unprocessable Entity: body is required for ${event}`);
    const review = structuredClone(
      this.template('pull_request_review', 'submitted')['review'],
    ) as Json;
    const id = this.id();
    Object.assign(review, {
      id,
      node_id: nodeId('PRR', id),
      user: this.userObject(user),
      body: body === '' ? null : body,
      commit_id: thread.head!.sha,
      submitted_at: this.now(),
      state: REVIEW_STATE[event],
      html_url: `https://github.com/${repo}/pull/${number}#pullrequestreview-${id}`,
      pull_request_url: `https://api.github.com/repos/${repo}/pulls/${number}`,
      author_association: user.type === 'Bot' ? 'NONE' : 'MEMBER',
      _links: {
        html: { href: `https://github.com/${repo}/pull/${number}#pullrequestreview-${id}` },
        pull_request: { href: `https://api.github.com/repos/${repo}/pulls/${number}` },
      },
    });
    this.touch(thread);
    return this.emit('pull_request_review', 'submitted', user, repo, number, {
      review,
      pull_request: this.pullObject(thread),
    });
  }

  // ---- Payload assembly

  /** A change to an issue or pull request: `issues.*` for issues, `pull_request.*` for PRs, as GitHub does. */
  private emitThread(thread: Thread, action: string, user: Account, extra: Json): Webhook {
    if (thread.kind === 'pull')
      return this.emit('pull_request', action, user, thread.repo, thread.number, {
        number: thread.number,
        pull_request: this.pullObject(thread),
        ...extra,
      });
    return this.emit('issues', action, user, thread.repo, thread.number, {
      issue: this.issueObject(thread),
      ...extra,
    });
  }

  private emit(
    event: string,
    action: string,
    sender: Account,
    repo: string,
    number: number | undefined,
    fields: Json,
  ): Webhook {
    return this.emitPayload(event, sender, repo, number, { action, ...fields }, action);
  }

  private emitPayload(
    event: string,
    sender: Account,
    repo: string,
    number: number | undefined,
    fields: Json,
    action?: string,
  ): Webhook {
    const template = this.template(event, action);
    const { enterprise: _enterprise, ...recorded } = template; // an org repository, not an enterprise one
    const payload: Json = {
      ...structuredClone(recorded),
      ...fields,
      repository: this.repositoryObject(repo, template, event === 'push'),
      organization: this.organizationObject(repo),
      sender: this.userObject(sender),
      installation: {
        id: this.installationId,
        node_id: nodeId('MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u', this.installationId),
      },
    };
    const webhook: Webhook = {
      event,
      deliveryId: randomUUID(),
      payload: rewriteRepo(payload, repo) as Json,
      sender,
      repo,
      at: this.options.clock.now(),
      ...(action !== undefined && { action }),
      ...(number !== undefined && { number }),
    };
    const key = `${event}${action ? `.${action}` : ''}`;
    this.produced.set(key, (this.produced.get(key) ?? 0) + 1);
    if (this.options.dispatch) this.options.dispatch(webhook);
    else queueMicrotask(() => void this.deliver(webhook));
    return webhook;
  }

  /** The first recorded payload of (event, action); recorded under Codertocat/Hello-World. */
  private template(
    event: string,
    action: string | undefined,
    where?: (payload: Json) => boolean,
  ): Json {
    const [recordedEvent, recordedAction] = TEMPLATE_STANDS_IN[`${event}.${action ?? ''}`] ?? [
      event,
      action,
    ];
    return exampleOf(recordedEvent, recordedAction, where).payload;
  }

  private repositoryObject(repo: string, template: Json, forPush: boolean): Json {
    const [owner, name] = repo.split('/') as [string, string];
    const repository = structuredClone(
      record(template['repository']) ?? record(this.template('issues', 'opened')['repository'])!,
    ) as Json;
    const id = stableId(`repo:${repo}`);
    Object.assign(repository, {
      id,
      node_id: nodeId('R', id),
      name,
      full_name: repo,
      private: false,
      owner: { ...this.organizationObject(repo), type: 'Organization' },
      html_url: `https://github.com/${repo}`,
      url: `https://api.github.com/repos/${repo}`,
      default_branch: 'main',
      master_branch: forPush ? 'main' : undefined,
      // push payloads carry unix seconds here, every other event an ISO string.
      pushed_at: forPush ? Math.floor(this.options.clock.now() / 1000) : this.now(),
    });
    if (!forPush) delete repository['master_branch'];
    return rewriteOwner(repository, owner);
  }

  private organizationObject(repo: string): Json {
    const owner = repo.split('/')[0]!;
    const id = stableId(`org:${owner}`);
    return {
      login: owner,
      id,
      node_id: nodeId('O', id),
      url: `https://api.github.com/orgs/${owner}`,
      repos_url: `https://api.github.com/orgs/${owner}/repos`,
      events_url: `https://api.github.com/orgs/${owner}/events`,
      hooks_url: `https://api.github.com/orgs/${owner}/hooks`,
      issues_url: `https://api.github.com/orgs/${owner}/issues`,
      members_url: `https://api.github.com/orgs/${owner}/members{/member}`,
      public_members_url: `https://api.github.com/orgs/${owner}/public_members{/member}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      description: null,
    };
  }

  private userObject(account: Account): Json {
    const user = structuredClone(
      record(this.template('issue_comment', 'created')['sender'])!,
    ) as Json;
    const path = encodeURIComponent(account.login);
    for (const [key, value] of Object.entries(user)) {
      if (typeof value === 'string' && value.includes('/users/Codertocat'))
        user[key] = value.replace('/users/Codertocat', `/users/${path}`);
    }
    return Object.assign(user, {
      login: account.login,
      id: account.id,
      node_id: nodeId(account.type === 'Bot' ? 'BOT_' : 'U_', account.id),
      avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
      html_url:
        account.type === 'Bot'
          ? `https://github.com/apps/${account.login.replace(/\[bot\]$/, '')}`
          : `https://github.com/${account.login}`,
      type: account.type,
      site_admin: false,
    });
  }

  /** The GitHub App behind a `[bot]` account, as check runs name it. */
  private appObject(bot: Account): Json {
    const slug = bot.login.replace(/\[bot\]$/, '');
    const base = structuredClone(
      record(at(this.template('check_run', 'completed'), 'check_run', 'app'))!,
    ) as Json;
    const id = stableId(`app:${slug}`);
    return Object.assign(base, {
      id,
      slug,
      node_id: nodeId('A', id),
      name: slug
        .split('-')
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join(' '),
      owner: {
        login: slug === 'github-actions' ? 'github' : slug,
        id: stableId(`org:${slug}`),
        type: 'Organization',
      },
      html_url: `https://github.com/apps/${slug}`,
      external_url: `https://github.com/apps/${slug}`,
    });
  }

  private labelObject(repo: string, name: string): Json {
    const label = structuredClone(record(this.template('issues', 'labeled')['label'])!) as Json;
    const id = stableId(`label:${repo}:${name}`);
    return Object.assign(label, {
      id,
      node_id: nodeId('LA', id),
      url: `https://api.github.com/repos/${repo}/labels/${encodeURIComponent(name)}`,
      name,
      color: colorOf(name),
      default: false,
      description: null,
    });
  }

  private issueObject(thread: Thread): Json {
    const template = record(this.template('issues', 'opened')['issue'])!;
    const issue = renumber(structuredClone(template), Number(template['number']), thread.number);
    const { repo, number } = thread;
    Object.assign(issue, {
      url: `https://api.github.com/repos/${repo}/issues/${number}`,
      repository_url: `https://api.github.com/repos/${repo}`,
      labels_url: `https://api.github.com/repos/${repo}/issues/${number}/labels{/name}`,
      comments_url: `https://api.github.com/repos/${repo}/issues/${number}/comments`,
      events_url: `https://api.github.com/repos/${repo}/issues/${number}/events`,
      html_url: `https://github.com/${repo}/${thread.kind === 'pull' ? 'pull' : 'issues'}/${number}`,
      id: thread.id,
      node_id: nodeId(thread.kind === 'pull' ? 'PR_' : 'I_', thread.id),
      number,
      title: thread.title,
      user: this.userObject(thread.user),
      labels: thread.labels.map((name) => this.labelObject(repo, name)),
      state: thread.state,
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: thread.comments,
      created_at: thread.createdAt,
      updated_at: thread.updatedAt,
      closed_at: thread.closedAt,
      author_association: thread.user.type === 'Bot' ? 'NONE' : 'MEMBER',
      body: thread.body,
      performed_via_github_app: null,
    });
    if (thread.kind === 'pull') {
      issue['pull_request'] = {
        url: `https://api.github.com/repos/${repo}/pulls/${number}`,
        html_url: `https://github.com/${repo}/pull/${number}`,
        diff_url: `https://github.com/${repo}/pull/${number}.diff`,
        patch_url: `https://github.com/${repo}/pull/${number}.patch`,
        merged_at: null,
      };
    } else delete issue['pull_request'];
    return issue;
  }

  private pullObject(thread: Thread): Json {
    const template = record(this.template('pull_request', 'opened')['pull_request'])!;
    const pr = renumber(structuredClone(template), Number(template['number']), thread.number);
    const { repo, number } = thread;
    const head = record(pr['head']) ?? {};
    const base = record(pr['base']) ?? {};
    const owner = repo.split('/')[0]!;
    Object.assign(head, {
      label: `${owner}:${thread.head!.ref}`,
      ref: thread.head!.ref,
      sha: thread.head!.sha,
      user: this.userObject(thread.user),
      repo: null,
    });
    Object.assign(base, {
      label: `${owner}:${thread.base!.ref}`,
      ref: thread.base!.ref,
      sha: thread.base!.sha,
      user: this.organizationObject(repo),
      repo: null,
    });
    return Object.assign(pr, {
      url: `https://api.github.com/repos/${repo}/pulls/${number}`,
      id: thread.id,
      node_id: nodeId('PR_', thread.id),
      html_url: `https://github.com/${repo}/pull/${number}`,
      diff_url: `https://github.com/${repo}/pull/${number}.diff`,
      patch_url: `https://github.com/${repo}/pull/${number}.patch`,
      issue_url: `https://api.github.com/repos/${repo}/issues/${number}`,
      number,
      state: thread.state,
      locked: false,
      title: thread.title,
      user: this.userObject(thread.user),
      body: thread.body,
      created_at: thread.createdAt,
      updated_at: thread.updatedAt,
      closed_at: thread.closedAt,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      labels: thread.labels.map((name) => this.labelObject(repo, name)),
      milestone: null,
      head,
      base,
      author_association: thread.user.type === 'Bot' ? 'NONE' : 'MEMBER',
      draft: false,
      merged: false,
      mergeable: null,
      merged_by: null,
      comments: thread.comments,
    });
  }

  private deploymentObject(
    repo: string,
    id: number,
    creator: Account,
    spec: { sha: string; ref: string; environment: string },
  ): Json {
    const deployment = structuredClone(
      this.template('deployment', 'created')['deployment'],
    ) as Json;
    const now = this.now();
    return Object.assign(deployment, {
      url: `https://api.github.com/repos/${repo}/deployments/${id}`,
      id,
      node_id: nodeId('DE', id),
      sha: spec.sha,
      ref: spec.ref,
      task: 'deploy',
      payload: {},
      original_environment: spec.environment,
      environment: spec.environment,
      description: null,
      creator: this.userObject(creator),
      created_at: now,
      updated_at: now,
      statuses_url: `https://api.github.com/repos/${repo}/deployments/${id}/statuses`,
      repository_url: `https://api.github.com/repos/${repo}`,
    });
  }

  // ---- State helpers

  private newThread(
    repo: string,
    user: Account,
    title: string,
    body: string | null,
    kind: 'issue' | 'pull',
  ): Thread {
    const number = (this.nextNumber.get(repo) ?? 0) + 1;
    this.nextNumber.set(repo, number);
    const now = this.now();
    const thread: Thread = {
      repo,
      number,
      kind,
      id: this.id(),
      title,
      body,
      user,
      state: 'open',
      labels: [],
      comments: 0,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    if (kind === 'pull') {
      thread.head = { ref: `topic-${number}`, sha: fakeSha(`${repo}#${number}`) };
      thread.base = { ref: 'main', sha: fakeSha(`${repo}:main`) };
    }
    this.threads.set(`${repo}#${number}`, thread);
    return thread;
  }

  private thread(repo: string, number: number, kind?: 'pull'): Thread {
    const thread = this.threads.get(`${repo}#${number}`);
    if (!thread || (kind === 'pull' && thread.kind !== 'pull'))
      throw new HttpError(404, 'Not Found');
    return thread;
  }

  private touch(thread: Thread): void {
    thread.updatedAt = this.now();
  }

  private now(): string {
    return iso(this.options.clock.now());
  }

  private id(): number {
    this.nextId += 1;
    return this.nextId;
  }
}

/** Every recorded payload the stand-in can build from exists; checked once, so a typo fails fast. */
export function checkTemplates(): void {
  const wanted: [string, string | undefined][] = [
    ['issues', 'opened'],
    ['issues', 'labeled'],
    ['issues', 'unlabeled'],
    ['issues', 'reopened'], // also issues.closed
    ['issue_comment', 'created'],
    ['pull_request', 'opened'],
    ['pull_request', 'labeled'],
    ['pull_request', 'unlabeled'],
    ['pull_request', 'closed'],
    ['pull_request', 'reopened'],
    ['pull_request', 'synchronize'],
    ['pull_request_review', 'submitted'],
    ['pull_request_review_comment', 'created'],
    ['check_run', 'created'],
    ['check_run', 'completed'],
    ['status', undefined],
    ['push', undefined],
    ['create', undefined],
    ['release', 'created'],
    ['release', 'published'],
    ['deployment', 'created'],
    ['deployment_status', 'created'],
  ];
  const examples = loadWebhookExamples();
  for (const [event, action] of wanted) {
    if (!examples.some((e) => e.event === event && e.action === action))
      throw new Error(`no recorded ${event}.${action ?? ''} payload to build from`);
  }
}

function send(res: ServerResponse, status: number, json: unknown): void {
  const body = JSON.stringify(json);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-github-request-id': randomUUID().slice(0, 18).toUpperCase(),
  });
  res.end(body);
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = record(current)?.[key];
  return current;
}

/** GitHub's timestamps: ISO 8601 in UTC, to the second. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stable positive id for a name, so one login always has one id across a run. */
function stableId(text: string): number {
  return 10_000_000 + (createHash('sha1').update(text).digest().readUInt32BE(0) % 2_000_000_000);
}

export function fakeSha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}${Buffer.from(String(id)).toString('base64url')}`;
}

function colorOf(name: string): string {
  return createHash('sha1').update(name).digest('hex').slice(0, 6);
}

/** Rewrites every string of a recorded payload that names the recorded repository. */
function rewriteRepo(value: unknown, repo: string): unknown {
  if (typeof value === 'string')
    return value.includes(TEMPLATE_REPO) ? value.split(TEMPLATE_REPO).join(repo) : value;
  if (Array.isArray(value)) return value.map((v) => rewriteRepo(v, repo));
  if (typeof value === 'object' && value !== null) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteRepo(v, repo);
    return out;
  }
  return value;
}

function rewriteOwner(repository: Json, owner: string): Json {
  for (const [key, value] of Object.entries(repository)) {
    if (typeof value === 'string' && value.includes('/users/Codertocat'))
      repository[key] = value.replace('/users/Codertocat', `/users/${owner}`);
  }
  return repository;
}

/** Moves the URLs of a recorded issue or PR from its recorded number to ours. */
function renumber(object: Json, from: number, to: number): Json {
  const pattern = new RegExp(`/(issues|pulls|pull)/${from}(?=$|[/#?.{])`, 'g');
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(pattern, `/$1/${to}`);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) {
      const out: Json = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v);
      return out;
    }
    return value;
  };
  return walk(object) as Json;
}
