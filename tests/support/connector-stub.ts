/**
 * A stand-in for the Bot Framework connector on loopback, speaking its wire format
 * (`POST /v3/conversations/{id}/activities` → `{ id }`; `PUT .../activities/{activityId}` edits a
 * posted one and answers `{ id }`, 404 for an activity it never posted), that can be told to refuse for a while
 * (429 with Retry-After, 500...). Teams itself cannot be reached from here; this is the remote
 * service the proactive sender talks to.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorPost {
  conversationId: string;
  activity: Record<string, any>;
  id: string;
}

/** An edit of a posted activity (`PUT /v3/conversations/{id}/activities/{activityId}`). */
export interface ConnectorUpdate {
  conversationId: string;
  activityId: string;
  activity: Record<string, any>;
}

export interface ConnectorStub {
  url: string;
  posts: ConnectorPost[];
  updates: ConnectorUpdate[];
  /** Roster entries answered by `GET /v3/conversations/{id}/members/{userId}`, by user id. */
  members: Record<string, Record<string, unknown>>;
  /** Answers `status` (with Retry-After seconds when given) until `ms` have passed. */
  refuseFor(ms: number, status: number, retryAfterSeconds?: number): void;
  refusals: number;
  stop(): Promise<void>;
}

export async function startConnectorStub(): Promise<ConnectorStub> {
  let refuseUntil = 0;
  let refusal = { status: 429, retryAfter: undefined as number | undefined };
  let counter = 0;
  const stub: Omit<ConnectorStub, 'url' | 'stop'> & { server?: Server } = {
    posts: [],
    updates: [],
    members: {},
    refusals: 0,
    refuseFor(ms, status, retryAfterSeconds) {
      refuseUntil = Date.now() + ms;
      refusal = { status, retryAfter: retryAfterSeconds };
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const member = /^\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/.exec(req.url ?? '');
      const known =
        member && req.method === 'GET' ? stub.members[decodeURIComponent(member[2]!)] : undefined;
      if (known) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(known));
        return;
      }
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
      const isUpdate = req.method === 'PUT' && match?.[2] !== undefined;
      if ((req.method !== 'POST' && !isUpdate) || !match) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"NotFound"}}');
        return;
      }
      if (Date.now() < refuseUntil) {
        stub.refusals += 1;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (refusal.retryAfter !== undefined) headers['retry-after'] = String(refusal.retryAfter);
        res.writeHead(refusal.status, headers);
        res.end(JSON.stringify({ error: { code: 'Throttled', message: 'slow down' } }));
        return;
      }
      if (isUpdate) {
        const activityId = decodeURIComponent(match[2]!);
        if (!stub.posts.some((p) => p.id === activityId)) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: { code: 'ActivityNotFound', message: `no activity ${activityId}` },
            }),
          );
          return;
        }
        stub.updates.push({
          conversationId: decodeURIComponent(match[1]!),
          activityId,
          activity: JSON.parse(body) as Record<string, any>,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: activityId }));
        return;
      }
      counter += 1;
      const id = `activity-${counter}`;
      stub.posts.push({
        conversationId: decodeURIComponent(match[1]!),
        activity: JSON.parse(body) as Record<string, any>,
        id,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...stub,
    get posts() {
      return stub.posts;
    },
    get updates() {
      return stub.updates;
    },
    get members() {
      return stub.members;
    },
    get refusals() {
      return stub.refusals;
    },
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
