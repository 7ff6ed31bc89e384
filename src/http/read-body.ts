/**
 * Reads a request body as raw bytes, up to a limit. The webhook signature covers the bytes as
 * sent, so no body parser may touch them first; and a limit enforced while streaming means an
 * oversize body is refused without being buffered whole.
 *
 * raw-body (the reader under Express's body-parser) does the streaming: it checks the declared
 * length up front, stops reading at the limit without destroying the socket (so the 413 still
 * reaches the client), and reports a client that hung up mid-body. It is also plain listeners,
 * cheaper per request than an async iterator on the webhook's hot path.
 *
 * Refusing a body is half the job: the answer must also reach the client. A client that is still
 * sending when the server answers and closes gets a reset (EPIPE, ECONNRESET) in place of the 413,
 * and `fetch` reports "fetch failed" with no status at all (seen with a 26 MB delivery against the
 * 25 MB cap, server and client in separate processes). So after the answer, the rest of the body
 * is read and thrown away, up to a bound, the way web servers do a lingering close.
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
    if ((error as { type?: string }).type === 'entity.too.large')
      throw new BodyTooLargeError(limit);
    throw error;
  }
}

export interface DiscardBounds {
  /** Bytes read and thrown away at most; past that the connection is closed. */
  maxBytes: number;
  /** How long the client may take to finish sending; past that the connection is closed. */
  maxMs: number;
}

/**
 * Reads and discards what is left of a refused request's body, so the answer already written
 * reaches the client and the connection stays usable. Bounded in bytes and time: a client that
 * keeps sending past either bound is cut off (and only then sees a reset).
 */
export function discardRest(req: IncomingMessage, bounds: DiscardBounds): void {
  if (req.readableEnded || req.destroyed) return;
  let discarded = 0;
  const cutOff = () => {
    cleanup();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > bounds.maxBytes) cutOff();
  };
  const timer = setTimeout(cutOff, bounds.maxMs);
  timer.unref();
  const cleanup = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', cleanup);
    req.off('close', cleanup);
  };
  req.on('data', onData);
  req.once('end', cleanup);
  req.once('close', cleanup);
  req.resume();
}
