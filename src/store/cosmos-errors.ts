/**
 * How the Cosmos store reads the SDK's failures: which ones mean "someone else got there first"
 * (an answer, not an error), and which mean "Cosmos cannot be reached or will not serve us" (intake
 * answers 503). Also the conditional writes built on the first kind, shared by `CosmosStore` and
 * the body chunks (cosmos-bodies.ts).
 */
import type { Item, ItemDefinition, RequestOptions } from '@azure/cosmos';

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
export async function replaceIfUnchanged<D extends ItemDefinition>(item: Item, etag: string, next: D): Promise<Stored<D> | undefined> {
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
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'REQUEST_SEND_ERROR', 'TimeoutError',
]);

/** Why Cosmos is unavailable, in words for an operator; undefined when the error means something else. */
export function unavailableReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    if (NETWORK_ERRORS.has(code)) return code === 'TimeoutError' ? 'the request timed out' : `network error ${code}`;
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      return `TLS error ${code} (COSMOS_ALLOW_INSECURE_TLS is only for local emulators with self-signed certificates)`;
    }
    return undefined;
  }
  const status = statusOf(error);
  if (status === undefined) return undefined;
  if (status === 401 || status === 403) return `HTTP ${status}: the key was refused or writes are forbidden`;
  if (status === 404) return 'HTTP 404: the database or container is missing (was init() run?)';
  if (status === 408 || status === 429 || status >= 500) return `HTTP ${status}: the service is busy or unavailable`;
  return undefined;
}
