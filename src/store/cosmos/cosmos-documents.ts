/**
 * How deliveries and records look as Cosmos documents, and the pure state transitions the store
 * writes back with If-Match. Kept apart from `CosmosStore` so the store reads as I/O only.
 *
 * Every optional field is written as an explicit `null` rather than left out: Cosmos SQL treats a
 * missing property as `undefined`, which no comparison matches, so queries like "not expired" would
 * have to spell out `NOT IS_DEFINED(...)` everywhere. `ttl` is the exception: Cosmos only accepts
 * a positive integer or -1 there, so it is absent while the document must be kept.
 */
import type { DeliveryInput, InboxItem, InboxStatus } from '../../core/inbox-item.js';
import type { RecordInput, RecordKind, StoredRecord } from '../store.js';

/** gzip, then base64: the one encoding of chunked bodies (why: cosmos-bodies.ts). */
export type BodyEncoding = 'gzip-base64';

/** System properties the server adds to every document. */
type SystemFields = {
  _etag: string;
  _rid?: string;
  _self?: string;
  _ts?: number;
  _attachments?: string;
};

// Type aliases, not interfaces: the SDK's generics require an implicit index signature.
export type DeliveryDocument = {
  /** The delivery key, escaped for Cosmos (see `toDocumentId`). Also the partition key. */
  id: string;
  tenantId: string;
  deliveryId: string;
  event: string;
  action: string | null;
  orderingKey: string;
  receivedAt: number;
  /** The payload itself, when it fits in this document; null once done, or when it is in chunks. */
  body: string | null;
  /**
   * How many chunks of `delivery_bodies` hold the payload instead (cosmos-bodies.ts); null when
   * `body` holds it. Documents written before chunking existed lack both fields: read as null.
   */
  bodyChunks?: number | null;
  /** How the chunks encode the payload; null with `bodyChunks`. */
  bodyEncoding?: BodyEncoding | null;
  status: InboxStatus;
  seq: number;
  attempts: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: string | null;
  completedAt: number | null;
  /** Milliseconds on the store's clock; what reads decide expiry by. */
  expiresAt: number | null;
  /** Seconds; tells real Cosmos to delete the document on its own. Mirrors `expiresAt`. */
  ttl?: number;
};

/** A document as the server returns it: ours plus the system properties. */
export type StoredDeliveryDocument = DeliveryDocument & SystemFields;

/** One record in its kind's container (partition key `/partition`). */
export type RecordDocument = {
  /** Escaped like delivery keys. */
  id: string;
  partition: string;
  tenantId: string;
  data: object;
  updatedAt: number;
  expiresAt: number | null;
  ttl?: number;
};

export type StoredRecordDocument = RecordDocument & SystemFields;

/*
 * Cosmos ids may not contain '/', '\', '?' or '#'. Intake never produces such keys, but a key that
 * did would otherwise fail in a way that looks like a server error, so they are percent-escaped
 * (and '%' with them, which keeps the mapping reversible).
 */
