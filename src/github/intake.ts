/**
 * Webhook intake: verify, parse, dedupe, and write to the durable inbox before answering.
 *
 * It knows HTTP semantics (statuses, headers) but no HTTP framework: the route hands it the
 * headers and the raw bytes, it answers with a status and a JSON body. Nothing is processed here;
 * the inbox worker does that after the 202, so the answer never waits on Teams or a model.
 */
import { verify } from '@octokit/webhooks-methods';
import type { Clock } from '../core/clock.js';
import { raceTimeout } from '../core/race-timeout.js';
import type { Store } from '../store/store.js';
import { deliveryKey } from './delivery-key.js';
import { field, integer, text } from './payload-fields.js';

export interface IntakeRequest {
  /** Header names in lower case, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: the signature covers these bytes. */
  rawBody: Buffer;
}

export interface IntakeResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export type IntakeOutcome =
  | 'accepted'
  | 'duplicate'
  | 'ping'
  | 'unsupported_media_type'
  | 'missing_header'
  | 'invalid_header'
  | 'missing_signature'
  | 'bad_signature'
  | 'malformed_body'
  | 'store_unavailable'
  | 'draining';

export interface IntakeObserver {
  /** `event` is only the real event name once the signature has been verified. */
  onOutcome(outcome: IntakeOutcome, event: string): void;
}

export interface IntakeOptions {
  secret: string;
  store: Store;
  clock: Clock;
  tenantId: string;
  /** The store write must finish inside this, or the delivery is refused with 503 (GitHub waits 10 s). */
  storeTimeoutMs?: number;
  observer?: IntakeObserver;
  /** Logs store failures; never receives the body or the secret. */
  onStoreError?: (error: unknown, deliveryId: string) => void;
}

/** Content types GitHub can be configured to send. */
export const WEBHOOK_CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
] as const;

const DELIVERY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const NUMERIC_ID = /^[0-9]{1,20}$/;
const TARGET_TYPE = /^[a-z_]{1,32}$/;

/** Retry-After for 503s: long enough for a store to come back, short against GitHub's timeout. */
const RETRY_AFTER_SECONDS = '5';

export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

export function isSupportedContentType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type !== undefined && (WEBHOOK_CONTENT_TYPES as readonly string[]).includes(type);
}

export class WebhookIntake {
  private draining = false;
  private readonly storeTimeoutMs: number;
  /** Made once, not per delivery: the hot path allocates no closure for it. */
  private readonly storeTimedOut: () => never;

  constructor(private readonly options: IntakeOptions) {
    this.storeTimeoutMs = options.storeTimeoutMs ?? 5000;
    const message = `store write took longer than ${this.storeTimeoutMs} ms`;
    this.storeTimedOut = () => {
      throw new Error(message);
    };
  }

  /** After this, new deliveries get 503 + Retry-After so GitHub (or a peer replica) takes them. */
  stopAccepting(): void {
    this.draining = true;
  }

  async handle(request: IntakeRequest): Promise<IntakeResponse> {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };

    if (this.draining) {
      return this.fail(
        'draining',
        'unverified',
        503,
        'Reynolds is shutting down; GitHub will redeliver, or retry shortly.',
        {
          'retry-after': RETRY_AFTER_SECONDS,
        },
      );
    }

    const contentType = header('content-type');
    if (!isSupportedContentType(contentType)) {
      return this.fail(
        'unsupported_media_type',
        'unverified',
        415,
        `Content-Type ${contentType ? `"${mediaType(contentType)}"` : 'is missing; it'} must be application/json or application/x-www-form-urlencoded (the webhook's "Content type" setting).`,
      );
    }

    const signature = header('x-hub-signature-256');
    if (!signature) {
      return this.fail(
        'missing_signature',
        'unverified',
        401,
        'X-Hub-Signature-256 is missing: set a secret on the GitHub webhook, the same as GITHUB_WEBHOOK_SECRET.',
      );
    }

