/**
 * The storage port. The core and the HTTP layer depend on this interface only; `SqliteStore`
 * (embedded default) and `CosmosStore` implement it and pass one contract suite
 * (tests/store/contract.ts).
 *
 * A *delivery* is one GitHub webhook delivery. Its record is both the dedupe marker and the inbox
 * item: it is created atomically (a second create with the same key is a duplicate), stays until
 * processed, then drops its body and lingers for `deliveryTtlMs` so late redeliveries are still
 * recognised. Keeping one record per delivery is what makes "seen before" and "queued" one atomic
 * write in both stores (Cosmos has no transactions across containers).
 */
import type { DeliveryInput, InboxItem, InboxStatus } from '../core/inbox-item.js';

export interface ClaimOptions {
  /** Who claims: a worker id unique per process. */
  owner: string;
  limit: number;
  /** How long the claim holds before another worker may take the item over. */
  leaseMs: number;
}

export type AcceptResult = 'accepted' | 'duplicate';

export type InboxCounts = Record<InboxStatus, number>;

/**
 * Kinds of record besides deliveries. Each is a table partition in SQLite and a container in
 * Cosmos (partition key `/partition`), with its own lifetime (see docs/architecture.md).
 */
export const RECORD_KINDS = [
  'chain',
  'chain_node',
  'audit',
  'echo',
  'conversation',
  'subscription',
  'thread',
  'outbox',
  /** Teams AI conversation state, so a restart keeps the chat's context. */
  'chat_state',
  /** Teams user → GitHub identity mappings and per-channel write allow-lists. */
  'identity',
  /** Per-conversation settings: quiet mode, digest hour. */
  'channel_settings',
  /** Open burst windows (many pushes in a minute become one updated card). */
  'burst',
  /** Digest bookkeeping: what was sent when, per conversation. */
  'digest',
  /** Missed-delivery recovery runs and what they redelivered. */
  'recovery',
  /** Verified GitHub sign-ins: Teams user ↔ GitHub user, with the token sealed (src/identity/); kept until sign-out. */
  'person_link',
  /** Orchestration: what is known of an issue, PR, default branch or deployment (state, times, train). */
  'work_item',
  /** Orchestration: one edge of the dependency graph, partitioned by the dependency's repository. */
  'dependency_edge',
  /** Orchestration: a release train's items in one repository. */
  'train',
  /** Orchestration: a scope's counters for one day (90 days). */
  'portfolio',
  /** Orchestration: a named set of repositories a portfolio can be asked about. */
  'portfolio_scope',
  /** Orchestration: an intervention raised once per (rule, item). */
  'intervention',
  /** Orchestration: when an intervention rule should look at an item again, bucketed by hour. */
  'intervention_due',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** A record of one kind. `data` is the kind's own shape, stored as JSON. */
export interface StoredRecord<T = Record<string, unknown>> {
  kind: RecordKind;
  tenantId: string;
  /** The hot query's key: a chain id for its nodes and audit, a tenant for its chains... */
  partition: string;
  id: string;
  data: T;
  /** Milliseconds since the epoch; set by the store on every write. */
  updatedAt: number;
  /** When the record stops existing; undefined means it is kept. */
  expiresAt?: number;
  /** Version for optimistic concurrency; changes on every write. */
  etag: string;
}

export type RecordInput<T = Record<string, unknown>> = Omit<StoredRecord<T>, 'updatedAt' | 'etag'>;

/** Equality filters on top-level fields of `data`; field names are plain identifiers. */
export type RecordFilter = Record<string, string | number | boolean>;

export interface RecordQuery {
  kind: RecordKind;
  tenantId: string;
  /** Within one partition (cheap everywhere); without it, across the kind (a fan-out in Cosmos). */
  partition?: string;
  where?: RecordFilter;
  /** Newest (updatedAt) first by default; oldest first for queues, so nothing starves. */
  oldestFirst?: boolean;
  limit: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'cosmos';

  /** Creates what is missing (tables, database, containers). Idempotent. */
  init(): Promise<void>;
  /** Resolves when the store answers; rejects with the reason when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Dedupe and enqueue in one atomic step. An expired record with the same key does not count. */
  acceptDelivery(delivery: DeliveryInput): Promise<AcceptResult>;
  getDelivery(key: string): Promise<InboxItem | undefined>;

  /**
   * Takes up to `limit` items that are due, oldest first: pending ones whose backoff has passed
   * and processing ones whose lease ran out (their worker died). Each claim increments `attempts`.
   */
  claimInbox(options: ClaimOptions): Promise<InboxItem[]>;
  /** Marks the item done, drops its body, and sets it to expire after the delivery TTL. */
  completeInbox(key: string, owner: string): Promise<void>;
  /** Puts the item back as pending, to be claimed again no earlier than `nextAttemptAt`. */
  retryInbox(key: string, owner: string, error: string, nextAttemptAt: number): Promise<void>;
  /** Parks the item as failed; it is kept (no expiry) until someone replays or deletes it. */
  parkInbox(key: string, owner: string, error: string): Promise<void>;
  /**
   * Gives an unfinished claim back without counting it as an attempt (graceful shutdown, or the
   * store itself failing mid-item); with `notBefore`, not to be claimed again before then.
   */
  releaseInbox(key: string, owner: string, notBefore?: number): Promise<void>;
  /** Failed items, oldest first. */
  listFailed(limit: number): Promise<InboxItem[]>;
  inboxCounts(): Promise<InboxCounts>;

  /**
   * Writes a record, replacing what is there. With `ifMatch`, only if the stored version still
   * has that etag (or, with `ifMatch: null`, only if there is none); otherwise ConflictError.
   */
  putRecord<T extends object = Record<string, unknown>>(
    record: RecordInput<T>,
    options?: { ifMatch?: string | null },
  ): Promise<StoredRecord<T>>;
  getRecord<T extends object = Record<string, unknown>>(
    kind: RecordKind,
    partition: string,
    id: string,
  ): Promise<StoredRecord<T> | undefined>;
  /** Newest first (or oldest first, if asked); expired records are never returned. */
  queryRecords<T extends object = Record<string, unknown>>(
    query: RecordQuery,
  ): Promise<StoredRecord<T>[]>;
  /** Returns whether a live record was there. */
  deleteRecord(kind: RecordKind, partition: string, id: string): Promise<boolean>;

  /**
   * Deletes expired records and returns how many. Cosmos expires by TTL on the server, so its
   * sweep only exists for symmetry; SQLite relies on it (reads are expiry-aware either way).
   */
  sweepExpired(): Promise<number>;
}

/** Thrown by a store when its backend cannot be reached or refuses to write; intake maps it to 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Thrown by putRecord when `ifMatch` does not hold: someone else wrote first. */
export class ConflictError extends Error {
  constructor(kind: string, partition: string, id: string) {
    super(`${kind} ${partition}/${id} was changed by someone else`);
    this.name = 'ConflictError';
  }
}

/** Field names usable in a RecordFilter (they end up in SQL / Cosmos queries). */
export const FILTER_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Thrown when a worker touches an item whose lease it no longer holds. */
export class LeaseLostError extends Error {
  constructor(key: string, owner: string) {
    super(`inbox item ${key} is no longer leased by ${owner}`);
    this.name = 'LeaseLostError';
  }
}
