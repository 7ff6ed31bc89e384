/**
 * The Azure Cosmos DB store, for running several Reynolds replicas against one durable inbox.
 *
 * Deliveries live in one container, `deliveries`, partitioned by `/id` (the delivery key): every
 * hot operation is a point read or a conditional write on one key, so no logical partition ever
 * gets hot. The few scans (due items, failed items, counts, sweep) are cross-partition queries.
 * Each record kind has its own container, named after the kind and partitioned by `/partition`.
 * Bodies too big for one document live in chunks in `delivery_bodies` (cosmos-bodies.ts).
 *
 * Concurrency: there are no transactions, so every state change is a replace with If-Match on the
 * `_etag` the change was computed from. A 412 means another replica (or worker) got there first;
 * claims skip such items, lease-checked updates report `LeaseLostError`.
 *
 * Expiry: items that must go carry `ttl` (seconds, for the server) and `expiresAt` (ms, on our
 * clock). Real Cosmos deletes them; reads never trust that it already has, and decide by
 * `expiresAt`, which is also what makes the store testable with a manual clock.
 *
 * Arrival order: Cosmos has no sequence, so `seq` is `receivedAt` in microseconds, bumped to stay
 * strictly increasing within this process. Within one replica that is exact arrival order; across
 * replicas it is arrival time (to the millisecond), which is as much order as GitHub promises.
 */
import https from 'node:https';
import { CosmosClient, type Container, type Database, type IndexingPolicy } from '@azure/cosmos';
import type { Clock } from '../../core/clock.js';
import { BODIES_CONTAINER, DeliveryBodies, fitsInOneDocument } from './cosmos-bodies.js';
import {
  completed,
  isExpired,
  newDocument,
  parked,
  released,
  retried,
  toDocumentId,
  toItem,
  withChunkedBody,
  type DeliveryDocument,
  type StoredDeliveryDocument,
} from './cosmos-documents.js';
import {
  createUnlessLive,
  deleteIfUnchanged,
  orExisting,
  replaceIfUnchanged,
  unavailableReason,
} from './cosmos-errors.js';
import { CosmosInboxClaims } from './cosmos-inbox-claims.js';
import { CosmosRecords, LIVE } from './cosmos-records.js';
import {
  ConflictError,
  LeaseLostError,
  RECORD_KINDS,
  StoreUnavailableError,
  type AcceptResult,
  type ClaimOptions,
  type InboxCounts,
  type RecordInput,
  type RecordKind,
  type RecordQuery,
  type Store,
  type StoredRecord,
} from '../store.js';
import { INBOX_STATUSES, type DeliveryInput, type InboxItem } from '../../core/inbox-item.js';

export interface CosmosStoreOptions {
  endpoint: string;
  key: string;
  databaseId: string;
  clock: Clock;
  deliveryTtlMs: number;
  /** Only for local Cosmos-compatible servers with self-signed certificates. */
  allowInsecureTls?: boolean;
  /** Per HTTP attempt. */
  requestTimeoutMs?: number;
}

export const DELIVERIES_CONTAINER = 'deliveries';

const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** `seq` units per millisecond of `receivedAt`: room for that many arrivals per ms per replica. */
const SEQ_PER_MS = 1000;
const SWEEP_PAGE = 100;

/*
 * Bodies are never queried and can be megabytes; indexing them would only cost RUs on every write.
 * Body chunks keep their slice in a field named `body` too, so this one policy serves every
 * container. `_etag` is excluded because Cosmos requires it to be.
 */
const INDEXING_POLICY: IndexingPolicy = {
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: [{ path: '/*' }],
  excludedPaths: [{ path: '/body/?' }, { path: '/"_etag"/?' }],
};

/*
 * Cross-partition ORDER BY / TOP / COUNT: real Cosmos answers the plain query with a 400 asking
 * for a query plan, and the SDK then fetches the plan and merges the partitions client-side. The
 * test server (@vercel/cosmosdb-server) has no query plans but runs the whole query itself, so the
 * same code works on both. It lacks GROUP BY and OFFSET/LIMIT, which these queries avoid (TOP and
 * one COUNT per status instead); both forms are ordinary on real Cosmos too.
 */
