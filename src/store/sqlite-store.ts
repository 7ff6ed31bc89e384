/**
 * The embedded store: one SQLite file under DATA_DIR, so Reynolds runs on a laptop with no cloud
 * account. better-sqlite3 is synchronous; every call is a few microseconds of local I/O, which is
 * cheaper than the promise machinery an async driver would add, and it keeps claims atomic
 * without locks of our own.
 *
 * Durability: WAL with synchronous=NORMAL survives a process crash (kill -9): a commit is in the
 * WAL before the call returns. synchronous=FULL (SQLITE_SYNCHRONOUS=full) also survives power loss.
 * Writes are group-committed (sqlite-group-commit.ts): each resolves after its batch's COMMIT.
 *
 * Expiry: SQLite has no TTL, so reads ignore rows past `expires_at` and `sweepExpired()` (run on
 * a timer by the composition root) deletes them in small batches, mirroring Cosmos's `ttl`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { DELIVERY_WITH_BODY, SCHEMA, SCHEMA_VERSION } from './sqlite-schema.js';
import {
  ConflictError,
  FILTER_FIELD,
  INBOX_STATUSES,
  LeaseLostError,
  StoreUnavailableError,
  type AcceptResult,
  type RecordInput,
  type RecordKind,
  type RecordQuery,
  type StoredRecord,
  type ClaimOptions,
  type DeliveryInput,
  type InboxCounts,
  type InboxItem,
  type InboxStatus,
  type Store,
} from './store.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  clock: Clock;
  deliveryTtlMs: number;
  synchronous?: 'normal' | 'full';
}

/** The file name under DATA_DIR. */
export const SQLITE_FILE_NAME = 'reynolds.sqlite';

/*
 * Wait at most this long for a lock held by another process. better-sqlite3 blocks the event loop
 * while it waits, so this stays short: a locked file should become a quick 503, not a stall.
 */
const BUSY_TIMEOUT_MS = 50;
/** Rows deleted per sweep statement, so a large sweep never blocks the event loop for long. */
const SWEEP_BATCH = 2000;
/*
 * WAL pages between automatic checkpoints (SQLite's default is 1000). A checkpoint fsyncs inside
 * whichever commit crosses the line; fewer, larger ones stall intake less often (bench/README.md).
 */
const WAL_AUTOCHECKPOINT_PAGES = 4000;

interface RecordRow {
  kind: RecordKind;
  partition: string;
  id: string;
  tenant_id: string;
  data: string;
  updated_at: number;
  expires_at: number | null;
  etag: string;
}

