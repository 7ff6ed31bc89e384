/**
 * A loopback stand-in for the GitHub App webhook-delivery API, in GitHub's wire format:
 * `GET /app/hook/deliveries` (newest first, `Link: <...cursor=...>; rel="next"` pagination),
 * `GET /app/hook/deliveries/{id}` (with the request headers GitHub sent) and
 * `POST /app/hook/deliveries/{id}/attempts` (202). Every request must carry an App JWT that
 * verifies against the App's public key (RS256, `iss` the app id), as GitHub demands.
 */
import { jwtVerify } from 'jose';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeDelivery {
  id: number;
  guid: string;
  deliveredAt: number;
  statusCode: number;
  event: string;
  action?: string;
  redelivery?: boolean;
  payload: Record<string, unknown>;
}

export interface GitHubAppServer {
  url: string;
  deliveries: FakeDelivery[];
  /** Attempt ids redelivery was requested for, in order. */
  redeliveries: number[];
  /** Every request as `METHOD path?query`. */
  requests: string[];
  /** Requests refused for a bad or missing JWT. */
  unauthorized: number;
  /** Refuse the next `count` requests matching `match` with `status` (and headers). */
  refuse(count: number, status: number, match?: RegExp, headers?: Record<string, string>): void;
  /** Called on each redelivery request (a test can post the delivery to Reynolds here). */
  onRedeliver?: (delivery: FakeDelivery) => Promise<void>;
  stop(): Promise<void>;
}

export const APP_HOOK_ID = '424242';

export async function startGitHubAppServer(o: {
  appId: number;
  privateKeyPem: string;
  pageSize?: number;
}): Promise<GitHubAppServer> {
  const publicKey: KeyObject = createPublicKey(o.privateKeyPem);
  const pageSize = o.pageSize ?? 100;
  let refusals: {
    count: number;
    status: number;
    match: RegExp;
    headers: Record<string, string>;
  }[] = [];
  let base = '';

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const summary = (d: FakeDelivery) => ({
    id: d.id,
    guid: d.guid,
    delivered_at: new Date(d.deliveredAt).toISOString(),
    redelivery: d.redelivery ?? false,
    duration: 0.27,
    status:
      d.statusCode >= 200 && d.statusCode < 300
        ? 'OK'
        : d.statusCode === 0
          ? 'failed to connect to host'
          : 'Invalid HTTP Response: ' + d.statusCode,
    status_code: d.statusCode,
    event: d.event,
    action: d.action ?? null,
    installation_id: 1,
    repository_id: 2,
    throttled_at: null,
  });
  const headersOf = (d: FakeDelivery) => ({
    Accept: '*/*',
    'X-GitHub-Delivery': d.guid,
    'X-GitHub-Event': d.event,
    'X-GitHub-Hook-ID': APP_HOOK_ID,
    'X-GitHub-Hook-Installation-Target-ID': String(o.appId),
    'X-GitHub-Hook-Installation-Target-Type': 'integration',
    'content-type': 'application/json',
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, fake: GitHubAppServer) => {
    const url = new URL(req.url ?? '/', base);
    fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const refusal = refusals.find(
      (r) => r.count > 0 && r.match.test(`${req.method} ${url.pathname}`),
    );
    if (refusal) {
      refusal.count -= 1;
      return send(
        res,
        refusal.status,
        {
          message: refusal.status === 429 ? 'API rate limit exceeded' : 'Service unavailable',
          documentation_url: 'https://docs.github.com/rest',
        },
        refusal.headers,
      );
    }
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new Error('no token');
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ['RS256'] });
      if (String(payload.iss) !== String(o.appId)) throw new Error('wrong iss');
    } catch {
      fake.unauthorized += 1;
      return send(res, 401, {
        message: 'A JSON web token could not be decoded',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const sorted = [...fake.deliveries].sort((a, b) => b.deliveredAt - a.deliveredAt);
    if (req.method === 'GET' && url.pathname === '/app/hook/deliveries') {
      const offset = Number(
        Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || '0',
      );
      const size = Math.min(pageSize, Number(url.searchParams.get('per_page') ?? 30));
      const page = sorted.slice(offset, offset + size);
      const headers: Record<string, string> = {};
      if (offset + size < sorted.length) {
        const cursor = Buffer.from(String(offset + size)).toString('base64url');
        headers.link = `<${base}/app/hook/deliveries?per_page=${size}&cursor=${cursor}>; rel="next"`;
      }
      return send(res, 200, page.map(summary), headers);
    }
    const detail = /^\/app\/hook\/deliveries\/(\d+)(\/attempts)?$/.exec(url.pathname);
    const delivery = detail ? fake.deliveries.find((d) => d.id === Number(detail[1])) : undefined;
    if (detail && !delivery) return send(res, 404, { message: 'Not Found' });
    if (req.method === 'GET' && detail && !detail[2]) {
      return send(res, 200, {
        ...summary(delivery!),
        url: '',
        request: { headers: headersOf(delivery!), payload: delivery!.payload },
        response: { headers: {}, payload: '' },
      });
    }
    if (req.method === 'POST' && detail?.[2]) {
      fake.redeliveries.push(delivery!.id);
      await fake.onRedeliver?.(delivery!);
      return send(res, 202, {});
    }
    return send(res, 404, { message: 'Not Found' });
  };

  const fake: GitHubAppServer = {
    url: '',
    deliveries: [],
    redeliveries: [],
    requests: [],
    unauthorized: 0,
    refuse(count, status, match = /./, headers = {}) {
      refusals.push({ count, status, match, headers });
      refusals = refusals.filter((r) => r.count > 0);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      handle(req, res, fake).catch((error) => send(res, 500, { message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = base;
  return fake;
}
