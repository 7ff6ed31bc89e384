/**
 * One request from the soak's load side, timed from send to the last byte of the answer, over a
 * shared keep-alive agent (as GitHub, Teams and a tab's browser each keep connections open).
 * Never rejects: no answer (refused, reset, timeout) is status 0, counted as an error by the caller.
 */
import { type Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Keep the answer's text (the tab poller reads chain ids from it); otherwise it is discarded. */
  readBody?: boolean;
}

export interface CallResult {
  status: number;
  ms: number;
  text?: string;
  /** Why there was no answer (ECONNRESET, timeout...). */
  error?: string;
  /** Sent a second time: the first try met a keep-alive socket the server had just closed. */
  retried?: boolean;
}

export async function call(
  agent: Agent,
  port: number,
  spec: CallSpec,
  timeoutMs: number,
): Promise<CallResult> {
  const started = performance.now();
  const first = await once(agent, port, spec, timeoutMs);
  // A reused idle socket can be closed by the server's keep-alive timeout just as a request goes
  // out; Node's docs (request.reusedSocket) say to retry those once, as browsers do.
  if (first.status !== 0 || !first.reusedSocket || first.error !== 'ECONNRESET') {
    return {
      ...first,
      ms: performance.now() - started,
      ...(first.status === 0 && {
        error: `${first.error} on a ${first.reusedSocket ? 'reused' : 'new'} socket`,
      }),
    };
  }
  const second = await once(agent, port, spec, timeoutMs);
  return {
    ...second,
    ms: performance.now() - started,
    retried: true,
    ...(second.status === 0 && { error: `${second.error} on the retry` }),
  };
}

function once(
  agent: Agent,
  port: number,
  spec: CallSpec,
  timeoutMs: number,
): Promise<CallResult & { reusedSocket?: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    let reusedSocket = false;
    const done = (status: number, text?: string, error?: string): void => {
      if (settled) return;
      settled = true;
      resolve({ status, ms: 0, text, error, reusedSocket });
    };
    const headers = {
      ...spec.headers,
      ...(spec.body && { 'content-length': String(spec.body.length) }),
    };
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: spec.path,
        method: spec.method,
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => spec.readBody && chunks.push(chunk));
        res.on('end', () =>
          done(
            res.statusCode ?? 0,
            spec.readBody ? Buffer.concat(chunks).toString('utf8') : undefined,
          ),
        );
        res.on('error', (error: NodeJS.ErrnoException) =>
          done(0, undefined, error.code ?? error.message),
        );
      },
    );
    req.on('socket', () => (reusedSocket = req.reusedSocket));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      done(0, undefined, error.code ?? error.message),
    );
    req.end(spec.body);
  });
}