const FAILED_QUERY = `SELECT TOP @limit * FROM c WHERE c.status = 'failed' ORDER BY c.seq`;
const COUNT_QUERY = `SELECT VALUE COUNT(1) FROM c WHERE c.status = @status AND ${LIVE}`;
// `partition` is absent on deliveries (partitioned by id) and then left out of the projection.
const EXPIRED_QUERY =
  'SELECT c.id, c.partition, c._etag FROM c WHERE IS_NUMBER(c.expiresAt) AND c.expiresAt <= @now';

export class CosmosStore implements Store {
  readonly kind = 'cosmos' as const;
  private readonly client: CosmosClient;
  private readonly database: Database;
  private readonly container: Container;
  private readonly records: Record<RecordKind, Container>;
  private readonly recordStore: CosmosRecords;
  private readonly bodies: DeliveryBodies;
  private readonly claims: CosmosInboxClaims;
  private lastSeq = 0;

  constructor(private readonly options: CosmosStoreOptions) {
    this.client = new CosmosClient({
      endpoint: options.endpoint,
      key: options.key,
      ...(options.allowInsecureTls
        ? { agent: new https.Agent({ rejectUnauthorized: false, keepAlive: true }) }
        : {}),
      connectionPolicy: {
        requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        /*
         * With endpoint discovery on, the SDK retries an unreachable account for about two minutes
         * (120 tries of its account lookup), so intake would hang instead of answering 503. Off, a
         * dead endpoint fails within one request timeout. The cost is multi-region failover: the
         * client talks only to COSMOS_ENDPOINT, which for a single-region account is all there is.
         */
        enableEndpointDiscovery: false,
        // Throttling (429) is retried briefly, honouring the server's retry-after, then surfaces as 503.
        retryOptions: { maxRetryAttemptCount: 3, maxWaitTimeInSeconds: 5 },
      },
    });
    this.database = this.client.database(options.databaseId);
    this.container = this.database.container(DELIVERIES_CONTAINER);
    this.records = Object.fromEntries(
      RECORD_KINDS.map((kind) => [kind, this.database.container(kind)]),
    ) as Record<RecordKind, Container>;
    this.recordStore = new CosmosRecords(this.records, options.clock, (what, action) =>
      this.guard(what, action),
    );
    this.bodies = new DeliveryBodies(this.database.container(BODIES_CONTAINER), options.clock);
    this.claims = new CosmosInboxClaims(this.container, this.bodies, options.clock);
  }

  async init(): Promise<void> {
    await this.guard('create the database and its containers', async () => {
      await orExisting(() =>
        this.client.databases.createIfNotExists({ id: this.options.databaseId }),
      );
      await Promise.all([
        this.createContainer(DELIVERIES_CONTAINER, '/id'),
        this.createContainer(BODIES_CONTAINER, '/partition'),
        ...RECORD_KINDS.map((kind) => this.createContainer(kind, '/partition')),
      ]);
    });
  }

  async ping(): Promise<void> {
    await this.guard('answer a ping', () => this.database.read());
  }

  async close(): Promise<void> {
    this.client.dispose();
  }

  async acceptDelivery(d: DeliveryInput): Promise<AcceptResult> {
    return this.guard('accept a delivery', async () => {
      let doc = newDocument(d, this.nextSeq(d.receivedAt));
      if (!fitsInOneDocument(doc)) {
        /*
         * Look before writing megabytes of chunks: a redelivery of a big payload would otherwise
         * rewrite them all (request units), and after completion leave them behind. The create
         * below still decides; this only skips work when the answer is already known.
         */
        const existing = await this.read(doc.id);
        if (existing && !isExpired(existing, this.options.clock.now())) return 'duplicate';
        const { chunks, encoding } = await this.bodies.write(doc.id, d.body);
        doc = withChunkedBody(doc, chunks, encoding);
      }
      return (await createUnlessLive(this.container, doc.id, doc, this.options.clock))
        ? 'accepted'
        : 'duplicate';
    });
  }

