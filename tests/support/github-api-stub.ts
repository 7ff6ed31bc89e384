/**
 * A stand-in for GitHub's REST API on loopback, for the writes Reynolds makes (GitHub itself cannot
 * be reached from here): issue/PR update (PATCH), comments, reviews, labels, answering in GitHub's
 * JSON shapes. Issue or PR number 404 answers 404 Not Found, 403 answers 403 and 422 answers 422,
 * as GitHub would; every request is recorded.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubRequest {
  method: string;
  path: string;
  body: Record<string, any>;
  authorization?: string;
}

export interface GitHubApiStub {
  url: string;
  requests: GitHubRequest[];
  /** Requests that wrote something (anything but GET). */
  writes(): GitHubRequest[];
  stop(): Promise<void>;
}

const ROUTES: Array<[string, RegExp]> = [
  ['PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/reviews$/],
];

const FAILURES: Record<string, { status: number; message: string }> = {
  '404': { status: 404, message: 'Not Found' },
  '403': { status: 403, message: 'Resource not accessible by integration' },
  '422': { status: 422, message: 'Validation Failed' },
};

export async function startGitHubApiStub(): Promise<GitHubApiStub> {
  const requests: GitHubRequest[] = [];
  let ids = 1000;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, any>);
      requests.push({ method: req.method ?? '', path, body, authorization: req.headers.authorization });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(json));
      };
      const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(path));
      if (!route) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      const number = route[1].exec(path)![1]!;
      const failure = FAILURES[number];
      if (failure) return send(failure.status, { message: failure.message, documentation_url: 'https://docs.github.com/rest', status: String(failure.status) });
      ids += 1;
      const html = `https://github.com${path.replace('/repos', '')}`;
      if (path.endsWith('/comments')) return send(201, { id: ids, body: body['body'], html_url: `${html}#issuecomment-${ids}` });
      if (path.endsWith('/reviews')) return send(200, { id: ids, state: body['event'] === 'APPROVE' ? 'APPROVED' : 'CHANGES_REQUESTED', body: body['body'] ?? '' });
      if (path.endsWith('/labels')) return send(200, (body['labels'] ?? []).map((name: string) => ({ name })));
      return send(200, { number: Number(number), state: body['state'] ?? 'open', html_url: html });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
