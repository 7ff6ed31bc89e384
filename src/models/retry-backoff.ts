/**
 * How long the pool waits before the next attempt of a call, as a cockatiel backoff:
 * - failing over to another deployment of the role: no wait (the other one did not ask us to);
 * - the deployment said Retry-After: at least that, plus up to 10% jitter so a storm of callers
 *   does not come back in the same millisecond;
 * - otherwise exponential backoff with full jitter.
 * Never longer than what is left before the call's deadline (cockatiel's retry delay cannot be
 * aborted, so an unclamped wait would outlive the deadline).
 */
import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from 'cockatiel';
import { ModelCallError } from './model-errors.js';

export interface RetryBackoffOptions {
  baseMs: number;
  maxMs: number;
  /** True when another deployment of the role can take the next attempt right away. */
  canFailOver: () => boolean;
  /** Milliseconds left before the deadline (Infinity when there is none). */
  remainingMs: () => number;
  random?: () => number;
}

export function retryDelayMs(
  error: unknown,
  attempt: number,
  options: RetryBackoffOptions,
): number {
  const random = options.random ?? Math.random;
  let delay: number;
  if (options.canFailOver()) delay = 0;
  else if (error instanceof ModelCallError && error.retryAfterMs !== undefined)
    delay = error.retryAfterMs * (1 + 0.1 * random());
  else delay = random() * Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.min(delay, options.remainingMs()));
}

export class RetryBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly options: RetryBackoffOptions) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const error = 'error' in context.result ? context.result.error : undefined;
    return {
      duration: retryDelayMs(error, context.attempt, this.options),
      next: (c) => this.next(c),
    };
  }
}
