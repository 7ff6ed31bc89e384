/**
 * A local OpenAI-compatible server on a random loopback port, driven through the real `openai`
 * SDK: `POST /chat/completions` (OpenAI, GitHub Models; the model is in the body) and Azure's
 * `POST /openai/deployments/{deployment}/chat/completions?api-version=...`. Real response JSON with
 * usage. Each request is answered by a script the test sets: delay, 429 with Retry-After, 500,
 * hang (no answer until the client gives up), wait for a promise the test releases, or Azure's
 * content filter blocking the prompt or the completion. On Azure's path every answer carries the
 * content-filter annotations Azure adds (`prompt_filter_results`, the choice's
 * `content_filter_results`), as Azure sends them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinRequest {
  /** Azure deployment from the path, else the body's model. */
  target: string;
  path: string;
  apiVersion?: string;
  authorization?: string;
  apiKey?: string;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    max_tokens?: number;
  };
  /** Order of arrival, from 0. */
  seq: number;
}

export interface StandinReply {
  delayMs?: number;
  status?: number;
  /** Retry-After header value (seconds or an HTTP date). */
  retryAfter?: string;
  hang?: boolean;
  /** Answer only once this settles: a test orders events by releasing it, not by sleeping. */
  until?: Promise<unknown>;
  text?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /**
   * Azure's content filter blocks the request, naming these categories as filtered: a blocked
   * prompt is HTTP 400 `content_filter` with `innererror.content_filter_result`, a blocked
   * completion a 200 with `finish_reason: 'content_filter'` (and `text`, if set, as the part kept).
   */
  contentFilter?: { stage: 'prompt' | 'completion'; categories: string[] };
}

export type StandinScript = (request: StandinRequest) => StandinReply;

export interface OpenAIStandin {
  url: string;
  requests: StandinRequest[];
  /** Most requests being answered at once, per target. */
  peak: Map<string, number>;
  active: Map<string, number>;
  script: StandinScript;
  close(): Promise<void>;
}

export async function startOpenAIStandin(
  script: StandinScript = () => ({}),
): Promise<OpenAIStandin> {
  const requests: StandinRequest[] = [];
  const peak = new Map<string, number>();
  const active = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const state: OpenAIStandin = {
    url: '',
    requests,
    peak,
    active,
    script,
    close: async () => undefined,
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        json(res, 500, { error: { message: String(error), type: 'server_error' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const azure = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
    if (req.method !== 'POST' || (!azure && !url.pathname.endsWith('/chat/completions'))) {
      json(res, 404, {
        error: { message: `no route ${req.method} ${url.pathname}`, type: 'invalid_request_error' },
      });
      return;
    }
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as StandinRequest['body'];
    const request: StandinRequest = {
      target: azure ? decodeURIComponent(azure[1]!) : (body.model ?? ''),
      path: url.pathname,
      apiVersion: url.searchParams.get('api-version') ?? undefined,
      authorization: req.headers.authorization,
      apiKey: typeof req.headers['api-key'] === 'string' ? req.headers['api-key'] : undefined,
      body,
      seq: requests.length,
    };
    requests.push(request);
    const now = (active.get(request.target) ?? 0) + 1;
    active.set(request.target, now);
    peak.set(request.target, Math.max(peak.get(request.target) ?? 0, now));
    const done = () => active.set(request.target, (active.get(request.target) ?? 1) - 1);
    res.once('close', done);

    const reply = state.script(request);
    if (reply.hang) {
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    if (reply.until) await reply.until;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    if (reply.contentFilter?.stage === 'prompt') {
      json(res, 400, {
        error: {
          message:
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: {
            code: 'ResponsibleAIPolicyViolation',
            content_filter_result: filterResults('prompt', reply.contentFilter.categories),
          },
        },
      });
      return;
    }
    if (reply.status !== undefined && reply.status >= 400) {
      const headers: Record<string, string> =
        reply.retryAfter !== undefined ? { 'retry-after': reply.retryAfter } : {};
      json(
        res,
        reply.status,
        {
          error: {
            message: reply.status === 429 ? 'Rate limit reached' : 'The server had an error',
            type: reply.status === 429 ? 'rate_limit_error' : 'server_error',
            code: String(reply.status),
          },
        },
        headers,
      );
      return;
    }
    const usage = reply.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
    const blocked =
      reply.contentFilter?.stage === 'completion' ? reply.contentFilter.categories : undefined;
    const annotated = azure !== null || blocked !== undefined;
    json(res, 200, {
      id: `chatcmpl-${request.seq}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? request.target,
      ...(annotated && {
        prompt_filter_results: [
          { prompt_index: 0, content_filter_results: filterResults('prompt', []) },
        ],
      }),
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: blocked ? (reply.text ?? null) : (reply.text ?? '{"summary":"ok"}'),
          },
          finish_reason: blocked ? 'content_filter' : 'stop',
          logprobs: null,
          ...(annotated && { content_filter_results: filterResults('completion', blocked ?? []) }),
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      system_fingerprint: 'fp_standin',
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/**
 * Azure's verdict per category: the four harm categories with a severity, and the detections (prompt
 * shields on the prompt, protected material on the completion) with `detected`. Named categories
 * are filtered; one Azure does not list by default (profanity, a blocklist) is added as a detection.
 */
function filterResults(
  stage: 'prompt' | 'completion',
  filtered: string[],
): Record<string, { filtered: boolean; severity?: string; detected?: boolean }> {
  const results: Record<string, { filtered: boolean; severity?: string; detected?: boolean }> = {};
  for (const category of ['hate', 'self_harm', 'sexual', 'violence']) {
    results[category] = filtered.includes(category)
      ? { filtered: true, severity: 'high' }
      : { filtered: false, severity: 'safe' };
  }
  for (const category of stage === 'prompt'
    ? ['jailbreak']
    : ['protected_material_code', 'protected_material_text']) {
    results[category] = {
      filtered: filtered.includes(category),
      detected: filtered.includes(category),
    };
  }
  for (const category of filtered) results[category] ??= { filtered: true, detected: true };
  return results;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
