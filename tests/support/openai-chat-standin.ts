/**
 * A stand-in for an OpenAI-compatible chat model (Azure OpenAI, GitHub Models), on a random
 * loopback port, speaking the real wire format: `POST /v1/chat/completions` (and Azure's
 * `/openai/deployments/<name>/chat/completions`) in, a `chat.completion` object out, with
 * `tool_calls` when the test's brain decides to call a tool. It records every request, and can be
 * told to fail (status and error body as OpenAI sends them) or to drop connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model: string;
  messages: Array<{
    role: string;
    content?: string | null;
    tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    tool_call_id?: string;
  }>;
  tools?: Array<{
    type: 'function';
    function: { name: string; description?: string; parameters?: unknown };
  }>;
  tool_choice?: unknown;
  [key: string]: unknown;
}

export type ModelMove =
  | { say: string }
  | { call: string; arguments: Record<string, unknown> }
  | { fail: number; message?: string }
  | { drop: true };

export type Brain = (body: ChatRequestBody) => ModelMove;

export interface ChatStandin {
  /** Base URL for an OpenAI client (`.../v1`). */
  url: string;
  requests: ChatRequestBody[];
  /** What the model does next; replace it per test. */
  brain: Brain;
  close(): Promise<void>;
}

/** The last user message's text. */
export function lastUserText(body: ChatRequestBody): string {
  const user = [...body.messages].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : '';
}

/** True when the request carries a tool result (the model's second step). */
export function hasToolResult(body: ChatRequestBody): boolean {
  return body.messages[body.messages.length - 1]?.role === 'tool';
}

export async function startChatStandin(
  brain: Brain = () => ({ say: 'Hello from the stand-in.' }),
): Promise<ChatStandin> {
  const requests: ChatRequestBody[] = [];
  const standin = { brain } as ChatStandin;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) =>
      send(res, 500, { error: { message: String(error), type: 'server_error', code: null } }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isChat =
      req.method === 'POST' &&
      (url.pathname === '/v1/chat/completions' ||
        /^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(url.pathname));
    if (!isChat)
      return send(res, 404, {
        error: {
          message: `Unknown request URL: ${req.method} ${url.pathname}`,
          type: 'invalid_request_error',
          code: 'unknown_url',
        },
      });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: ChatRequestBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
    } catch {
      return send(res, 400, {
        error: {
          message: 'We could not parse the JSON body of your request.',
          type: 'invalid_request_error',
          code: null,
        },
      });
    }
    requests.push(body);
    // Like the real API: a tool call must be answered before the conversation goes on.
    const unanswered = unansweredToolCalls(body);
    if (unanswered.length > 0) {
      return send(res, 400, {
        error: {
          message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${unanswered.join(', ')}`,
          type: 'invalid_request_error',
          param: 'messages',
          code: null,
        },
      });
    }
    const move = standin.brain(body);
    if ('drop' in move) {
      req.socket.destroy();
      return;
    }
    if ('fail' in move)
      return send(res, move.fail, {
        error: {
          message: move.message ?? 'The server had an error while processing your request.',
          type: move.fail === 429 ? 'rate_limit_exceeded' : 'server_error',
          code: null,
        },
      });
    const message =
      'say' in move
        ? { role: 'assistant', content: move.say, refusal: null }
        : {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [
              {
                id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
                type: 'function',
                function: { name: move.call, arguments: JSON.stringify(move.arguments) },
              },
            ],
          };
    const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
    send(res, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        { index: 0, message, logprobs: null, finish_reason: 'say' in move ? 'stop' : 'tool_calls' },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: 12,
        total_tokens: promptTokens + 12,
      },
      system_fingerprint: 'fp_standin',
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  standin.url = `http://127.0.0.1:${port}/v1`;
  standin.requests = requests;
  standin.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standin;
}

export function unansweredToolCalls(body: ChatRequestBody): string[] {
  const missing: string[] = [];
  body.messages.forEach((message, index) => {
    for (const call of message.tool_calls ?? []) {
      let answered = false;
      for (
        let next = index + 1;
        next < body.messages.length && body.messages[next]!.role === 'tool';
        next += 1
      ) {
        if (body.messages[next]!.tool_call_id === call.id) answered = true;
      }
      if (!answered) missing.push(call.id);
    }
  });
  return missing;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': randomUUID(),
  });
  res.end(text);
}
