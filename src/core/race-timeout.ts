/**
 * "Wait for this, but at most `ms`": a promise raced against a timer. Shutdown grace periods (the
 * polling loop, enrichment, delivery recovery, the HTTP server's close) carry on with a fallback
 * when the time is up; intake's store write rejects instead. It lives in core because every layer
 * uses it and it depends on nothing.
 *
 * Hand-written rather than cockatiel's timeout policy (already a dependency): that policy always
 * rejects with TaskCancelledError, where the grace waits want to resolve and carry on, and it
 * builds an AbortController and listeners per call, on intake's benchmarked hot path.
 */

export interface RaceTimeoutOptions {
  /** Let the process exit while the timer is pending (waits that must never hold shutdown open). */
  unref?: boolean;
}

/**
 * Settles as `promise` does when it settles within `ms`; otherwise with what `onTimeout` returns,
 * or rejects with what it throws. The timer is cleared the moment the promise settles, so nothing
 * is left pending either way. An undefined `promise` (nothing in flight) settles at once, as
 * `Promise.race([undefined, timer])` did.
 */
export function raceTimeout<T, F>(
  promise: PromiseLike<T>,
  ms: number,
  onTimeout: () => F,
  options?: RaceTimeoutOptions,
): Promise<T | F>;
export function raceTimeout<T, F>(
  promise: PromiseLike<T> | undefined,
  ms: number,
  onTimeout: () => F,
  options?: RaceTimeoutOptions,
): Promise<T | F | undefined>;
export function raceTimeout<T, F>(
  promise: PromiseLike<T> | undefined,
  ms: number,
  onTimeout: () => F,
  options?: RaceTimeoutOptions,
): Promise<T | F | undefined> {
  return new Promise<T | F | undefined>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
    if (options?.unref) timer.unref();
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