    const event = header('x-github-event');
    const deliveryId = header('x-github-delivery');
    const missing = [!event && 'X-GitHub-Event', !deliveryId && 'X-GitHub-Delivery'].filter(
      Boolean,
    );
    if (missing.length > 0) {
      return this.fail(
        'missing_header',
        'unverified',
        400,
        `Missing required header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`,
      );
    }
    if (!EVENT_NAME.test(event!)) {
      return this.fail(
        'invalid_header',
        'unverified',
        400,
        'X-GitHub-Event must be a GitHub event name such as pull_request.',
      );
    }
    if (!DELIVERY_ID.test(deliveryId!)) {
      return this.fail(
        'invalid_header',
        'unverified',
        400,
        'X-GitHub-Delivery must be a delivery GUID (letters, digits, dot, dash, underscore; at most 128).',
      );
    }
    const hookId = header('x-github-hook-id');
    const targetType = header('x-github-hook-installation-target-type');
    const targetId = header('x-github-hook-installation-target-id');
    if (
      (hookId !== undefined && !NUMERIC_ID.test(hookId)) ||
      (targetId !== undefined && !NUMERIC_ID.test(targetId)) ||
      (targetType !== undefined && !TARGET_TYPE.test(targetType))
    ) {
      return this.fail(
        'invalid_header',
        'unverified',
        400,
        'X-GitHub-Hook-ID and X-GitHub-Hook-Installation-Target-ID must be numeric, and the target type a word.',
      );
    }

    // The signature covers the bytes as sent; verify before looking inside them.
    const rawText = request.rawBody.toString('utf8');
    let verified: boolean;
    try {
      verified = await verify(this.options.secret, rawText, signature);
    } catch {
      verified = false; // a malformed signature header is just a bad signature
    }
    if (!verified) {
      return this.fail(
        'bad_signature',
        'unverified',
        401,
        'X-Hub-Signature-256 does not match the body: check that GITHUB_WEBHOOK_SECRET equals the webhook secret on GitHub.',
      );
    }

    const parsed = parsePayload(rawText, mediaType(contentType)!);
    if (!parsed.ok) return this.fail('malformed_body', event!, 400, parsed.message);

    if (event === 'ping') {
      this.options.observer?.onOutcome('ping', event);
      return {
        status: 200,
        body: { status: 'pong', delivery: deliveryId, zen: text(field(parsed.payload, 'zen')) },
      };
    }

    // The same readers as normalise.ts, so intake and the pipeline agree on what a field says.
    const installationId = integer(field(field(parsed.payload, 'installation'), 'id'));
    const key = deliveryKey(
      {
        deliveryId: deliveryId!,
        hookId,
        installationTargetType: targetType,
        installationTargetId: targetId,
      },
      installationId,
    );
    const orderingKey =
      text(field(field(parsed.payload, 'repository'), 'full_name')) ??
      text(field(field(parsed.payload, 'organization'), 'login')) ??
      (installationId !== undefined ? `installation-${installationId}` : 'global');

    let result: 'accepted' | 'duplicate';
    try {
      result = await raceTimeout(
        this.options.store.acceptDelivery({
          tenantId: this.options.tenantId,
          key,
          deliveryId: deliveryId!,
          event: event!,
          action: text(field(parsed.payload, 'action')),
          orderingKey,
          receivedAt: this.options.clock.now(),
          body: parsed.json,
          bodyBytes: parsed.json === rawText ? request.rawBody : undefined,
        }),
        this.storeTimeoutMs,
        this.storeTimedOut,
      );
    } catch (error) {
      this.options.onStoreError?.(error, deliveryId!);
      return this.fail(
        'store_unavailable',
        event!,
        503,
        'The event store is unavailable, so the delivery was not accepted; GitHub will redeliver, or retry shortly.',
        {
          'retry-after': RETRY_AFTER_SECONDS,
        },
      );
    }

    this.options.observer?.onOutcome(result, event!);
    if (result === 'duplicate') {
      return {
        status: 200,
        body: {
          status: 'duplicate',
          delivery: deliveryId,
          message: 'Already received; not processed again.',
        },
      };
    }
    return { status: 202, body: { status: 'accepted', delivery: deliveryId } };
  }

  private fail(
    outcome: IntakeOutcome,
    event: string,
    status: number,
    message: string,
    headers?: Record<string, string>,
  ): IntakeResponse {
    this.options.observer?.onOutcome(outcome, event);
    return { status, body: { error: { code: outcome, message } }, headers };
  }
}

type ParsedPayload =
  { ok: true; payload: Record<string, unknown>; json: string } | { ok: false; message: string };

/** JSON as sent, or GitHub's form encoding (`payload=<url-encoded JSON>`), to one JSON object. */
export function parsePayload(rawText: string, type: string): ParsedPayload {
  let json = rawText;
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(rawText).get('payload');
    if (payload === null)
      return {
        ok: false,
        message: 'Form-encoded body has no "payload" field; GitHub sends payload=<JSON>.',
      };
    json = payload;
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, message: `Body is not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'Body must be a JSON object (a GitHub webhook payload).' };
  }
  return { ok: true, payload: value as Record<string, unknown>, json };
}
