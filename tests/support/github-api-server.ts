/**
 * A stand-in for GitHub's REST API on a random loopback port, speaking its wire format: status,
 * headers (content-type, x-ratelimit-*, retry-after), JSON bodies and GitHub's error bodies. It
 * replays recorded real responses from @octokit/fixtures scenarios, plus routes a test adds, and
 * plays a GitHub App's token endpoints (JWTs checked with the App's public key).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { jwtVerify } from 'jose';

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
}

type Handler = (request: SeenRequest, url: URL) => ApiResponse | Promise<ApiResponse>;

interface Route {
  method: string;
  pathname: string | RegExp;
  /** Query parameters the request must carry (recorded fixtures name theirs). */
  query?: URLSearchParams;
  handler: Handler;
}

const NOT_FOUND = {
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest',
  status: '404',
};
const BAD_CREDENTIALS = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401',
};
/** Hop-by-hop and length headers of a recording are the server's to set, not the fixture's. */
const DROPPED_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'content-encoding',
]);

const require = createRequire(import.meta.url);
const FIXTURES = path.dirname(require.resolve('@octokit/fixtures/package.json'));

interface FixtureEntry {
  method: string;
  path: string;
  status: number;
  response: unknown;
  headers: Record<string, string>;
}

export function fixtureEntries(scenario: string): FixtureEntry[] {
  return JSON.parse(
    readFileSync(
      path.join(FIXTURES, 'scenarios', 'api.github.com', scenario, 'normalized-fixture.json'),
      'utf8',
    ),
  ) as FixtureEntry[];
}

export class GitHubApiServer {
  readonly requests: SeenRequest[] = [];
  private readonly routes: Route[] = [];
  private server?: Server;
  /** Accepted `authorization` headers; empty: any. */
  readonly tokens = new Set<string>();
  private app?: { id: number; publicKey: KeyObject; installations: Map<string, number> };
  /** Prefix every route lives under (`/api/v3` plays a GitHub Enterprise Server). */
  constructor(private readonly prefix = '') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.answer(req).then(
        ({ status, body, headers }) => {
          res.writeHead(status, { ...defaultHeaders(), ...headers });
          res.end(body === undefined ? undefined : JSON.stringify(body));
        },
        (error: unknown) => {
          res.writeHead(500, defaultHeaders()).end(JSON.stringify({ message: String(error) }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${this.prefix}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Replays every response of a recorded @octokit/fixtures scenario. */
  replay(scenario: string): this {
    for (const entry of fixtureEntries(scenario)) {
      const target = new URL(entry.path, 'http://github.test');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(entry.headers))
        if (!DROPPED_HEADERS.has(k.toLowerCase())) headers[k] = String(v);
      this.routes.push({
        method: entry.method.toUpperCase(),
        pathname: target.pathname,
        query: target.searchParams,
        handler: () => ({ status: entry.status, body: entry.response, headers }),
      });
    }
    return this;
  }

  on(method: string, pathname: string | RegExp, response: ApiResponse | Handler): this {
    this.routes.unshift({
      method,
      pathname,
      handler: typeof response === 'function' ? response : () => response,
    });
    return this;
  }

  /** Plays a GitHub App: JWT-authenticated installation look-ups and installation tokens. */
  actAsApp(id: number, publicKeyPem: string, installations: Record<string, number>): this {
    this.app = {
      id,
      publicKey: createPublicKey(publicKeyPem),
      installations: new Map(Object.entries(installations).map(([k, v]) => [k.toLowerCase(), v])),
    };
    return this;
  }

  count(method: string, pathPrefix: string): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix)).length;
  }

  private async answer(req: IncomingMessage): Promise<ApiResponse> {
    const url = new URL(req.url ?? '/', 'http://github.test');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    this.requests.push(seen);
    for await (const _ of req); // drain the body
    if (!url.pathname.startsWith(this.prefix)) return { status: 404, body: NOT_FOUND };
    const pathname = url.pathname.slice(this.prefix.length) || '/';
    const appAnswer = await this.answerAsApp(seen, pathname);
    if (appAnswer) return appAnswer;
    if (this.tokens.size > 0 && !this.tokens.has(seen.authorization ?? ''))
      return { status: 401, body: BAD_CREDENTIALS };
    const route = this.routes.find(
      (r) => r.method === seen.method && matches(r, pathname, url.searchParams),
    );
    if (!route) return { status: 404, body: NOT_FOUND };
    return route.handler(seen, url);
  }

  private async answerAsApp(seen: SeenRequest, pathname: string): Promise<ApiResponse | undefined> {
    if (!this.app) return undefined;
    const tokenPath = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(pathname);
    const repoPath = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(pathname);
    const ownerPath = /^\/(?:orgs|users)\/([^/]+)\/installation$/.exec(pathname);
    if (!tokenPath && !repoPath && !ownerPath) return undefined;
    try {
      const jwt = (seen.authorization ?? '').replace(/^bearer /i, '');
      const { payload } = await jwtVerify(jwt, this.app.publicKey, { algorithms: ['RS256'] });
      if (String(payload.iss) !== String(this.app.id)) throw new Error('wrong issuer');
    } catch {
      return {
        status: 401,
        body: {
          message: 'A JSON web token could not be decoded',
          documentation_url: 'https://docs.github.com/rest',
        },
      };
    }
    if (tokenPath && seen.method === 'POST') {
      const id = Number(tokenPath[1]);
      if (![...this.app.installations.values()].includes(id))
        return { status: 404, body: NOT_FOUND };
      this.tokens.add(`token ghs_installation_${id}`);
      return {
        status: 201,
        body: {
          token: `ghs_installation_${id}`,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { pull_requests: 'read', issues: 'read', checks: 'read', contents: 'read' },
          repository_selection: 'all',
        },
      };
    }
    const key = repoPath
      ? `${repoPath[1]}/${repoPath[2]}`.toLowerCase()
      : ownerPath![1]!.toLowerCase();
    const id = this.app.installations.get(key);
    if (id === undefined) return { status: 404, body: NOT_FOUND };
    return {
      status: 200,
      body: {
        id,
        app_id: this.app.id,
        account: { login: key.split('/')[0] },
        target_type: 'Organization',
        permissions: {},
      },
    };
  }
}

function matches(route: Route, pathname: string, query: URLSearchParams): boolean {
  const pathOk =
    typeof route.pathname === 'string'
      ? route.pathname === pathname
      : route.pathname.test(pathname);
  if (!pathOk) return false;
  for (const [k, v] of route.query ?? []) if (query.get(k) !== v) return false;
  return true;
}

function defaultHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': 'core',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-github-request-id': 'REYNOLDS:TEST',
  };
}

/** GitHub's answer when the primary rate limit is used up: 403, remaining 0, reset in epoch seconds. */
export function rateLimited(resetEpochSeconds: number, status = 403): ApiResponse {
  return {
    status,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(resetEpochSeconds),
    },
    body: {
      message: 'API rate limit exceeded for installation ID 1.',
      documentation_url:
        'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      status: String(status),
    },
  };
}

/** GitHub's secondary-rate-limit answer: 403 with retry-after. */
export function secondaryRateLimited(retryAfterSeconds: number): ApiResponse {
  return {
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '403',
    },
  };
}
