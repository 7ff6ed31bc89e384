/**
 * What admins said about a GitHub account from chat (`treat <login> as bot` / `treat <login> as
 * person`): one record per tenant and login in the store, read through a short cache so the loop
 * stage pays a store read per account at most once a minute. The replica that takes the command
 * sees it at once; others within CACHE_TTL_MS.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';

export type ActorOverride = 'bot' | 'person';

export interface ActorOverrideRecord {
  login: string;
  treatAs: ActorOverride;
  by: string;
  at: number;
}

/** How stale another replica's view of an override may be. */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;

/** Kept with the identity records (who is who), partitioned by tenant. */
const recordId = (login: string) => `actor-kind:${login.toLowerCase()}`;

export class ActorOverrides {
  private readonly cache: LRUCache<string, { value: ActorOverride | 'none' }>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.cache = new LRUCache({ max: CACHE_MAX, ttl: CACHE_TTL_MS, ttlResolution: 0, perf: clock });
  }

  async get(tenantId: string, login: string): Promise<ActorOverride | undefined> {
    const key = `${tenantId}|${login.toLowerCase()}`;
    let cached = this.cache.get(key);
    if (!cached) {
      const stored = await this.store.getRecord<ActorOverrideRecord>(
        'identity',
        tenantId,
        recordId(login),
      );
      cached = { value: stored?.data.treatAs ?? 'none' };
      this.cache.set(key, cached);
    }
    return cached.value === 'none' ? undefined : cached.value;
  }

  async set(
    tenantId: string,
    login: string,
    treatAs: ActorOverride,
    by: string,
  ): Promise<ActorOverrideRecord> {
    const data: ActorOverrideRecord = { login, treatAs, by, at: this.clock.now() };
    await this.store.putRecord({
      kind: 'identity',
      tenantId,
      partition: tenantId,
      id: recordId(login),
      data,
    });
    this.cache.set(`${tenantId}|${login.toLowerCase()}`, { value: treatAs });
    return data;
  }
}
