/**
 * The inbox worker: claims due deliveries from the store, runs the pipeline on each, and records
 * the outcome. Nothing is lost: a failing item is retried with backoff and parked as failed after
 * `maxAttempts`; an item whose worker dies is taken over when its lease runs out; on shutdown,
 * items not yet started are handed back.
 *
 * Order: items that share an ordering key (a repository) run one after another in arrival order;
 * different repositories run side by side up to `concurrency`.
 *
 * Backoff state lives in the store (nextAttemptAt), not in a retry library's closure, because it
 * must survive a restart; the formula is the usual exponential backoff with full jitter.
 */
import pLimit from 'p-limit';
import { PollingLoop } from './polling-loop.js';
import type { Clock } from '../core/clock.js';
import { LeaseLostError, StoreUnavailableError, type Store } from '../store/store.js';
import { type InboxItem } from '../core/inbox-item.js';

/**
 * What the worker runs for each item. Throwing means "try again later", unless the error says it
 * is permanent (`permanent: true`), in which case retrying cannot help and the item is parked.
 */
export interface InboxPipeline {
  process(item: InboxItem): Promise<void>;
}

export interface InboxWorkerObserver {
  onProcessed?(item: InboxItem, durationMs: number): void;
  onRetry?(item: InboxItem, error: unknown, delayMs: number): void;
  onParked?(item: InboxItem, error: unknown): void;
  /** The store failed or a lease was lost; the worker carries on. */
  onWorkerError?(error: unknown, item?: InboxItem): void;
}

export interface InboxWorkerOptions {
  store: Store;
  pipeline: InboxPipeline;
  clock: Clock;
  /** Unique per process: the lease owner. */
  owner: string;
  concurrency: number;
  batchSize: number;
  maxAttempts: number;
  retryBaseMs: number;
  leaseMs: number;
  pollMs: number;
  observer?: InboxWorkerObserver;
  /** Jitter source; injectable so tests can pin it. */
  random?: () => number;
}

/** Longest wait between two attempts of one item. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;

export class InboxWorker {
  private stopping = false;
  private readonly limit;
  private readonly loop: PollingLoop;

  constructor(private readonly options: InboxWorkerOptions) {
    this.limit = pLimit(options.concurrency);
    this.loop = new PollingLoop(
      () => this.runOnce(),
      options.pollMs,
      (error) => options.observer?.onWorkerError?.(error),
    );
  }

  start(): void {
    this.stopping = false;
    this.loop.start();
  }

  /** Ends the poll wait early: intake calls it after accepting, so work starts at once. */
  wake(): void {
    this.loop.wake();
  }

  /**
   * Stops claiming, lets items in flight finish for up to `graceMs`, and hands back the ones that
   * had not started. Items still running after the grace keep their lease and are taken over by
   * the next worker when it runs out; the pipeline is at-least-once either way.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.loop.isRunning) return;
    this.stopping = true;
    await this.loop.stop(graceMs);
  }

  /** One claim-and-process cycle; returns how many items it claimed. The loop, and tests, call it. */
  async runOnce(): Promise<number> {
    const { store, owner, batchSize, leaseMs } = this.options;
    const items = await store.claimInbox({ owner, limit: batchSize, leaseMs });
    if (items.length === 0) return 0;
    const groups = new Map<string, InboxItem[]>();
    for (const item of items) {
      const group = groups.get(item.orderingKey);
      if (group) group.push(item);
      else groups.set(item.orderingKey, [item]);
    }
    await Promise.all(
      [...groups.values()].map((group) => this.limit(() => this.processInOrder(group))),
    );
    return items.length;
  }

  private async processInOrder(group: InboxItem[]): Promise<void> {
    for (const [index, item] of group.entries()) {
      if (this.stopping) {
        await this.handBack(group.slice(index));
        return;
      }
      await this.processOne(item);
    }
  }

  private async processOne(item: InboxItem): Promise<void> {
    const { store, owner, clock, observer } = this.options;
    const started = clock.now();
    try {
      await this.options.pipeline.process(item);
    } catch (error) {
      await this.settleFailure(item, error);
      return;
    }
    try {
      await store.completeInbox(item.key, owner);
      observer?.onProcessed?.(item, clock.now() - started);
    } catch (error) {
      // Lease lost (another worker took over after a long stall) or the store is down: the item
      // stays claimable, so it is processed again rather than lost.
      observer?.onWorkerError?.(error, item);
    }
  }

  private async settleFailure(item: InboxItem, error: unknown): Promise<void> {
    const { store, owner, clock, maxAttempts, observer } = this.options;
    const message = errorText(error);
    try {
      if (isStoreOutage(error)) {
        // The store failing is not the item's fault: it must not use up the item's attempts and
        // get parked during an outage. It goes back, uncounted, after the usual backoff.
        await store.releaseInbox(item.key, owner, clock.now() + this.retryDelay(item.attempts));
        observer?.onRetry?.(item, error, 0);
      } else if (isPermanent(error) || item.attempts >= maxAttempts) {
        await store.parkInbox(
          item.key,
          owner,
          `gave up after ${item.attempts} attempt${item.attempts === 1 ? '' : 's'}: ${message}`,
        );
        observer?.onParked?.(item, error);
      } else {
        const delay = this.retryDelay(item.attempts);
        await store.retryInbox(item.key, owner, message, clock.now() + delay);
        observer?.onRetry?.(item, error, delay);
      }
    } catch (storeError) {
      observer?.onWorkerError?.(storeError, item);
    }
  }

  /** Exponential backoff with full jitter: uniform in [base/2, min(cap, base * 2^(attempt-1))]. */
  retryDelay(attempt: number): number {
    const { retryBaseMs, random = Math.random } = this.options;
    const ceiling = Math.min(MAX_RETRY_DELAY_MS, retryBaseMs * 2 ** Math.max(0, attempt - 1));
    const floor = Math.min(ceiling, retryBaseMs / 2);
    return Math.round(floor + random() * (ceiling - floor));
  }

  private async handBack(items: InboxItem[]): Promise<void> {
    for (const item of items) {
      try {
        await this.options.store.releaseInbox(item.key, this.options.owner);
      } catch (error) {
        if (!(error instanceof LeaseLostError)) this.options.observer?.onWorkerError?.(error, item);
      }
    }
  }
}

/** The store was unreachable, here or in a stage that wrapped the error (its `cause`). */
function isStoreOutage(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (e instanceof StoreUnavailableError) return true;
  }
  return false;
}

function isPermanent(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { permanent?: unknown }).permanent === true
  );
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
