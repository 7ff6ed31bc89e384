/**
 * POST /api/github/webhook: reads the raw body within GitHub's 25 MB cap and hands it to the
 * intake. Statuses: 202 accepted, 200 duplicate or ping, 400, 401, 413, 415, 503.
 */
import type restify from 'restify';
import { isSupportedContentType, type WebhookIntake } from '../github/intake.js';
import { BodyTooLargeError, discardRest, readBody } from './read-body.js';
import { sendError } from './server.js';

export const WEBHOOK_PATH = '/api/github/webhook';

const DISCARD_AT_LEAST_BYTES = 32 * 1024 * 1024;
/** A 25 MB body takes about 20 s at 10 Mbit/s; a client slower than that is cut off. */
const DISCARD_WITHIN_MS = 30_000;

export function mountWebhookRoute(
  server: restify.Server,
  deps: { intake: WebhookIntake; maxBodyBytes: number; onAccepted?: () => void },
): void {
  server.post(WEBHOOK_PATH, async (req: restify.Request, res: restify.Response) => {
    // Refuse early what cannot succeed, before reading a possibly large body.
    if (!isSupportedContentType(req.headers['content-type'])) {
      const answer = await deps.intake.handle({ headers: req.headers, rawBody: Buffer.alloc(0) });
      res.send(answer.status, answer.body, answer.headers);
      return;
    }
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, deps.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendError(
          res,
          413,
          'payload_too_large',
          `Body is larger than ${deps.maxBodyBytes} bytes (GitHub caps deliveries at 25 MB; WEBHOOK_MAX_BODY_BYTES sets this limit).`,
        );
        // The client may still be sending: read the rest (into nothing) so it gets this answer
        // rather than a reset. Another limit's worth, at least 32 MB, within 30 s.
        discardRest(req, {
          maxBytes: Math.max(deps.maxBodyBytes, DISCARD_AT_LEAST_BYTES),
          maxMs: DISCARD_WITHIN_MS,
        });
        return;
      }
      sendError(
        res,
        400,
        'unreadable_body',
        'The request body could not be read completely; send it again.',
      );
      return;
    }
    const answer = await deps.intake.handle({ headers: req.headers, rawBody });
    res.send(answer.status, answer.body, answer.headers);
    if (answer.status === 202) deps.onAccepted?.();
  });
}