  /** Rejects with BodyUnavailableError when the body is in chunks and they cannot be reassembled. */
  async getDelivery(key: string): Promise<InboxItem | undefined> {
    return this.guard('read a delivery', async () => {
      const doc = await this.read(toDocumentId(key));
      return doc && !isExpired(doc, this.options.clock.now())
        ? toItem(doc, await this.bodies.read(doc))
        : undefined;
    });
  }

  async claimInbox(options: ClaimOptions): Promise<InboxItem[]> {
    if (options.limit <= 0) return [];
    return this.guard('claim inbox items', () => this.claims.claim(options));
  }

  async completeInbox(key: string, owner: string): Promise<void> {
    const now = this.options.clock.now();
    const before = await this.leased(key, owner, 'complete', (doc) =>
      completed(doc, now, this.options.deliveryTtlMs),
    );
    if (!before.bodyChunks) return;
    /*
     * The chunks are deleted rather than given a ttl: a delete is one small request per chunk,
     * while a ttl means rewriting up to 25 MB (replace and patch are both charged for the whole
     * document), for a body nothing will read again. Only after the status change: deleting first
     * would strand the body of an item whose completion then loses its lease to another worker.
     * Best-effort: the item is done either way, and chunks this leaves behind (a failure, a crash
     * right here) are orphans that sweepExpired removes.
     */
    await this.bodies.remove(before.id).catch(() => undefined);
  }

  async retryInbox(
    key: string,
    owner: string,
    error: string,
    nextAttemptAt: number,
  ): Promise<void> {
    await this.leased(key, owner, 'retry', (doc) => retried(doc, error, nextAttemptAt));
  }

  async parkInbox(key: string, owner: string, error: string): Promise<void> {
    await this.leased(key, owner, 'park', (doc) => parked(doc, error));
  }

  async releaseInbox(key: string, owner: string, notBefore?: number): Promise<void> {
    await this.leased(key, owner, 'release', (doc) => released(doc, notBefore));
  }

  /** Rejects with BodyUnavailableError when one of the bodies is in chunks that cannot be reassembled. */
  async listFailed(limit: number): Promise<InboxItem[]> {
    if (limit <= 0) return [];
    return this.guard('list failed items', async () => {
      const { resources } = await this.container.items
        .query<StoredDeliveryDocument>({
          query: FAILED_QUERY,
          parameters: [{ name: '@limit', value: Math.floor(limit) }],
        })
        .fetchAll();
      return Promise.all(resources.map(async (doc) => toItem(doc, await this.bodies.read(doc))));
    });
  }

  async inboxCounts(): Promise<InboxCounts> {
    const now = this.options.clock.now();
    // One COUNT per status: GROUP BY across partitions is not worth the plan (and the test server lacks it).
    const counts = await this.guard('count inbox items', () =>
      Promise.all(
        INBOX_STATUSES.map(async (status) => {
          const query = {
            query: COUNT_QUERY,
            parameters: [
              { name: '@status', value: status },
              { name: '@now', value: now },
            ],
          };
          const { resources } = await this.container.items.query<number>(query).fetchAll();
          return [status, resources[0] ?? 0] as const;
        }),
      ),
    );
    return Object.fromEntries(counts) as InboxCounts;
  }

  putRecord<T extends object = Record<string, unknown>>(
    record: RecordInput<T>,
    options?: { ifMatch?: string | null },
  ): Promise<StoredRecord<T>> {
    return this.recordStore.put(record, options);
  }

  getRecord<T extends object = Record<string, unknown>>(
    kind: RecordKind,
    partition: string,
    id: string,
  ): Promise<StoredRecord<T> | undefined> {
    return this.recordStore.get(kind, partition, id);
  }

  queryRecords<T extends object = Record<string, unknown>>(
    query: RecordQuery,
  ): Promise<StoredRecord<T>[]> {
    return this.recordStore.query(query);
  }

  deleteRecord(kind: RecordKind, partition: string, id: string): Promise<boolean> {
    return this.recordStore.delete(kind, partition, id);
  }

