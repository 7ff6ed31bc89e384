/**
 * Reads a request body as raw bytes, up to a limit. The webhook signature covers the bytes as
 * sent, so no body parser may touch them first; and a limit enforced while streaming means an
 * oversize body is refused without being buffered whole.
 *
 * raw-body (the reader under Express's body-parser) does the streaming: it checks the declared
 * length up front, stops reading at the limit without destroying the socket (so the 413 still
 * reaches the client), and reports a client that hung up mid-body. It is also plain listeners,
 * cheaper per request than an async iterator on the webhook's hot path.
 */
import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    // With the declared length, raw-body refuses an oversize body before reading any of it, and a
    // body shorter or longer than declared is an error rather than a truncated payload.
    return await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw new BodyTooLargeError(limit);
    throw error;
  }
}
