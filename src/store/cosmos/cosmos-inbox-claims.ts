/**
 * Claiming due inbox items in Cosmos, where several replicas claim from one container: each claim
 * is a conditional replace on the document's etag (one winner), and a repository's items are
 * claimed in arrival order across replicas (see `claim`). Used by CosmosStore.claimInbox, which
 * maps Cosmos's failures to StoreUnavailableError.
 */
import type { Container } from '@azure/cosmos';
import type { Clock } from '../../core/clock.js';
import { BodyUnavailableError, type DeliveryBodies } from './cosmos-bodies.js';
import {
  claimed,
  parked,
  retried,
  toItem,
  type StoredDeliveryDocument,
} from './cosmos-documents.js';
import { replaceIfUnchanged } from './cosmos-errors.js';
import type { ClaimOptions } from '../store.js';
import type { InboxItem } from '../../core/inbox-item.js';

/** Due items fetched per page while claiming; more than `limit` so lost races rarely cost a round trip. */
const MIN_CLAIM_PAGE = 20;
/** Claims that find the body's chunks unreadable before the item is parked (see `claimOne`). */
const BODY_READ_ATTEMPTS = 3;

const DUE_QUERY = `SELECT * FROM c
  WHERE (c.status = 'pending' AND c.nextAttemptAt <= @now) OR (c.status = 'processing' AND c.leaseUntil <= @now)
  ORDER BY c.seq`;
const HELD_QUERY = `SELECT c.orderingKey FROM c WHERE c.status = 'processing' AND c.leaseUntil > @now`;

export class CosmosInboxClaims {
  constructor(
    private readonly container: Container,
    private readonly bodies: DeliveryBodies,
    private readonly clock: Clock,
  ) {}

  /**
   * Claims in arrival order per ordering key (a repository), across replicas too: a key another
   * claim holds (a live lease) is skipped, and within a key items are claimed one after another,
   * stopping at the first that cannot be taken, so a later event of a repository is never
   * processed while an earlier one is still with someone else. Different keys go in parallel.
   */
  async claim({ owner, limit, leaseMs }: ClaimOptions): Promise<InboxItem[]> {
    const now = this.clock.now();
    const due = this.container.items.query<StoredDeliveryDocument>(
      { query: DUE_QUERY, parameters: [{ name: '@now', value: now }] },
      { maxItemCount: Math.max(limit, MIN_CLAIM_PAGE) },
    );
    const won: InboxItem[] = [];
    let blocked: Set<string> | undefined;
    while (won.length < limit && due.hasMoreResults()) {
      const page = (await due.fetchNext()).resources;
      // Asked after the due items were read: a key claimed in between shows up here (see above).
      blocked ??= await this.heldOrderingKeys(now);
      const byKey = new Map<string, StoredDeliveryDocument[]>();
      let taken = 0;
      for (const doc of page) {
        if (blocked.has(doc.orderingKey) || taken >= limit - won.length) continue;
        const group = byKey.get(doc.orderingKey) ?? [];
        group.push(doc);
        byKey.set(doc.orderingKey, group);
        taken += 1;
      }
      const results = await Promise.allSettled(
        [...byKey.entries()].map(async ([key, docs]) => {
          const claimedHere: InboxItem[] = [];
          for (const doc of docs) {
            const item = await this.claimOne(doc, owner, now, leaseMs);
            if (!item) {
              blocked!.add(key); // someone else has it, or it went back: what follows waits
              break;
            }
            claimedHere.push(item);
          }
          return claimedHere;
        }),
      );
      for (const result of results) if (result.status === 'fulfilled') won.push(...result.value);
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) {
        // Claims already won are handed out rather than stranded until their lease runs out.
        if (won.length > 0) return won;
        throw failure.reason;
      }
      for (const key of byKey.keys()) blocked.add(key); // a later page must not overtake this one
    }
    return won;
  }

  /** Ordering keys with an item under a live lease: their later items must wait. */
  private async heldOrderingKeys(now: number): Promise<Set<string>> {
    const { resources } = await this.container.items
      .query<{ orderingKey: string }>({
        query: HELD_QUERY,
        parameters: [{ name: '@now', value: now }],
      })
      .fetchAll();
    return new Set(resources.map((doc) => doc.orderingKey));
  }
  /**
   * Claims one due item and reads its body; undefined when another claimer won. Chunks that cannot
   * be reassembled fail the attempt here, since the worker never gets the item: it is retried
   * when its lease would have run out (a replica may briefly not see chunks another one just
   * wrote), and parked after BODY_READ_ATTEMPTS claims, chunk reference intact, for an operator.
   * Any other failure leaves the claim to lapse, as if this worker had crashed.
   */
  private async claimOne(
    doc: StoredDeliveryDocument,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<InboxItem | undefined> {
    const item = this.container.item(doc.id, doc.id);
    const won = await replaceIfUnchanged(item, doc._etag, claimed(doc, owner, now + leaseMs));
    if (!won) return undefined;
    try {
      return toItem(won, await this.bodies.read(won));
    } catch (error) {
      if (!(error instanceof BodyUnavailableError)) throw error;
      await replaceIfUnchanged(
        item,
        won._etag,
        won.attempts >= BODY_READ_ATTEMPTS
          ? parked(won, error.message)
          : retried(won, error.message, now + leaseMs),
      );
      return undefined;
    }
  }
}