  /**
   * Real Cosmos deletes expired documents itself, so this finds nothing there but stragglers.
   * Deletes are conditional: a key re-accepted since the query is a live delivery and must stay.
   * Body chunks never expire on their own; those no delivery needs any more go too, and count.
   */
  async sweepExpired(): Promise<number> {
    const now = this.options.clock.now();
    return this.guard('sweep expired documents', async () => {
      const containers = [this.container, ...RECORD_KINDS.map((kind) => this.records[kind])];
      let deleted = 0;
      for (const container of containers) {
        const expired = container.items.query<{ id: string; partition?: string; _etag: string }>(
          { query: EXPIRED_QUERY, parameters: [{ name: '@now', value: now }] },
          { maxItemCount: SWEEP_PAGE },
        );
        while (expired.hasMoreResults()) {
          const { resources } = await expired.fetchNext();
          const results = await Promise.all(
            resources.map((doc) =>
              deleteIfUnchanged(container.item(doc.id, doc.partition ?? doc.id), doc._etag),
            ),
          );
          deleted += results.filter(Boolean).length;
        }
      }
      deleted += await this.bodies.sweepOrphans(async (id) => {
        const doc = await this.read(id);
        return doc !== undefined && !isExpired(doc, now) && Boolean(doc.bodyChunks);
      });
      return deleted;
    });
  }

  private nextSeq(receivedAt: number): number {
    this.lastSeq = Math.max(receivedAt * SEQ_PER_MS, this.lastSeq + 1);
    return this.lastSeq;
  }

  private async createContainer(id: string, partitionKeyPath: string): Promise<void> {
    const { resource } = await orExisting(() =>
      this.database.containers.createIfNotExists({
        id,
        partitionKey: { paths: [partitionKeyPath] },
        // -1: TTL is on, and each document decides (only expiring ones set `ttl`).
        defaultTtl: -1,
        indexingPolicy: INDEXING_POLICY,
      }),
    );
    if (!resource) throw new Error(`Cosmos DB returned no definition for container ${id}`);
    const paths = resource.partitionKey?.paths ?? [];
    if (paths.length !== 1 || paths[0] !== partitionKeyPath) {
      throw new Error(
        `container ${this.options.databaseId}/${id} is partitioned by ${paths.join(',') || 'nothing'}, but Reynolds ` +
          `needs ${partitionKeyPath}: delete it or point COSMOS_DATABASE elsewhere`,
      );
    }
    // A container created by hand without TTL would silently ignore every document's `ttl`.
    if (resource.defaultTtl === undefined)
      await this.database.container(id).replace({ ...resource, defaultTtl: -1 });
  }

  private async read(id: string): Promise<StoredDeliveryDocument | undefined> {
    // The SDK answers a missing item with resource undefined (status 404) rather than throwing.
    const { resource } = await this.container.item(id, id).read<StoredDeliveryDocument>();
    return resource;
  }

  /**
   * Reads the item, checks the lease, and writes the change only if nobody touched it since.
   * Returns the document as it was before the change.
   */
  private async leased(
    key: string,
    owner: string,
    what: string,
    change: (doc: DeliveryDocument) => DeliveryDocument,
  ): Promise<DeliveryDocument> {
    return this.guard(`${what} an inbox item`, async () => {
      const doc = await this.read(toDocumentId(key));
      if (!doc || doc.status !== 'processing' || doc.leaseOwner !== owner)
        throw new LeaseLostError(key, owner);
      if (!(await replaceIfUnchanged(this.container.item(doc.id, doc.id), doc._etag, change(doc))))
        throw new LeaseLostError(key, owner);
      return doc;
    });
  }

  /** Turns "Cosmos cannot be reached or will not serve us" into StoreUnavailableError (intake: 503). */
  private async guard<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (
        error instanceof StoreUnavailableError ||
        error instanceof LeaseLostError ||
        error instanceof ConflictError
      )
        throw error;
      const reason = unavailableReason(error);
      if (reason === undefined) throw error;
      throw new StoreUnavailableError(
        `Cosmos DB at ${this.options.endpoint} could not ${what}: ${reason}. ` +
          'Check COSMOS_ENDPOINT and COSMOS_KEY, and that the account is reachable from this host',
        { cause: error },
      );
    }
  }
}
