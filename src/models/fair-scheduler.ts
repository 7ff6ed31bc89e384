/**
 * Admission to the pool: a global cap on calls in flight, and one FIFO queue per role served
 * round-robin, so a burst of one role (say, fifty review summaries) waits its turn instead of
 * starving the others.
 *
 * Not cockatiel's bulkhead: it has one queue, so it is first come first served across roles, which
 * is exactly the starvation this exists to prevent.
 */
import { DeadlineExceededError, PoolClosedError } from './model-errors.js';

interface Waiter<R extends string> {
  role: R;
  grant: () => void;
  reject: (error: Error) => void;
}

export class FairScheduler<R extends string> {
  private inFlight = 0;
  private readonly queues = new Map<R, Waiter<R>[]>();
  private readonly running = new Map<R, number>();
  /** Index of the role to look at first on the next dispatch. */
  private next = 0;
  private closed = false;

  /** `limit` Infinity means no cap (the benchmark's baseline). */
  constructor(
    private readonly roles: readonly R[],
    readonly limit: number,
  ) {
    for (const role of roles) {
      this.queues.set(role, []);
      this.running.set(role, 0);
    }
  }

  /**
   * Resolves with a release function once the request may run. Rejects when `signal` aborts while
   * queued (the waiter leaves the queue; it never took a slot) or the scheduler closes.
   */
  acquire(role: R, signal?: AbortSignal, deadlineMs = 0): Promise<() => void> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    if (signal?.aborted)
      return Promise.reject(new DeadlineExceededError(role, deadlineMs, 'queued'));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const queue = this.queues.get(role)!;
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        reject(
          signal?.reason instanceof Error
            ? signal.reason
            : new DeadlineExceededError(role, deadlineMs, 'queued'),
        );
      };
      const waiter: Waiter<R> = {
        role,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser(role));
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queues.get(role)!.push(waiter);
      this.dispatch();
    });
  }

  queued(role?: R): number {
    if (role !== undefined) return this.queues.get(role)?.length ?? 0;
    let total = 0;
    for (const queue of this.queues.values()) total += queue.length;
    return total;
  }

  active(role?: R): number {
    return role === undefined ? this.inFlight : (this.running.get(role) ?? 0);
  }

  /** Rejects everything still queued; calls in flight finish on their own. */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values())
      for (const waiter of queue.splice(0)) waiter.reject(new PoolClosedError());
  }

  private releaser(role: R): () => void {
    this.inFlight += 1;
    this.running.set(role, (this.running.get(role) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.running.set(role, (this.running.get(role) ?? 1) - 1);
      this.dispatch();
    };
  }

  /** Hands free slots out one role at a time, starting after the role served last. */
  private dispatch(): void {
    while (this.inFlight < this.limit) {
      let granted = false;
      for (let i = 0; i < this.roles.length; i++) {
        const at = (this.next + i) % this.roles.length;
        const waiter = this.queues.get(this.roles[at]!)!.shift();
        if (waiter === undefined) continue;
        this.next = (at + 1) % this.roles.length;
        waiter.grant();
        granted = true;
        break;
      }
      if (!granted) return;
    }
  }
}
