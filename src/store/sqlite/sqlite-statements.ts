/**
 * The embedded store's SQL: every statement prepared once per connection, and the mapping from
 * rows back to the Store's types. The store (sqlite-store.ts) decides when to run what.
 */
import type Database from 'better-sqlite3';
import type { BodyJournal, BodyRef } from './body-journal.js';
import { DELIVERY_WITH_BODY } from './sqlite-schema.js';
import type { AcceptResult, RecordKind, StoredRecord } from '../store.js';
import type { DeliveryInput, InboxItem, InboxStatus } from '../../core/inbox-item.js';

export interface RecordRow {
  kind: RecordKind;
  partition: string;
  id: string;
  tenant_id: string;
  data: string;
  updated_at: number;
  expires_at: number | null;
  etag: string;
}

export interface DeliveryRow {
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
  body_segment: number | null;
  body_offset: number | null;
  body_length: number | null;
}

/**
 * Due items, oldest first. The query names the open-items partial index's own condition
 * (`status IN ('pending', 'processing')`) and the subquery the leased-items one
 * (`status = 'processing'`): SQLite uses a partial index only when the WHERE repeats its
 * condition. Without the first, each claim scanned the whole history (the soak at 200/s showed CPU
 * climbing with every minute of deliveries kept for dedupe); without the second, the subquery
 * scanned every open item: 4.7 ms per claim behind a backlog of 100,000, 31 ms behind 500,000
 * (`npm run bench:claim`).
 */
export const DUE_SQL = `
    SELECT ${DELIVERY_WITH_BODY}
    WHERE d.status IN ('pending', 'processing')
      AND ((d.status = 'pending' AND d.next_attempt_at <= @now) OR (d.status = 'processing' AND d.lease_until <= @now))
      -- A repository whose item is out under a live lease waits: its events are processed in order.
      AND d.ordering_key NOT IN (
        SELECT ordering_key FROM deliveries
        WHERE status = 'processing' AND lease_until > @now)
    ORDER BY d.seq LIMIT @limit`;

/** `insert`'s parameters in its column order (received_at also starts next_attempt_at). */
type InsertValues = [
  string,
  string,
  string,
  string,
  string | null,
  string,
  number,
  number,
  number | null,
  number | null,
  number | null,
];

function insertValues(d: DeliveryInput, ref: BodyRef | undefined): InsertValues {
  return [
    d.key,
    d.tenantId,
    d.deliveryId,
    d.event,
    d.action ?? null,
    d.orderingKey,
    d.receivedAt,
    d.receivedAt,
    ref?.segment ?? null,
    ref?.offset ?? null,
    ref?.length ?? null,
  ];
}

/**
 * `journal` keeps bodies in segment files (file-backed stores); without one they go to
 * `delivery_bodies` (in-memory databases).
 */
