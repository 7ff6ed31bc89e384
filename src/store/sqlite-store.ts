/**
 * The embedded store: one SQLite file under DATA_DIR, so Reynolds runs on a laptop with no cloud
 * account. better-sqlite3 is synchronous; every call is a few microseconds of local I/O, which is
 * cheaper than the promise machinery an async driver would add, and it keeps claims atomic
 * without locks of our own.
 *
 * Durability: WAL with synchronous=NORMAL survives a process crash (kill -9): a commit is in the
 * WAL before the call returns. synchronous=FULL (SQLITE_SYNCHRONOUS=full) also survives power loss.
 *
 * Expiry: SQLite has no TTL, so reads ignore rows past `expires_at` and `sweepExpired()` (run on
 * a timer by the composition root) deletes them in small batches, mirroring Cosmos's `ttl`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { randomUUID } from 'node:crypto';
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  seq             INTEGER PRIMARY KEY,
  key             TEXT    NOT NULL UNIQUE,
  tenant_id       TEXT    NOT NULL,
  delivery_id     TEXT    NOT NULL,
  event           TEXT    NOT NULL,
  action          TEXT,
  ordering_key    TEXT    NOT NULL,
  received_at     INTEGER NOT NULL,
  body            TEXT,
  status          TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner     TEXT,
  lease_until     INTEGER,
  last_error      TEXT,
  completed_at    INTEGER,
  expires_at      INTEGER
);
CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (seq) WHERE status IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS deliveries_failed ON deliveries (seq) WHERE status = 'failed';
CREATE INDEX IF NOT EXISTS deliveries_expiry ON deliveries (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status);

CREATE TABLE IF NOT EXISTS records (
  kind       TEXT    NOT NULL,
  partition  TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  tenant_id  TEXT    NOT NULL,
  data       TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  etag       TEXT    NOT NULL,
  PRIMARY KEY (kind, partition, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_recent ON records (kind, tenant_id, updated_at);
CREATE INDEX IF NOT EXISTS records_partition_recent ON records (kind, partition, updated_at);
CREATE INDEX IF NOT EXISTS records_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;
`;

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

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    if (this.db) return;
    this.guard('open', () => {
      if (this.options.file !== ':memory:') mkdirSync(path.dirname(this.options.file), { recursive: true });
      const db = new Database(this.options.file);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.exec(SCHEMA);
      this.db = db;
      this.statements = this.prepare(db);
    });
  }

  /** Proves the store can take a write, not just a read: WAL lets reads through a held write lock. */
  async ping(): Promise<void> {
    this.guard('take a write lock', () => this.sql().ping());
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.statements = undefined;
    this.statementCache.clear();
    db?.close();
  }

  async acceptDelivery(d: DeliveryInput): Promise<AcceptResult> {
    return this.guard('accept delivery', () => this.sql().accept(d, this.options.clock.now()));
  }

  async getDelivery(key: string): Promise<InboxItem | undefined> {
    const row = this.guard('read delivery', () => this.sql().get.get(key, this.options.clock.now()) as DeliveryRow | undefined);
    return row && toItem(row);
  }

  async claimInbox({ owner, limit, leaseMs }: ClaimOptions): Promise<InboxItem[]> {
    const now = this.options.clock.now();
    const rows = this.guard('claim inbox', () => this.sql().claim(owner, limit, now, now + leaseMs));
    return rows.map(toItem);
  }

  async completeInbox(key: string, owner: string): Promise<void> {
    const now = this.options.clock.now();
    this.leased(key, owner, 'complete', () => this.sql().complete.run({ key, owner, now, expiresAt: now + this.options.deliveryTtlMs }));
  }

  async retryInbox(key: string, owner: string, error: string, nextAttemptAt: number): Promise<void> {
    this.leased(key, owner, 'retry', () => this.sql().retry.run({ key, owner, error, nextAttemptAt }));
  }

  async parkInbox(key: string, owner: string, error: string): Promise<void> {
    this.leased(key, owner, 'park', () => this.sql().park.run({ key, owner, error }));
  }

  async releaseInbox(key: string, owner: string): Promise<void> {
    this.leased(key, owner, 'release', () => this.sql().release.run({ key, owner }));
  }

  async listFailed(limit: number): Promise<InboxItem[]> {
    const rows = this.guard('list failed', () => this.sql().failed.all(limit) as DeliveryRow[]);
    return rows.map(toItem);
  }

  async inboxCounts(): Promise<InboxCounts> {
    const rows = this.guard('count inbox', () => this.sql().counts.all(this.options.clock.now()) as { status: InboxStatus; n: number }[]);
    const counts = Object.fromEntries(INBOX_STATUSES.map((s) => [s, 0])) as InboxCounts;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
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
    const written = this.guard(`write ${record.kind}`, () => {
      if (options.ifMatch === undefined) return this.sql().upsertRecord.run(row).changes;
      if (options.ifMatch === null) return this.sql().createRecord(row);
      return this.sql().replaceRecord.run(row).changes;
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
    return this.guard(`delete ${kind}`, () => this.sql().deleteRecord.run(kind, partition, id, this.options.clock.now()).changes > 0);
  }

  async sweepExpired(): Promise<number> {
    const now = this.options.clock.now();
    let total = 0;
    for (const statement of ['sweep', 'sweepRecords'] as const) {
      for (;;) {
        const deleted = this.guard('sweep', () => this.sql()[statement].run(now, SWEEP_BATCH).changes);
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
      INSERT INTO deliveries (key, tenant_id, delivery_id, event, action, ordering_key, received_at, body, status, attempts, next_attempt_at)
      VALUES (@key, @tenantId, @deliveryId, @event, @action, @orderingKey, @receivedAt, @body, 'pending', 0, @receivedAt)
      ON CONFLICT (key) DO NOTHING`);
    const deleteExpired = db.prepare('DELETE FROM deliveries WHERE key = ? AND expires_at IS NOT NULL AND expires_at <= ?');
    const due = db.prepare(`
      SELECT * FROM deliveries
      WHERE status IN ('pending', 'processing')
        AND ((status = 'pending' AND next_attempt_at <= @now) OR (status = 'processing' AND lease_until <= @now))
      ORDER BY seq LIMIT @limit`);
    const lease = db.prepare(`
      UPDATE deliveries SET status = 'processing', lease_owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1
      WHERE seq = @seq`);
    const open = `WHERE key = @key AND lease_owner = @owner AND status = 'processing'`;

    const acceptTx = db.transaction((d: DeliveryInput, now: number): AcceptResult => {
      const row = { ...d, action: d.action ?? null };
      if (insert.run(row).changes === 1) return 'accepted';
      // The key exists. It only counts as seen if it has not expired (the sweeper may lag).
      if (deleteExpired.run(d.key, now).changes === 0) return 'duplicate';
      insert.run(row);
      return 'accepted';
    });
    const claimTx = db.transaction((owner: string, limit: number, now: number, leaseUntil: number): DeliveryRow[] => {
      const rows = due.all({ now, limit }) as DeliveryRow[];
      for (const row of rows) {
        lease.run({ owner, leaseUntil, seq: row.seq });
        row.status = 'processing';
        row.lease_owner = owner;
        row.lease_until = leaseUntil;
        row.attempts += 1;
      }
      return rows;
    });

    const insertRecord = db.prepare(`
      INSERT INTO records (kind, partition, id, tenant_id, data, updated_at, expires_at, etag)
      VALUES (@kind, @partition, @id, @tenantId, @data, @updatedAt, @expiresAt, @etag)
      ON CONFLICT (kind, partition, id) DO UPDATE SET
        tenant_id = excluded.tenant_id, data = excluded.data, updated_at = excluded.updated_at,
        expires_at = excluded.expires_at, etag = excluded.etag
      WHERE records.expires_at IS NOT NULL AND records.expires_at <= @now`);
    const createRecordTx = db.transaction((row: Record<string, unknown>) => insertRecord.run(row).changes);

    return {
      ping: db.transaction(() => undefined).immediate,
      upsertRecord: db.prepare(`
        INSERT INTO records (kind, partition, id, tenant_id, data, updated_at, expires_at, etag)
        VALUES (@kind, @partition, @id, @tenantId, @data, @updatedAt, @expiresAt, @etag)
        ON CONFLICT (kind, partition, id) DO UPDATE SET
          tenant_id = excluded.tenant_id, data = excluded.data, updated_at = excluded.updated_at,
          expires_at = excluded.expires_at, etag = excluded.etag`),
      /** Inserts unless a live record exists (an expired one is replaced). */
      createRecord: (row: Record<string, unknown>) => createRecordTx(row),
      replaceRecord: db.prepare(`
        UPDATE records SET tenant_id = @tenantId, data = @data, updated_at = @updatedAt, expires_at = @expiresAt, etag = @etag
        WHERE kind = @kind AND partition = @partition AND id = @id AND etag = @ifMatch
          AND (expires_at IS NULL OR expires_at > @now)`),
      getRecord: db.prepare('SELECT * FROM records WHERE kind = ? AND partition = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)'),
      deleteRecord: db.prepare('DELETE FROM records WHERE kind = ? AND partition = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)'),
      sweepRecords: db.prepare(`
        DELETE FROM records WHERE (kind, partition, id) IN (
          SELECT kind, partition, id FROM records WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`),
      accept: (d: DeliveryInput, now: number) => acceptTx.immediate(d, now),
      get: db.prepare('SELECT * FROM deliveries WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)'),
      claim: (owner: string, limit: number, now: number, leaseUntil: number) => claimTx.immediate(owner, limit, now, leaseUntil),
      complete: db.prepare(`
        UPDATE deliveries SET status = 'done', body = NULL, completed_at = @now, expires_at = @expiresAt,
          lease_owner = NULL, lease_until = NULL ${open}`),
      retry: db.prepare(`
        UPDATE deliveries SET status = 'pending', next_attempt_at = @nextAttemptAt, last_error = @error,
          lease_owner = NULL, lease_until = NULL ${open}`),
      park: db.prepare(`
        UPDATE deliveries SET status = 'failed', last_error = @error, lease_owner = NULL, lease_until = NULL ${open}`),
      release: db.prepare(`
        UPDATE deliveries SET status = 'pending', attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_until = NULL ${open}`),
      failed: db.prepare(`SELECT * FROM deliveries WHERE status = 'failed' ORDER BY seq LIMIT ?`),
      counts: db.prepare('SELECT status, count(*) AS n FROM deliveries WHERE expires_at IS NULL OR expires_at > ? GROUP BY status'),
      sweep: db.prepare(`
        DELETE FROM deliveries WHERE seq IN (
          SELECT seq FROM deliveries WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`),
    };
  }

  private sql(): NonNullable<SqliteStore['statements']> {
    if (!this.statements) throw new StoreUnavailableError('the SQLite store is not open (init() was not called, or it was closed)');
    return this.statements;
  }

  /** Runs a lease-checked update; no row changed means the caller no longer holds the item. */
  private leased(key: string, owner: string, what: string, update: () => Database.RunResult): void {
    if (this.guard(`${what} inbox item`, update).changes === 0) throw new LeaseLostError(key, owner);
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
      if (/^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM)/.test(code)) {
        throw new StoreUnavailableError(`SQLite could not ${what} (${code}) in ${this.options.file}: check DATA_DIR's disk space, permissions, and that no other process holds the file`, { cause: error });
      }
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
