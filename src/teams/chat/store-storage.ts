/**
 * Bot Framework `Storage` over Reynolds's Store, so Teams AI's conversation and user state live in
 * the configured store (SQLite or Cosmos) and survive a restart. One record per state key, kind
 * `chat_state`, partitioned by tenant, expiring after a quiet period.
 *
 * Concurrency follows botbuilder's MemoryStorage contract: an item carrying an `eTag` (other than
 * `*`) is written only if the stored item still has that eTag; no eTag or `*` writes anyway.
 * State keys look like `msteams/<bot>/conversations/<id>`, and Cosmos item ids forbid `/`, `\`,
 * `?` and `#` and stop at 255 characters: the id is the key URI-encoded, or its SHA-256 when
 * that is too long.
 */
import type { Storage, StoreItems } from 'botbuilder';
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { ConflictError, type Store } from '../../store/store.js';

export const CHAT_STATE_TTL_MS = 30 * 24 * 3600_000;
const MAX_ID_LENGTH = 200;

interface ChatStateData {
  /** The state key as Teams AI wrote it. */
  key: string;
  value: Record<string, unknown>;
}

export class ChatStateConflictError extends Error {
  constructor(key: string) {
    super(`chat state ${key} was changed by another turn; the turn's changes were not saved`);
    this.name = 'ChatStateConflictError';
  }
}

export class StoreStorage implements Storage {
  constructor(
    private readonly store: Store,
    private readonly tenantId: string,
    private readonly clock: Clock,
    private readonly ttlMs = CHAT_STATE_TTL_MS,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        const record = await this.store.getRecord<ChatStateData>(
          'chat_state',
          this.tenantId,
          stateId(key),
        );
        if (record && record.data.key === key)
          items[key] = { ...record.data.value, eTag: record.etag };
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes).map(async ([key, item]) => {
        const { eTag, ...value } = (item ?? {}) as Record<string, unknown>;
        const id = stateId(key);
        const conditional = typeof eTag === 'string' && eTag !== '*' && eTag !== '';
        const record = {
          kind: 'chat_state' as const,
          tenantId: this.tenantId,
          partition: this.tenantId,
          id,
          data: { key, value },
          expiresAt: this.clock.now() + this.ttlMs,
        };
        try {
          await this.store.putRecord<ChatStateData>(
            record,
            conditional ? { ifMatch: eTag } : undefined,
          );
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          // MemoryStorage writes an eTagged item whose stored copy is gone (here: expired); so do we.
          if (await this.store.getRecord('chat_state', this.tenantId, id))
            throw new ChatStateConflictError(key);
          await this.store.putRecord<ChatStateData>(record);
        }
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map((key) => this.store.deleteRecord('chat_state', this.tenantId, stateId(key))),
    );
  }
}

export function stateId(key: string): string {
  const encoded = encodeURIComponent(key);
  return encoded.length <= MAX_ID_LENGTH
    ? encoded
    : `sha256-${createHash('sha256').update(key).digest('hex')}`;
}
