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
import type { Clock } from '../../core/clock.js';
import { BodyJournal, type BodyJournalOptions } from './body-journal.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { MIGRATE_FROM_V1, SCHEMA, SCHEMA_VERSION } from './sqlite-schema.js';
import {
  prepareStatements,
  toItem,
  toRecord,
  type DeliveryRow,
  type RecordRow,
  type SqliteStatements,
} from './sqlite-statements.js';
import {
  ConflictError,
  FILTER_FIELD,
  LeaseLostError,
  StoreUnavailableError,
  type AcceptResult,
  type RecordInput,
  type RecordKind,
  type RecordQuery,
  type StoredRecord,
  type ClaimOptions,
  type InboxCounts,
  type Store,
} from '../store.js';
import {
  INBOX_STATUSES,
  type DeliveryInput,
  type InboxItem,
  type InboxStatus,
} from '../../core/inbox-item.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  clock: Clock;
  deliveryTtlMs: number;
  synchronous?: 'normal' | 'full';
  /** Size at which the body journal starts a new segment file (tests make it small). */
  journalSegmentBytes?: number;
  /** The body journal's write (tests: a disk that fills up part-way). */
  journalWritev?: BodyJournalOptions['writev'];
}

/** The file name under DATA_DIR. */
export const SQLITE_FILE_NAME = 'reynolds.sqlite';
/** Beside the database file: the body journal's segment files (body-journal.ts). */
export const BODY_JOURNAL_SUFFIX = '.bodies';

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

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | undefined;
  private statements: SqliteStatements | undefined;
  private journal: BodyJournal | undefined;
  /** Record queries vary only by which filters they use; each shape is prepared once. */
  private readonly statementCache = new Map<string, Database.Statement>();
  private readonly commits = new GroupCommit(
    () => this.db,
    (error) => this.unavailable('commit', error),
    () =>
      this.journal && {
        beforeCommit: () => this.journal!.flush(),
        afterCommit: () => this.journal!.commit(),
        afterRollback: () => this.journal!.rollback(),
      },
  );

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    if (this.db) return;
    this.guard('open', () => {
      if (this.options.file !== ':memory:')
        mkdirSync(path.dirname(this.options.file), { recursive: true });
      const db = new Database(this.options.file);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      if (db.pragma('user_version', { simple: true }) === 1) db.exec(MIGRATE_FROM_V1);
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      const journal =
        this.options.file === ':memory:'
          ? undefined
          : new BodyJournal({
              dir: this.options.file + BODY_JOURNAL_SUFFIX,
              fsync: this.options.synchronous === 'full',
              segmentBytes: this.options.journalSegmentBytes,
              writev: this.options.journalWritev,
            });
      const statements = prepareStatements(db, journal);
      journal?.open(
        new Map(
          (statements.liveSegments.all() as { segment: number; n: number }[]).map((row) => [
            row.segment,
            row.n,
          ]),
        ),
      );
      this.db = db;
      this.journal = journal;
      this.statements = statements;
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
    this.journal?.close();
    this.journal = undefined;
  }

  async acceptDelivery(d: DeliveryInput): Promise<AcceptResult> {
    const sql = this.sql();
    // accept is one INSERT, or opens its own savepoint to replace an expired row.
    // The journal writes the bytes, so the body string is not kept until the end-of-turn commit:
    // 20 KB per delivery that every young-generation GC meanwhile would copy (bench/README.md).
    const input = this.journal && d.bodyBytes ? { ...d, body: '' } : d;
    return this.write('accept delivery', () => sql.accept(input, this.options.clock.now()), {
      savepoint: false,
    });
  }

  async getDelivery(key: string): Promise<InboxItem | undefined> {
    const row = this.guard(
      'read delivery',
      () => this.sql().get.get(key, this.options.clock.now()) as DeliveryRow | undefined,
    );
    return row && this.toItem(row);
  }

  async claimInbox({ owner, limit, leaseMs }: ClaimOptions): Promise<InboxItem[]> {
    const now = this.options.clock.now();
    const sql = this.sql();
    const rows = await this.write('claim inbox', () => sql.claim(owner, limit, now, now + leaseMs));
    return rows.map((row) => this.toItem(row));
  }

  async completeInbox(key: string, owner: string): Promise<void> {
    const now = this.options.clock.now();
    const sql = this.sql();
    await this.leased(key, owner, 'complete', () =>
      sql.complete({ key, owner, now, expiresAt: now + this.options.deliveryTtlMs }),
    );
  }

  async retryInbox(
    key: string,
    owner: string,
    error: string,
    nextAttemptAt: number,
  ): Promise<void> {
    const sql = this.sql();
    await this.leased(
      key,
      owner,
      'retry',
      () => sql.retry.run({ key, owner, error, nextAttemptAt }).changes,
    );
  }

  async parkInbox(key: string, owner: string, error: string): Promise<void> {
    const sql = this.sql();
    await this.leased(key, owner, 'park', () => sql.park.run({ key, owner, error }).changes);
  }

  async releaseInbox(key: string, owner: string, notBefore?: number): Promise<void> {
    const sql = this.sql();
    await this.leased(
      key,
      owner,
      'release',
      () => sql.release.run({ key, owner, notBefore: notBefore ?? null }).changes,
    );
  }

  async listFailed(limit: number): Promise<InboxItem[]> {
    const rows = this.guard('list failed', () => this.sql().failed.all(limit) as DeliveryRow[]);
    return rows.map((row) => this.toItem(row));
  }

  async inboxCounts(): Promise<InboxCounts> {
    const sql = this.sql();
    return this.guard('count inbox', () => {
      const counts = Object.fromEntries(INBOX_STATUSES.map((s) => [s, 0])) as InboxCounts;
      for (const row of sql.openCounts.all() as { status: InboxStatus; n: number }[])
        counts[row.status] = row.n;
      counts.failed = (sql.failedCount.get() as { n: number }).n;
      counts.done = (sql.doneCount.get(this.options.clock.now()) as { n: number }).n;
      return counts;
    });
  }

  async putRecord<T extends object = Record<string, unknown>>(
    record: RecordInput<T>,
    options: { ifMatch?: string | null } = {},
  ): Promise<StoredRecord<T>> {
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

  async getRecord<T extends object = Record<string, unknown>>(
    kind: RecordKind,
    partition: string,
    id: string,
  ): Promise<StoredRecord<T> | undefined> {
    const row = this.guard(
      `read ${kind}`,
      () =>
        this.sql().getRecord.get(kind, partition, id, this.options.clock.now()) as
          RecordRow | undefined,
    );
    return row && toRecord<T>(row);
  }

  async queryRecords<T extends object = Record<string, unknown>>(
    query: RecordQuery,
  ): Promise<StoredRecord<T>[]> {
    const params: (string | number)[] = [query.kind, query.tenantId, this.options.clock.now()];
    let sql =
      'SELECT * FROM records WHERE kind = ? AND tenant_id = ? AND (expires_at IS NULL OR expires_at > ?)';
    if (query.partition !== undefined) {
      sql += ' AND partition = ?';
      params.push(query.partition);
    }
    for (const [field, value] of Object.entries(query.where ?? {})) {
      if (!FILTER_FIELD.test(field))
        throw new Error(`not a filterable field name: ${JSON.stringify(field)}`);
      sql += ` AND json_extract(data, '$.${field}') = ?`;
      params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    sql += query.oldestFirst
      ? ' ORDER BY updated_at ASC LIMIT ?'
      : ' ORDER BY updated_at DESC LIMIT ?';
    params.push(query.limit);
    const rows = this.guard(
      `query ${query.kind}`,
      () => this.cachedStatement(sql).all(...params) as RecordRow[],
    );
    return rows.map((row) => toRecord<T>(row));
  }

  async deleteRecord(kind: RecordKind, partition: string, id: string): Promise<boolean> {
    const sql = this.sql();
    return this.write(
      `delete ${kind}`,
      () => sql.deleteRecord.run(kind, partition, id, this.options.clock.now()).changes > 0,
    );
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

  /** The body journal's segments and their live bodies; undefined for an in-memory database. */
  journalSegments(): { active: number; live: Map<number, number> } | undefined {
    return this.journal?.segments();
  }

  /** A delivery row as an item, its body read from the journal when it is kept there. */
  private toItem(row: DeliveryRow): InboxItem {
    if (row.body === null && row.body_segment !== null && this.journal) {
      const ref = { segment: row.body_segment, offset: row.body_offset!, length: row.body_length! };
      row.body = this.guard('read a delivery body', () => this.journal!.read(ref)).toString('utf8');
    }
    return toItem(row);
  }

  private cachedStatement(sql: string): Database.Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      if (!this.db)
        throw new StoreUnavailableError(
          'the SQLite store is not open (init() was not called, or it was closed)',
        );
      statement = this.db.prepare(sql);
      if (this.statementCache.size < 256) this.statementCache.set(sql, statement);
    }
    return statement;
  }

  private sql(): SqliteStatements {
    if (!this.statements)
      throw new StoreUnavailableError(
        'the SQLite store is not open (init() was not called, or it was closed)',
      );
    return this.statements;
  }

  /** A lease-checked update, group-committed; no row changed means the caller no longer holds the item. */
  private async leased(
    key: string,
    owner: string,
    what: string,
    update: () => number,
  ): Promise<void> {
    const changed = await this.write(`${what} inbox item`, update);
    if (changed === 0) throw new LeaseLostError(key, owner);
  }

  /** Queues a write for this turn's group commit; SQLite failures become StoreUnavailableError. */
  private write<T>(what: string, run: () => T, options?: { savepoint?: boolean }): Promise<T> {
    return this.commits.write(() => this.guard(what, run), options);
  }

  private unavailable(what: string, error: unknown): unknown {
    if (error instanceof StoreUnavailableError) return error;
    const code = (error as { code?: string }).code ?? '';
    return new StoreUnavailableError(
      `SQLite could not ${what} (${code || (error as Error).message}) in ${this.options.file}: check DATA_DIR's disk space, permissions, and that no other process holds the file`,
      { cause: error },
    );
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
      if (/^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM)/.test(code))
        throw this.unavailable(what, error);
      throw error;
    }
  }
}
