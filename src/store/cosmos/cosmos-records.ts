/**
 * The generic records of the Store port on Cosmos: one container per kind (chains, nodes, audit,
 * echoes, conversations, subscriptions, threads, outbox), partitioned by `/partition`, with
 * expiry-aware reads (the test server never expires anything; real Cosmos does, by `ttl`).
 */
import type { Container, SqlParameter } from '@azure/cosmos';
import type { Clock } from '../../core/clock.js';
import {
  isExpired,
  toDocumentId,
  toRecord,
  toRecordDocument,
  type StoredRecordDocument,
} from './cosmos-documents.js';
import { createUnlessLive, replaceIfUnchanged, statusOf } from './cosmos-errors.js';
import {
  ConflictError,
  FILTER_FIELD,
  type RecordInput,
  type RecordKind,
  type RecordQuery,
  type StoredRecord,
} from '../store.js';

/** Live: not expired yet, whatever the server did about it. */
export const LIVE = '(IS_NULL(c.expiresAt) OR c.expiresAt > @now)';

/** Runs a store call, turning "Cosmos cannot be reached" into StoreUnavailableError. */
export type CosmosGuard = <T>(what: string, action: () => Promise<T>) => Promise<T>;

export class CosmosRecords {
  constructor(
    private readonly containers: Record<RecordKind, Container>,
    private readonly clock: Clock,
    private readonly guard: CosmosGuard,
  ) {}

  async put<T extends object = Record<string, unknown>>(
    record: RecordInput<T>,
    options: { ifMatch?: string | null } = {},
  ): Promise<StoredRecord<T>> {
    const { kind, partition } = record;
    return this.guard(`write a ${kind} record`, async () => {
      const now = this.clock.now();
      const doc = toRecordDocument(record, now);
      const container = this.containers[kind];
      let written: StoredRecordDocument | undefined;
      if (options.ifMatch === undefined) {
        written = (await container.items.upsert(doc)).resource as StoredRecordDocument | undefined;
      } else if (options.ifMatch === null) {
        written = await createUnlessLive(container, partition, doc, this.clock);
      } else {
        // Read first: a record that expired since the caller saw it is gone, even if its etag matches.
        const current = await this.read(kind, partition, doc.id);
        if (current && !isExpired(current, now) && current._etag === options.ifMatch) {
          written = await replaceIfUnchanged(container.item(doc.id, partition), current._etag, doc);
        }
      }
      if (!written) throw new ConflictError(kind, partition, record.id);
      return toRecord<T>(kind, written);
    });
  }

  async get<T extends object = Record<string, unknown>>(
    kind: RecordKind,
    partition: string,
    id: string,
  ): Promise<StoredRecord<T> | undefined> {
    const doc = await this.guard(`read a ${kind} record`, () =>
      this.read(kind, partition, toDocumentId(id)),
    );
    return doc && !isExpired(doc, this.clock.now()) ? toRecord<T>(kind, doc) : undefined;
  }

  async query<T extends object = Record<string, unknown>>(
    query: RecordQuery,
  ): Promise<StoredRecord<T>[]> {
    if (query.limit <= 0) return [];
    const parameters: SqlParameter[] = [
      { name: '@limit', value: Math.floor(query.limit) },
      { name: '@tenantId', value: query.tenantId },
      { name: '@now', value: this.clock.now() },
    ];
    let sql = `SELECT TOP @limit * FROM c WHERE c.tenantId = @tenantId AND ${LIVE}`;
    if (query.partition !== undefined) {
      sql += ' AND c.partition = @partition';
      parameters.push({ name: '@partition', value: query.partition });
    }
    Object.entries(query.where ?? {}).forEach(([field, value], i) => {
      // Values are parameters; field names cannot be, hence the whitelist.
      if (!FILTER_FIELD.test(field))
        throw new Error(`not a filterable field name: ${JSON.stringify(field)}`);
      sql += ` AND c.data.${field} = @v${i}`;
      parameters.push({ name: `@v${i}`, value });
    });
    sql += query.oldestFirst ? ' ORDER BY c.updatedAt ASC' : ' ORDER BY c.updatedAt DESC';
    // With a partition the query stays in one logical partition; without, it fans out.
    const feed = query.partition === undefined ? {} : { partitionKey: query.partition };
    const { resources } = await this.guard(`query ${query.kind} records`, () =>
      this.containers[query.kind].items
        .query<StoredRecordDocument>({ query: sql, parameters }, feed)
        .fetchAll(),
    );
    return resources.map((doc) => toRecord<T>(query.kind, doc));
  }

  async delete(kind: RecordKind, partition: string, id: string): Promise<boolean> {
    return this.guard(`delete a ${kind} record`, async () => {
      const doc = await this.read(kind, partition, toDocumentId(id));
      // An expired record is not "there"; it is left to TTL or the sweep, as in SQLite.
      if (!doc || isExpired(doc, this.clock.now())) return false;
      try {
        await this.containers[kind].item(doc.id, partition).delete();
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    });
  }

  private async read(
    kind: RecordKind,
    partition: string,
    id: string,
  ): Promise<StoredRecordDocument | undefined> {
    const { resource } = await this.containers[kind]
      .item(id, partition)
      .read<StoredRecordDocument>();
    return resource;
  }
}