const FORBIDDEN_IN_ID = /[%/\\?#]/g;

export function toDocumentId(key: string): string {
  return key.replace(
    FORBIDDEN_IN_ID,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export function fromDocumentId(id: string): string {
  return id.replace(/%([0-9A-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** The delivery with its payload inline; the store moves a payload too big for that to chunks. */
export function newDocument(d: DeliveryInput, seq: number): DeliveryDocument {
  return {
    id: toDocumentId(d.key),
    tenantId: d.tenantId,
    deliveryId: d.deliveryId,
    event: d.event,
    action: d.action ?? null,
    orderingKey: d.orderingKey,
    receivedAt: d.receivedAt,
    body: d.body,
    bodyChunks: null,
    bodyEncoding: null,
    status: 'pending',
    seq,
    attempts: 0,
    // Due as soon as it arrives; same rule as the SQLite store.
    nextAttemptAt: d.receivedAt,
    leaseOwner: null,
    leaseUntil: null,
    lastError: null,
    completedAt: null,
    expiresAt: null,
  };
}

/** The delivery with its payload moved out to `chunks` body chunks, already written. */
export function withChunkedBody(
  doc: DeliveryDocument,
  chunks: number,
  encoding: BodyEncoding,
): DeliveryDocument {
  return { ...doc, body: null, bodyChunks: chunks, bodyEncoding: encoding };
}

export function isExpired(doc: { expiresAt: number | null }, now: number): boolean {
  return doc.expiresAt !== null && doc.expiresAt <= now;
}

/**
 * Our fields only, ready to be written back. System properties are dropped so a replace never
 * echoes stale server metadata, and `ttl` is dropped so each transition states its expiry anew.
 */
function ownFields(doc: DeliveryDocument): DeliveryDocument {
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    deliveryId: doc.deliveryId,
    event: doc.event,
    action: doc.action,
    orderingKey: doc.orderingKey,
    receivedAt: doc.receivedAt,
    body: doc.body,
    bodyChunks: doc.bodyChunks ?? null,
    bodyEncoding: doc.bodyEncoding ?? null,
    status: doc.status,
    seq: doc.seq,
    attempts: doc.attempts,
    nextAttemptAt: doc.nextAttemptAt,
    leaseOwner: doc.leaseOwner,
    leaseUntil: doc.leaseUntil,
    lastError: doc.lastError,
    completedAt: doc.completedAt,
    expiresAt: doc.expiresAt,
  };
}

function unleased(doc: DeliveryDocument): DeliveryDocument {
  return { ...ownFields(doc), leaseOwner: null, leaseUntil: null };
}

export function claimed(
  doc: DeliveryDocument,
  owner: string,
  leaseUntil: number,
): DeliveryDocument {
  return {
    ...ownFields(doc),
    status: 'processing',
    leaseOwner: owner,
    leaseUntil,
    attempts: doc.attempts + 1,
  };
}

export function completed(
  doc: DeliveryDocument,
  now: number,
  deliveryTtlMs: number,
): DeliveryDocument {
  return {
    ...unleased(doc),
    status: 'done',
    // The chunks themselves are deleted by the store once this is written (cosmos-store.ts).
    body: null,
    bodyChunks: null,
    bodyEncoding: null,
    completedAt: now,
    expiresAt: now + deliveryTtlMs,
    // Cosmos rejects ttl 0; rounding up keeps the server from deleting before reads say expired.
    ttl: Math.max(1, Math.ceil(deliveryTtlMs / 1000)),
  };
}

export function retried(
  doc: DeliveryDocument,
  error: string,
  nextAttemptAt: number,
): DeliveryDocument {
  return { ...unleased(doc), status: 'pending', lastError: error, nextAttemptAt };
}

export function parked(doc: DeliveryDocument, error: string): DeliveryDocument {
  return { ...unleased(doc), status: 'failed', lastError: error, expiresAt: null };
}

export function released(doc: DeliveryDocument, notBefore?: number): DeliveryDocument {
  return {
    ...unleased(doc),
    status: 'pending',
    attempts: Math.max(doc.attempts - 1, 0),
    ...(notBefore !== undefined && { nextAttemptAt: notBefore }),
  };
}

/** `body` is the payload as reassembled from chunks, for a chunked document. */
export function toItem(doc: DeliveryDocument, body: string | null = doc.body): InboxItem {
  const item: InboxItem = {
    tenantId: doc.tenantId,
    key: fromDocumentId(doc.id),
    deliveryId: doc.deliveryId,
    event: doc.event,
    orderingKey: doc.orderingKey,
    receivedAt: doc.receivedAt,
    body,
    status: doc.status,
    seq: doc.seq,
    attempts: doc.attempts,
    nextAttemptAt: doc.nextAttemptAt,
  };
  if (doc.action !== null) item.action = doc.action;
  if (doc.leaseOwner !== null) item.leaseOwner = doc.leaseOwner;
  if (doc.leaseUntil !== null) item.leaseUntil = doc.leaseUntil;
  if (doc.lastError !== null) item.lastError = doc.lastError;
  if (doc.completedAt !== null) item.completedAt = doc.completedAt;
  if (doc.expiresAt !== null) item.expiresAt = doc.expiresAt;
  return item;
}

export function toRecordDocument(record: RecordInput<object>, now: number): RecordDocument {
  const doc: RecordDocument = {
    id: toDocumentId(record.id),
    partition: record.partition,
    tenantId: record.tenantId,
    data: record.data,
    updatedAt: now,
    expiresAt: record.expiresAt ?? null,
  };
  // Seconds from this write, which is also where the server starts counting.
  if (record.expiresAt !== undefined)
    doc.ttl = Math.max(1, Math.ceil((record.expiresAt - now) / 1000));
  return doc;
}

/** The record's version is the document's `_etag`, so If-Match works on it directly. */
export function toRecord<T>(kind: RecordKind, doc: StoredRecordDocument): StoredRecord<T> {
  const record: StoredRecord<T> = {
    kind,
    partition: doc.partition,
    id: fromDocumentId(doc.id),
    tenantId: doc.tenantId,
    data: doc.data as T,
    updatedAt: doc.updatedAt,
    etag: doc._etag,
  };
  if (doc.expiresAt !== null) record.expiresAt = doc.expiresAt;
  return record;
}