interface DeliveryRow {
  seq: number;
  key: string;
  tenant_id: string;
  delivery_id: string;
  event: string;
  action: string | null;
  ordering_key: string;
  received_at: number;
  body: string | null;
  status: InboxStatus;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  completed_at: number | null;
  expires_at: number | null;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | undefined;
  private statements: ReturnType<SqliteStore['prepare']> | undefined;
  /** Record queries vary only by which filters they use; each shape is prepared once. */
  private readonly statementCache = new Map<string, Database.Statement>();
  private readonly commits = new GroupCommit(
    () => this.db,
    (error) => this.unavailable('commit', error),
  );

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    if (this.db) return;
    this.guard('open', () => {
      if (this.options.file !== ':memory:') mkdirSync(path.dirname(this.options.file), { recursive: true });
      const db = new Database(this.options.file);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.db = db;
      this.statements = this.prepare(db);
    });
  }

  /** Proves the store can take a write, not just a read: WAL lets reads through a held write lock. */
  async ping(): Promise<void> {
    this.guard('take a write lock', () => this.sql().ping());
  }

  async close(): Promise<void> {
    this.commits.flush(); // what callers already asked for is written, not dropped
    const db = this.db;
    this.db = undefined;
    this.statements = undefined;
    this.statementCache.clear();
    db?.close();
  }

  async acceptDelivery(d: DeliveryInput): Promise<AcceptResult> {
    const sql = this.sql();
    return this.write('accept delivery', () => sql.accept(d, this.options.clock.now()));
  }

  async getDelivery(key: string): Promise<InboxItem | undefined> {
    const row = this.guard('read delivery', () => this.sql().get.get(key, this.options.clock.now()) as DeliveryRow | undefined);
    return row && toItem(row);
  }

  async claimInbox({ owner, limit, leaseMs }: ClaimOptions): Promise<InboxItem[]> {
    const now = this.options.clock.now();
    const sql = this.sql();
    const rows = await this.write('claim inbox', () => sql.claim(owner, limit, now, now + leaseMs));
    return rows.map(toItem);
  }

  async completeInbox(key: string, owner: string): Promise<void> {
    const now = this.options.clock.now();
    const sql = this.sql();
    await this.leased(key, owner, 'complete', () => sql.complete({ key, owner, now, expiresAt: now + this.options.deliveryTtlMs }));
  }

  async retryInbox(key: string, owner: string, error: string, nextAttemptAt: number): Promise<void> {
    const sql = this.sql();
    await this.leased(key, owner, 'retry', () => sql.retry.run({ key, owner, error, nextAttemptAt }).changes);
  }

  async parkInbox(key: string, owner: string, error: string): Promise<void> {
    const sql = this.sql();
    await this.leased(key, owner, 'park', () => sql.park.run({ key, owner, error }).changes);
  }

  async releaseInbox(key: string, owner: string): Promise<void> {
    const sql = this.sql();
    await this.leased(key, owner, 'release', () => sql.release.run({ key, owner }).changes);
  }

  async listFailed(limit: number): Promise<InboxItem[]> {
    const rows = this.guard('list failed', () => this.sql().failed.all(limit) as DeliveryRow[]);
    return rows.map(toItem);
  }

  async inboxCounts(): Promise<InboxCounts> {
    const sql = this.sql();
    return this.guard('count inbox', () => {
      const counts = Object.fromEntries(INBOX_STATUSES.map((s) => [s, 0])) as InboxCounts;
      for (const row of sql.openCounts.all() as { status: InboxStatus; n: number }[]) counts[row.status] = row.n;
      counts.failed = (sql.failedCount.get() as { n: number }).n;
      counts.done = (sql.doneCount.get(this.options.clock.now()) as { n: number }).n;
      return counts;
    });
  }

  async putRecord<T extends object = Record<string, unknown>>(record: RecordInput<T>, options: { ifMatch?: string | null } = {}): Promise<StoredRecord<T>> {
    const now = this.options.clock.now();
    const stored: StoredRecord<T> = { ...record, updatedAt: now, etag: randomUUID() };
    const row = {
      kind: record.kind,
      partition: record.partition,
      id: record.id,
      tenantId: record.tenantId,
      data: JSON.stringify(record.data),
      updatedAt: now,
      expiresAt: record.expiresAt ?? null,
      etag: stored.etag,
      now,
      ifMatch: options.ifMatch ?? null,
    };
    const sql = this.sql();
    const written = await this.write(`write ${record.kind}`, () => {
      if (options.ifMatch === undefined) return sql.upsertRecord.run(row).changes;
      if (options.ifMatch === null) return sql.createRecord.run(row).changes;
      return sql.replaceRecord.run(row).changes;
    });
    if (written === 0) throw new ConflictError(record.kind, record.partition, record.id);
    return stored;
  }

  async getRecord<T extends object = Record<string, unknown>>(kind: RecordKind, partition: string, id: string): Promise<StoredRecord<T> | undefined> {
    const row = this.guard(`read ${kind}`, () => this.sql().getRecord.get(kind, partition, id, this.options.clock.now()) as RecordRow | undefined);
    return row && toRecord<T>(row);
  }

  async queryRecords<T extends object = Record<string, unknown>>(query: RecordQuery): Promise<StoredRecord<T>[]> {
    const params: (string | number)[] = [query.kind, query.tenantId, this.options.clock.now()];
    let sql = 'SELECT * FROM records WHERE kind = ? AND tenant_id = ? AND (expires_at IS NULL OR expires_at > ?)';
    if (query.partition !== undefined) {
      sql += ' AND partition = ?';
      params.push(query.partition);
    }
    for (const [field, value] of Object.entries(query.where ?? {})) {
      if (!FILTER_FIELD.test(field)) throw new Error(`not a filterable field name: ${JSON.stringify(field)}`);
      sql += ` AND json_extract(data, '$.${field}') = ?`;
      params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    sql += ' ORDER BY updated_at DESC LIMIT ?';
    params.push(query.limit);
    const rows = this.guard(`query ${query.kind}`, () => this.cachedStatement(sql).all(...params) as RecordRow[]);
    return rows.map((row) => toRecord<T>(row));
  }

  async deleteRecord(kind: RecordKind, partition: string, id: string): Promise<boolean> {
    const sql = this.sql();
    return this.write(`delete ${kind}`, () => sql.deleteRecord.run(kind, partition, id, this.options.clock.now()).changes > 0);
  }

  async sweepExpired(): Promise<number> {
    const now = this.options.clock.now();
    let total = 0;
    for (const statement of ['sweep', 'sweepRecords'] as const) {
      for (;;) {
        const sql = this.sql();
        const deleted = await this.write('sweep', () => sql[statement](now, SWEEP_BATCH));
        total += deleted;
        if (deleted < SWEEP_BATCH) break;
        await new Promise((resolve) => setImmediate(resolve)); // let requests through between batches
      }
    }
    return total;
  }

  private cachedStatement(sql: string): Database.Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      if (!this.db) throw new StoreUnavailableError('the SQLite store is not open (init() was not called, or it was closed)');
      statement = this.db.prepare(sql);
      if (this.statementCache.size < 256) this.statementCache.set(sql, statement);
    }
    return statement;
  }

  private prepare(db: Database.Database) {
    const insert = db.prepare(`
      INSERT INTO deliveries (key, tenant_id, delivery_id, event, action, ordering_key, received_at, status, attempts, next_attempt_at)
      VALUES (@key, @tenantId, @deliveryId, @event, @action, @orderingKey, @receivedAt, 'pending', 0, @receivedAt)
      ON CONFLICT (key) DO NOTHING`);
    const insertBody = db.prepare('INSERT INTO delivery_bodies (seq, body) VALUES (?, ?)');
    const expiredSeq = db.prepare('SELECT seq FROM deliveries WHERE key = ? AND expires_at IS NOT NULL AND expires_at <= ?');
    const deleteDelivery = db.prepare('DELETE FROM deliveries WHERE seq = ?');
    const deleteBody = db.prepare('DELETE FROM delivery_bodies WHERE seq = ?');
    const due = db.prepare(`
      SELECT ${DELIVERY_WITH_BODY}
      WHERE d.status IN ('pending', 'processing')
        AND ((d.status = 'pending' AND d.next_attempt_at <= @now) OR (d.status = 'processing' AND d.lease_until <= @now))
      ORDER BY d.seq LIMIT @limit`);
    const lease = db.prepare(`
      UPDATE deliveries SET status = 'processing', lease_owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1
      WHERE seq = @seq`);
    const open = `WHERE key = @key AND lease_owner = @owner AND status = 'processing'`;
    const complete = db.prepare(`
      UPDATE deliveries SET status = 'done', completed_at = @now, expires_at = @expiresAt, lease_owner = NULL, lease_until = NULL
      ${open} RETURNING seq`);
    const expiredDeliveries = db.prepare('SELECT seq FROM deliveries WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?');
    const recordColumns = `
      INSERT INTO records (kind, partition, id, tenant_id, data, updated_at, expires_at, etag)
      VALUES (@kind, @partition, @id, @tenantId, @data, @updatedAt, @expiresAt, @etag)
      ON CONFLICT (kind, partition, id) DO UPDATE SET
        tenant_id = excluded.tenant_id, data = excluded.data, updated_at = excluded.updated_at,
        expires_at = excluded.expires_at, etag = excluded.etag`;

    return {
      ping: db.transaction(() => undefined).immediate,
      /** Insert, or if the key is there but expired (the sweeper may lag), take its place. */
      accept(d: DeliveryInput, now: number): AcceptResult {
        const row = { ...d, action: d.action ?? null };
        let inserted = insert.run(row);
        if (inserted.changes === 0) {
          const expired = expiredSeq.get(d.key, now) as { seq: number } | undefined;
          if (!expired) return 'duplicate';
          deleteDelivery.run(expired.seq);
          deleteBody.run(expired.seq);
          inserted = insert.run(row);
        }
        insertBody.run(inserted.lastInsertRowid, d.body);
        return 'accepted';
      },
      get: db.prepare(`SELECT ${DELIVERY_WITH_BODY} WHERE d.key = ? AND (d.expires_at IS NULL OR d.expires_at > ?)`),
      claim(owner: string, limit: number, now: number, leaseUntil: number): DeliveryRow[] {
        const rows = due.all({ now, limit }) as DeliveryRow[];
        for (const row of rows) {
          lease.run({ owner, leaseUntil, seq: row.seq });
          row.status = 'processing';
          row.lease_owner = owner;
          row.lease_until = leaseUntil;
          row.attempts += 1;
        }
        return rows;
      },
      /** Done: the body is dropped, the row kept until expiresAt for dedupe. */
      complete(params: { key: string; owner: string; now: number; expiresAt: number }): number {
        const done = complete.get(params) as { seq: number } | undefined;
        if (done) deleteBody.run(done.seq);
        return done ? 1 : 0;
      },
      retry: db.prepare(`
        UPDATE deliveries SET status = 'pending', next_attempt_at = @nextAttemptAt, last_error = @error,
          lease_owner = NULL, lease_until = NULL ${open}`),
      park: db.prepare(`UPDATE deliveries SET status = 'failed', last_error = @error, lease_owner = NULL, lease_until = NULL ${open}`),
      release: db.prepare(`
        UPDATE deliveries SET status = 'pending', attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_until = NULL ${open}`),
      failed: db.prepare(`SELECT ${DELIVERY_WITH_BODY} WHERE d.status = 'failed' ORDER BY d.seq LIMIT ?`),
      // Counted through the partial indexes: cheap however long the history.
      openCounts: db.prepare(`SELECT status, count(*) AS n FROM deliveries WHERE status IN ('pending', 'processing') GROUP BY status`),
      failedCount: db.prepare(`SELECT count(*) AS n FROM deliveries WHERE status = 'failed'`),
      doneCount: db.prepare('SELECT count(*) AS n FROM deliveries WHERE expires_at IS NOT NULL AND expires_at > ?'),
      sweep(now: number, limit: number): number {
        const rows = expiredDeliveries.all(now, limit) as { seq: number }[];
        for (const { seq } of rows) {
          deleteDelivery.run(seq);
          deleteBody.run(seq);
        }
        return rows.length;
      },
      upsertRecord: db.prepare(recordColumns),
      /** Create-if-absent: inserts unless a live record exists (an expired one is replaced). */
      createRecord: db.prepare(`${recordColumns} WHERE records.expires_at IS NOT NULL AND records.expires_at <= @now`),
      replaceRecord: db.prepare(`
        UPDATE records SET tenant_id = @tenantId, data = @data, updated_at = @updatedAt, expires_at = @expiresAt, etag = @etag
        WHERE kind = @kind AND partition = @partition AND id = @id AND etag = @ifMatch
          AND (expires_at IS NULL OR expires_at > @now)`),
      getRecord: db.prepare('SELECT * FROM records WHERE kind = ? AND partition = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)'),
      deleteRecord: db.prepare('DELETE FROM records WHERE kind = ? AND partition = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)'),
      sweepRecords: (() => {
        const statement = db.prepare(`
          DELETE FROM records WHERE (kind, partition, id) IN (
            SELECT kind, partition, id FROM records WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`);
        return (now: number, limit: number) => statement.run(now, limit).changes;
      })(),
    };
  }

  private sql(): NonNullable<SqliteStore['statements']> {
    if (!this.statements) throw new StoreUnavailableError('the SQLite store is not open (init() was not called, or it was closed)');
    return this.statements;
  }

  /** A lease-checked update, group-committed; no row changed means the caller no longer holds the item. */
  private async leased(key: string, owner: string, what: string, update: () => number): Promise<void> {
    const changed = await this.write(`${what} inbox item`, update);
    if (changed === 0) throw new LeaseLostError(key, owner);
  }

  /** Queues a write for this turn's group commit; SQLite failures become StoreUnavailableError. */
  private write<T>(what: string, run: () => T): Promise<T> {
    return this.commits.write(() => this.guard(what, run));
  }

  private unavailable(what: string, error: unknown): unknown {
    if (error instanceof StoreUnavailableError) return error;
    const code = (error as { code?: string }).code ?? '';
    return new StoreUnavailableError(`SQLite could not ${what} (${code || (error as Error).message}) in ${this.options.file}: check DATA_DIR's disk space, permissions, and that no other process holds the file`, { cause: error });
  }

  /**
   * Turns SQLite's failures to reach or write the file (locked by another process, disk full,
   * I/O error, read-only) into StoreUnavailableError, which intake answers with 503.
   */
  private guard<T>(what: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof LeaseLostError) throw error;
      const code = (error as { code?: string }).code ?? '';
      if (/^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM)/.test(code)) throw this.unavailable(what, error);
      throw error;
    }
  }
}

function toRecord<T>(row: RecordRow): StoredRecord<T> {
  const record: StoredRecord<T> = {
    kind: row.kind,
    partition: row.partition,
    id: row.id,
    tenantId: row.tenant_id,
    data: JSON.parse(row.data) as T,
    updatedAt: row.updated_at,
    etag: row.etag,
  };
  if (row.expires_at !== null) record.expiresAt = row.expires_at;
  return record;
}

function toItem(row: DeliveryRow): InboxItem {
  const item: InboxItem = {
    tenantId: row.tenant_id,
    key: row.key,
    deliveryId: row.delivery_id,
    event: row.event,
    orderingKey: row.ordering_key,
    receivedAt: row.received_at,
    body: row.body,
    status: row.status,
    seq: row.seq,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
  };
  if (row.action !== null) item.action = row.action;
  if (row.lease_owner !== null) item.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) item.leaseUntil = row.lease_until;
  if (row.last_error !== null) item.lastError = row.last_error;
  if (row.completed_at !== null) item.completedAt = row.completed_at;
  if (row.expires_at !== null) item.expiresAt = row.expires_at;
  return item;
}
