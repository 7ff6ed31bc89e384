/**
 * How the Cosmos store reads the SDK's failures: which ones mean "someone else got there first"
 * (an answer, not an error), and which mean "Cosmos cannot be reached or will not serve us" (intake
 * answers 503). Also the conditional writes built on the first kind, shared by `CosmosStore` and
 * the body chunks (cosmos-bodies.ts).
 */
import type { Container, Item, ItemDefinition, RequestOptions } from '@azure/cosmos';
import type { Clock } from '../../core/clock.js';
import { StoreUnavailableError } from '../store.js';
import { isExpired } from './cosmos-documents.js';

/** A document as the server returns it: with the `_etag` that If-Match compares. */
export type Stored<D> = D & { _etag: string };

export function statusOf(error: unknown): number | undefined {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** 412: someone changed it since we read it. 404: it is gone (swept, expired, deleted). */
export function isLostRace(error: unknown): boolean {
  const status = statusOf(error);
  return status === 412 || status === 404;
}

export function ifMatch(etag: string): RequestOptions {
  return { accessCondition: { type: 'IfMatch', condition: etag } };
}

/** Writes `next` only if the document still has `etag`; undefined when it changed or vanished. */
export async function replaceIfUnchanged<D extends ItemDefinition>(
  item: Item,
  etag: string,
  next: D,
): Promise<Stored<D> | undefined> {
  try {
    return (await item.replace(next, ifMatch(etag))).resource as Stored<D> | undefined;
  } catch (error) {
    if (isLostRace(error)) return undefined;
    throw error;
  }
}

export async function deleteIfUnchanged(item: Item, etag: string): Promise<boolean> {
  try {
    await item.delete(ifMatch(etag));
    return true;
  } catch (error) {
    if (isLostRace(error)) return false;
    throw error;
  }
}

/**
 * `createIfNotExists` reads, then creates: replicas starting together can both see "absent", and
 * the loser's create answers 409. Asking again then finds what the winner made.
 */
export async function orExisting<T>(createIfNotExists: () => Promise<T>): Promise<T> {
  try {
    return await createIfNotExists();
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    return createIfNotExists();
  }
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'REQUEST_SEND_ERROR',
  'TimeoutError',
]);

/** Why Cosmos is unavailable, in words for an operator; undefined when the error means something else. */
export function unavailableReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    if (NETWORK_ERRORS.has(code))
      return code === 'TimeoutError' ? 'the request timed out' : `network error ${code}`;
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      return `TLS error ${code} (COSMOS_ALLOW_INSECURE_TLS is only for local emulators with self-signed certificates)`;
    }
    return undefined;
  }
  const status = statusOf(error);
  if (status === undefined) return undefined;
  if (status === 401 || status === 403)
    return `HTTP ${status}: the key was refused or writes are forbidden`;
  if (status === 404) return 'HTTP 404: the database or container is missing (was init() run?)';
  if (status === 408 || status === 429 || status >= 500)
    return `HTTP ${status}: the service is busy or unavailable`;
  return undefined;
}

/** A document that may carry an expiry (deliveries and records both do). */
export type Expiring = ItemDefinition & { id: string; expiresAt: number | null };

/** Tries a create this many times while the id keeps changing under it. */
const CREATE_ATTEMPTS = 3;

/**
 * Creates the document unless a live one has its id; an expired one that the server has not
 * deleted yet no longer counts, and is taken over. Undefined when a live one is there.
 */
export async function createUnlessLive<D extends Expiring>(
  container: Container,
  partitionKey: string,
  doc: D,
  clock: Clock,
): Promise<Stored<D> | undefined> {
  const item = container.item(doc.id, partitionKey);
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt += 1) {
    try {
      return (await container.items.create(doc)).resource as Stored<D>;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    const existing = (await item.read<Stored<D>>()).resource;
    if (!existing) continue; // deleted since the create: try again
    if (!isExpired(existing, clock.now())) return undefined;
    const replaced = await replaceIfUnchanged(item, existing._etag, doc);
    if (replaced) return replaced;
  }
  throw new StoreUnavailableError(
    `Cosmos DB: ${doc.id} kept changing while it was being created; try again`,
  );
}
