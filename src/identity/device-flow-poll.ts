/**
 * Polling GitHub's token endpoint until the person has entered the code, as the device flow asks:
 * never more often than `interval`; after `slow_down`, at GitHub's new interval (or 5 seconds more,
 * RFC 8628 §3.5); never after the code expired. Pure: time and waiting come in as ports, so tests
 * drive a manual clock and see every wait.
 *
 * Not @octokit/auth-oauth-device's loop: it waits with its own timers inside one promise that
 * cannot be cancelled (a second `sign in` or a shutdown could not stop it), and after `slow_down`
 * it waits interval + 7 s once instead of adopting GitHub's new interval.
 */
import type { Clock } from '../core/clock.js';
import {
  type DeviceCode,
  type GitHubOAuth,
  GitHubOAuthError,
  type IssuedTokens,
} from './github-oauth.js';

/** Waits `ms`, or less if `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export type PollOutcome =
  | { kind: 'token'; tokens: IssuedTokens }
  | { kind: 'expired' }
  | { kind: 'denied' }
  | { kind: 'cancelled' }
  /** GitHub did not answer `failures` polls in a row (or refused the app: `misconfigured`). */
  | { kind: 'unavailable'; reason: 'unreachable' | 'misconfigured' };

/** RFC 8628 §3.5: on slow_down the interval grows by 5 seconds. */
export const SLOW_DOWN_STEP_SECONDS = 5;
/** Consecutive failed polls after which GitHub counts as down (about 3 intervals, 15 s at GitHub's 5 s). */
export const MAX_POLL_FAILURES = 3;

export interface PollOptions {
  oauth: GitHubOAuth;
  clock: Clock;
  sleep: Sleep;
  signal: AbortSignal;
}

export async function pollForToken(
  code: DeviceCode,
  { oauth, clock, sleep, signal }: PollOptions,
): Promise<PollOutcome> {
  const expiresAt = clock.now() + code.expiresInSeconds * 1000;
  let intervalSeconds = Math.max(0, code.intervalSeconds);
  let failures = 0;
  for (;;) {
    await sleep(intervalSeconds * 1000, signal);
    if (signal.aborted) return { kind: 'cancelled' };
    if (clock.now() >= expiresAt) return { kind: 'expired' };
    let result;
    try {
      result = await oauth.exchange(code.deviceCode);
    } catch (error) {
      if (error instanceof GitHubOAuthError && error.kind === 'misconfigured')
        return { kind: 'unavailable', reason: 'misconfigured' };
      failures += 1;
      if (failures >= MAX_POLL_FAILURES) return { kind: 'unavailable', reason: 'unreachable' };
      continue;
    }
    failures = 0;
    switch (result.kind) {
      case 'token':
        return result;
      case 'pending':
        break;
      case 'slow_down':
        intervalSeconds = Math.max(
          result.intervalSeconds ?? 0,
          intervalSeconds + SLOW_DOWN_STEP_SECONDS,
        );
        break;
      case 'expired':
        return { kind: 'expired' };
      case 'denied':
        return { kind: 'denied' };
    }
  }
}

/** The real Sleep: a timer that an abort ends early (and that never keeps the process alive). */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
