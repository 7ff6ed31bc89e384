/**
 * The bare baseline for bench/intake/run.ts: node:http + @octokit/webhooks, verify and ack, no
 * storage. It is what "the cheapest correct webhook receiver in Node" costs on this machine, so
 * Reynolds' number is read against it rather than in the abstract.
 *
 * Run as a child process by run.ts (PORT and GITHUB_WEBHOOK_SECRET in its environment), never by
 * hand; it listens on loopback only.
 */
import { createServer } from 'node:http';
import { Webhooks, createNodeMiddleware } from '@octokit/webhooks';
import './orphan-guard.js';

const secret = process.env.GITHUB_WEBHOOK_SECRET;
const port = Number(process.env.PORT);
if (!secret || !Number.isInteger(port) || port <= 0) {
  console.error(
    'baseline-server: PORT and GITHUB_WEBHOOK_SECRET must be set (run bench/intake/run.ts instead)',
  );
  process.exit(2);
}

const webhooks = new Webhooks({ secret });
// No handlers: verifyAndReceive still checks the signature and parses the JSON, which is the work
// Reynolds also does before it stores anything.
const middleware = createNodeMiddleware(webhooks, {
  path: '/api/github/webhook',
  // The default logger writes a debug line per delivery; the baseline must not pay for that.
  log: { debug() {}, info() {}, warn() {}, error: (...data: unknown[]) => console.error(...data) },
});

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  middleware(req, res, () => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  }).catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500).end();
  });
});

server.listen(port, '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
