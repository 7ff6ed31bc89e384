/**
 * Teams' published limits for a bot's proactive messages, kept on our side so the connector never
 * has to say 429: per thread (conversation) 7 messages a second, 8 per 2 s and 60 per 30 s; per
 * app per tenant 50 requests a second. Token buckets from `limiter`; the per-thread ones live in
 * an LRU so memory stays flat however many conversations there are.
 */
import { LRUCache } from 'lru-cache';
import { RateLimiter } from 'limiter';

const THREAD_WINDOWS = [
  { tokensPerInterval: 7, interval: 1_000 },
  { tokensPerInterval: 8, interval: 2_000 },
  { tokensPerInterval: 60, interval: 30_000 },
] as const;
const TENANT_PER_SECOND = 50;

export class TeamsRateLimits {
  private readonly threads = new LRUCache<string, RateLimiter[]>({ max: 10_000 });
  private readonly tenants = new LRUCache<string, RateLimiter>({ max: 1_000 });

  /** Takes one send from every window that applies, or none (and says so) if any is empty. */
  tryTake(tenantId: string, conversationId: string): boolean {
    const windows = this.threadWindows(conversationId);
    const tenant = this.tenantWindow(tenantId);
    // Check all first, so a refusal does not spend tokens in the windows that had some.
    if (tenant.getTokensRemaining() < 1 || windows.some((w) => w.getTokensRemaining() < 1))
      return false;
    return tenant.tryRemoveTokens(1) && windows.every((w) => w.tryRemoveTokens(1));
  }

  /** Whether the tenant could post at all right now (a round can stop early when it cannot). */
  tenantHasRoom(tenantId: string): boolean {
    return this.tenantWindow(tenantId).getTokensRemaining() >= 1;
  }

  private threadWindows(conversationId: string): RateLimiter[] {
    let windows = this.threads.get(conversationId);
    if (!windows) {
      windows = THREAD_WINDOWS.map((w) => new RateLimiter({ ...w, fireImmediately: true }));
      this.threads.set(conversationId, windows);
    }
    return windows;
  }

  private tenantWindow(tenantId: string): RateLimiter {
    let window = this.tenants.get(tenantId);
    if (!window) {
      window = new RateLimiter({
        tokensPerInterval: TENANT_PER_SECOND,
        interval: 1_000,
        fireImmediately: true,
      });
      this.tenants.set(tenantId, window);
    }
    return window;
  }
}