export function prepareStatements(db: Database.Database, journal?: BodyJournal) {
  // Positional, unlike the other statements: binding eleven named parameters costs about 0.7 µs
  // more per insert (better-sqlite3 looks each name up), and this one runs for every delivery.
  const insert = db.prepare(`
    INSERT INTO deliveries (key, tenant_id, delivery_id, event, action, ordering_key, received_at, status, attempts, next_attempt_at, body_segment, body_offset, body_length)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)
    ON CONFLICT (key) DO NOTHING`);
  const insertBody = db.prepare('INSERT INTO delivery_bodies (seq, body) VALUES (?, ?)');
  const expiredSeq = db.prepare(
    'SELECT seq FROM deliveries WHERE key = ? AND expires_at IS NOT NULL AND expires_at <= ?',
  );
  const deleteDelivery = db.prepare('DELETE FROM deliveries WHERE seq = ?');
  const deleteBody = db.prepare('DELETE FROM delivery_bodies WHERE seq = ?');
  const due = db.prepare(DUE_SQL);
  const lease = db.prepare(`
    UPDATE deliveries SET status = 'processing', lease_owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1
    WHERE seq = @seq`);
  const open = `WHERE key = @key AND lease_owner = @owner AND status = 'processing'`;
  const leasedRow = db.prepare(`SELECT seq, body_segment FROM deliveries ${open}`);
  const complete = db.prepare(`
    UPDATE deliveries SET status = 'done', completed_at = @now, expires_at = @expiresAt, lease_owner = NULL, lease_until = NULL,
      body_segment = NULL, body_offset = NULL, body_length = NULL
    WHERE seq = @seq`);
  const expiredDeliveries = db.prepare(
    'SELECT seq FROM deliveries WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?',
  );
  const recordColumns = `
    INSERT INTO records (kind, partition, id, tenant_id, data, updated_at, expires_at, etag)
    VALUES (@kind, @partition, @id, @tenantId, @data, @updatedAt, @expiresAt, @etag)
    ON CONFLICT (kind, partition, id) DO UPDATE SET
      tenant_id = excluded.tenant_id, data = excluded.data, updated_at = excluded.updated_at,
      expires_at = excluded.expires_at, etag = excluded.etag`;

  /** Accept's paths with more than one statement, each in one savepoint. */
  const insertWithBody = db.transaction((row: InsertValues, body: string): boolean => {
    const inserted = insert.run(...row);
    if (inserted.changes === 1) insertBody.run(inserted.lastInsertRowid, body);
    return inserted.changes === 1;
  });
  /** The key is taken: if only by an expired row (the sweeper may lag), take its place. */
  const replaceExpired = db.transaction(
    (d: DeliveryInput, row: InsertValues, now: number): AcceptResult => {
      const expired = expiredSeq.get(d.key, now) as { seq: number } | undefined;
      if (!expired) return 'duplicate';
      deleteDelivery.run(expired.seq);
      deleteBody.run(expired.seq);
      const inserted = insert.run(...row);
      if (!journal) insertBody.run(inserted.lastInsertRowid, d.body);
      return 'accepted';
    },
  );

  return {
    ping: db.transaction(() => undefined).immediate,
    /**
     * Insert, or if the key is there but expired (the sweeper may lag), take its place. Runs
     * without a group-commit savepoint (sqlite-store.ts): the usual case is one INSERT, atomic on
     * its own, and every path with more statements has a savepoint of its own.
     */
    accept(d: DeliveryInput, now: number): AcceptResult {
      const ref = journal?.reserve(d.bodyBytes ?? Buffer.from(d.body, 'utf8'));
      const row = insertValues(d, ref);
      try {
        const inserted = journal ? insert.run(...row).changes === 1 : insertWithBody(row, d.body);
        const result = inserted ? 'accepted' : replaceExpired(d, row, now);
        if (result === 'duplicate') journal?.cancelLast();
        return result;
      } catch (error) {
        journal?.cancelLast(); // nothing of this write stays; its body must not count
        throw error;
      }
    },
    get: db.prepare(
      `SELECT ${DELIVERY_WITH_BODY} WHERE d.key = ? AND (d.expires_at IS NULL OR d.expires_at > ?)`,
    ),
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
      const done = leasedRow.get(params) as
        { seq: number; body_segment: number | null } | undefined;
      if (!done) return 0;
      complete.run({ seq: done.seq, now: params.now, expiresAt: params.expiresAt });
      if (done.body_segment !== null) journal?.release(done.body_segment);
      else deleteBody.run(done.seq);
      return 1;
    },
    /** How many bodies each journal segment still holds: open and failed items keep theirs. */
    liveSegments: db.prepare(`
      SELECT body_segment AS segment, count(*) AS n FROM deliveries
      WHERE status IN ('pending', 'processing', 'failed') AND body_segment IS NOT NULL GROUP BY body_segment`),
    retry: db.prepare(`
      UPDATE deliveries SET status = 'pending', next_attempt_at = @nextAttemptAt, last_error = @error,
        lease_owner = NULL, lease_until = NULL ${open}`),
    park: db.prepare(
      `UPDATE deliveries SET status = 'failed', last_error = @error, lease_owner = NULL, lease_until = NULL ${open}`,
    ),
    release: db.prepare(`
      UPDATE deliveries SET status = 'pending', attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_until = NULL,
        next_attempt_at = COALESCE(@notBefore, next_attempt_at) ${open}`),
    failed: db.prepare(
      `SELECT ${DELIVERY_WITH_BODY} WHERE d.status = 'failed' ORDER BY d.seq LIMIT ?`,
    ),
    // Counted through the partial indexes: cheap however long the history.
    openCounts: db.prepare(
      `SELECT status, count(*) AS n FROM deliveries WHERE status IN ('pending', 'processing') GROUP BY status`,
    ),
    failedCount: db.prepare(`SELECT count(*) AS n FROM deliveries WHERE status = 'failed'`),
    doneCount: db.prepare(
      'SELECT count(*) AS n FROM deliveries WHERE expires_at IS NOT NULL AND expires_at > ?',
    ),
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
    createRecord: db.prepare(
      `${recordColumns} WHERE records.expires_at IS NOT NULL AND records.expires_at <= @now`,
    ),
    replaceRecord: db.prepare(`
      UPDATE records SET tenant_id = @tenantId, data = @data, updated_at = @updatedAt, expires_at = @expiresAt, etag = @etag
      WHERE kind = @kind AND partition = @partition AND id = @id AND etag = @ifMatch
        AND (expires_at IS NULL OR expires_at > @now)`),
    getRecord: db.prepare(
      'SELECT * FROM records WHERE kind = ? AND partition = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    deleteRecord: db.prepare(
      'DELETE FROM records WHERE kind = ? AND partition = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    sweepRecords: (() => {
      const statement = db.prepare(`
        DELETE FROM records WHERE (kind, partition, id) IN (
          SELECT kind, partition, id FROM records WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`);
      return (now: number, limit: number) => statement.run(now, limit).changes;
    })(),
  };
}

export type SqliteStatements = ReturnType<typeof prepareStatements>;

export function toRecord<T>(row: RecordRow): StoredRecord<T> {
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

export function toItem(row: DeliveryRow): InboxItem {
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
