/**
 * The errors the pool's policies reason about. The provider adapter turns its SDK's errors into
 * ModelCallError (status, Retry-After), so the retry and breaker rules here never see an SDK type.
 */

/** A call to one deployment failed: an HTTP status, a network failure, a per-call timeout, or a content filter. */
export class ModelCallError extends Error {
  constructor(
    message: string,
    readonly kind: 'http' | 'network' | 'timeout' | 'content_filter',
    /** HTTP status when the deployment answered. */
    readonly status?: number,
    /** How long the deployment asked us to wait (Retry-After / retry-after-ms), milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

/** Whether the content filter judged what we sent (the prompt) or what the model wrote (the completion). */
export type ContentFilterStage = 'prompt' | 'completion';

/**
 * The deployment's content filter (Azure OpenAI's, or OpenAI's own `finish_reason`) blocked the
 * prompt or the completion. Permanent: the same request is filtered again, on this deployment or
 * its siblings under the same policy, so it is never retried and never counts against a breaker.
 */
export class ContentFilteredError extends ModelCallError {
  constructor(
    deployment: string,
    readonly stage: ContentFilterStage,
    /** The categories marked `filtered` (hate, sexual, violence, self_harm, jailbreak...); empty when the answer names none. */
    readonly categories: readonly string[],
    status?: number,
  ) {
    const which = categories.length > 0 ? categories.join(', ') : 'no category named';
    const fix =
      stage === 'prompt' ? 'change the input it was given' : 'ask differently or for less';
    super(
      `${deployment}: the content filter blocked the ${stage} (${which}); not retried: ${fix}, or review the deployment's content filter policy`,
      'content_filter',
      status,
    );
    this.name = 'ContentFilteredError';
  }
}

/** The request's deadline passed, whether it was still queued or already running. */
export class DeadlineExceededError extends Error {
  constructor(
    readonly role: string,
    readonly deadlineMs: number,
    readonly phase: 'queued' | 'running',
  ) {
    super(`model pool: ${role} request missed its ${deadlineMs} ms deadline while ${phase}`);
    this.name = 'DeadlineExceededError';
  }
}

/** No deployment can take the request: none configured for the role, or every breaker is open. */
export class PoolUnavailableError extends Error {
  constructor(
    readonly role: string,
    reason: string,
  ) {
    super(`model pool: no ${role} deployment available (${reason})`);
    this.name = 'PoolUnavailableError';
  }
}

export class PoolClosedError extends Error {
  constructor() {
    super('model pool: closed');
    this.name = 'PoolClosedError';
  }
}

/** Worth another attempt (on this or another deployment): throttling, server errors, timeouts, network. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ModelCallError)) return false;
  if (error.kind === 'content_filter') return false;
  if (error.kind !== 'http') return true;
  const status = error.status ?? 0;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Parses Retry-After (delta seconds or an HTTP date) and Azure's retry-after-ms into milliseconds;
 * undefined when absent or unreadable. A date in the past means "now".
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null | undefined },
  now: number,
): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms != null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const value = headers.get('retry-after');
  if (value == null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
