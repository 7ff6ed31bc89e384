/**
 * The Bot Framework connector stand-in for the end-to-end bench: like tests/support/connector-stub.ts
 * it speaks `POST /v3/conversations/{id}/activities` → `{ id }`, but it also notes when each post
 * arrived (on this process's monotonic clock, the one the load generator stamps 202s with) and
 * which bench markers the posted activity carries (an edit, `PUT .../activities/{id}`, too: a
 * folded summary card grows by edits), without keeping the bodies: at 200 cards/s for
 * a minute the bodies would be hundreds of MB of heap in the process that also drives the load.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TimedPost {
  /** performance.now() when the whole request body had arrived. */
  at: number;
  conversationId: string;
  /** Distinct bench markers found in the activity (card and summary); one per card expected. */
  markers: string[];
  /** An edit of a posted card (updateActivity), not a new post. */
  edit: boolean;
  /** A summary of alerts folded while the outbox was over budget (src/routing/noise/noise-control.ts). */
  summary: boolean;
}

export interface TimedConnector {
  url: string;
  posts: TimedPost[];
  /** Called for every post as it arrives (the bench uses it to match cards to deliveries at once). */
  onPost?: (post: TimedPost) => void;
  /**
   * Fault injection (bench/faults): when it returns an answer, the connector gives that instead of
   * taking the post (e.g. 429 with Retry-After, or 500), and the post does not count.
   */
  fault?: () => { status: number; headers?: Record<string, string> } | undefined;
  /** Answers given by `fault`. */
  faulted: number;
  stop(): Promise<void>;
}

export async function startTimedConnector(markerPattern: RegExp): Promise<TimedConnector> {
  if (!markerPattern.global)
    throw new Error(
      'the marker pattern must be global (/g): a body is scanned for every occurrence',
    );
  let counter = 0;
  const connector: Omit<TimedConnector, 'url' | 'stop'> = { posts: [], faulted: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
      const edit = req.method === 'PUT' && match?.[2] !== undefined;
      if ((req.method !== 'POST' && !edit) || !match) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"NotFound"}}');
        return;
      }
      const fault = connector.fault?.();
      if (fault) {
        connector.faulted += 1;
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(
          JSON.stringify({
            error: {
              code: fault.status === 429 ? 'TooManyRequests' : 'ServiceError',
              message: 'injected by bench/faults',
            },
          }),
        );
        return;
      }
      // The marker is in the card's title and in the summary line, so one card shows it more than
      // once: distinct values are what identify the card.
      const body = Buffer.concat(chunks).toString('utf8');
      const markers = [...new Set(Array.from(body.matchAll(markerPattern), (m) => m[0]))];
      const post: TimedPost = {
        at,
        conversationId: decodeURIComponent(match[1]!),
        markers,
        edit,
        summary: body.includes('folded into one card'),
      };
      connector.posts.push(post);
      connector.onPost?.(post);
      if (!edit) counter += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: edit ? decodeURIComponent(match[2]!) : `activity-${counter}` }));
    });
  });
  // Keep-alive as the real connector does; the sender's HTTP client decides whether to reuse.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(connector, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
