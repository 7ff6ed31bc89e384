import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../../src/core/clock.js';
import { BodyJournal } from '../../../src/store/sqlite/body-journal.js';
import { BODY_JOURNAL_SUFFIX, SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { StoreUnavailableError } from '../../../src/store/store.js';
import { CONTRACT_DELIVERY_TTL_MS, delivery } from '../contract.js';

function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'reynolds-journal-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const segmentFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.bodies'))
    .sort();
const body = (n: number, size = 1000) => JSON.stringify({ n, pad: 'x'.repeat(size) });

describe('BodyJournal', function () {
  it('reads back what a committed batch wrote, at the offsets it reserved', function () {
    const { dir, cleanup } = tempDir();
    const journal = new BodyJournal({ dir });
    journal.open(new Map());
    const refs = [1, 2, 3].map((n) => journal.reserve(Buffer.from(body(n))));
    journal.flush();
    journal.commit();
    assert.deepEqual(
      refs.map((ref) => JSON.parse(journal.read(ref).toString()).n),
      [1, 2, 3],
    );
    assert.equal(journal.segments().live.get(refs[0]!.segment), 3);
    journal.close();
    cleanup();
  });

  it('forgets a rolled-back batch: its space is reused and nothing of it counts', function () {
    const { dir, cleanup } = tempDir();
    const journal = new BodyJournal({ dir });
    journal.open(new Map());
    const kept = journal.reserve(Buffer.from(body(1)));
    journal.flush();
    journal.commit();
    const lost = journal.reserve(Buffer.from(body(2, 5000)));
    journal.flush();
    journal.rollback();
    const next = journal.reserve(Buffer.from(body(3)));
    journal.flush();
    journal.commit();
    assert.equal(next.offset, lost.offset, 'the rolled-back bytes are overwritten');
    assert.equal(JSON.parse(journal.read(next).toString()).n, 3);
    assert.equal(JSON.parse(journal.read(kept).toString()).n, 1);
    assert.equal(journal.segments().live.get(kept.segment), 2);
    journal.close();
    cleanup();
  });

  it('deletes a full segment once its last body is released, and only after the release commits', function () {
    const { dir, cleanup } = tempDir();
    const journal = new BodyJournal({ dir, segmentBytes: 3000 });
    journal.open(new Map());
    const refs = [1, 2, 3, 4].map((n) => {
      const ref = journal.reserve(Buffer.from(body(n)));
      journal.flush();
      journal.commit();
      return ref;
    });
    assert.notEqual(refs[3]!.segment, refs[0]!.segment, 'a new segment starts past segmentBytes');
    assert.equal(segmentFiles(dir).length, 2);
    for (const ref of refs.slice(0, 3)) journal.release(ref.segment);
    journal.rollback();
    assert.equal(segmentFiles(dir).length, 2, 'a rolled-back release frees nothing');
    for (const ref of refs.slice(0, 3)) journal.release(ref.segment);
    journal.commit();
    assert.equal(segmentFiles(dir).length, 1);
    assert.equal(JSON.parse(journal.read(refs[3]!).toString()).n, 4);
    journal.close();
    cleanup();
  });

  it('finishes a short write (a filling disk writes what fits) and fails, not commits, when no more fits', function () {
    const { dir, cleanup } = tempDir();
    let budget = 1500; // bytes the "disk" takes before it is full
    const partial = (fd: number, buffers: readonly NodeJS.ArrayBufferView[], position: number) => {
      const all = Buffer.concat(
        buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
      );
      // At most 700 bytes per call, as a kernel may return early.
      const n = Math.min(all.length, 700, budget);
      if (n === 0)
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      budget -= n;
      return writevSync(fd, [all.subarray(0, n)], position);
    };
    const journal = new BodyJournal({ dir, writev: partial });
    journal.open(new Map());
    const first = journal.reserve(Buffer.from(body(1)));
    journal.flush(); // 1,020 bytes in two short writes
    journal.commit();
    assert.equal(
      JSON.parse(journal.read(first).toString()).n,
      1,
      'every byte of a short write is written',
    );
    journal.reserve(Buffer.from(body(2)));
    assert.throws(() => journal.flush(), /ENOSPC/, 'what does not fit fails the batch');
    journal.rollback();
    budget = 10_000; // space again
    const third = journal.reserve(Buffer.from(body(3)));
    journal.flush();
    journal.commit();
    assert.equal(JSON.parse(journal.read(third).toString()).n, 3);
    assert.equal(JSON.parse(journal.read(first).toString()).n, 1);
    journal.close();
    cleanup();
  });

  it('on open, deletes segments nothing points at and never appends to an old one', function () {
    const { dir, cleanup } = tempDir();
    const first = new BodyJournal({ dir });
    first.open(new Map());
    const live = first.reserve(Buffer.from(body(1)));
    first.reserve(Buffer.from(body(2)));
    first.flush();
    first.commit();
    first.close();
    const orphan = new BodyJournal({ dir });
    orphan.open(new Map([[live.segment, 1]]));
    orphan.reserve(Buffer.from(body(9)));
    orphan.flush();
    orphan.commit();
    orphan.close();
    const second = new BodyJournal({ dir });
    second.open(new Map([[live.segment, 1]]));
    assert.equal(JSON.parse(second.read(live).toString()).n, 1);
    assert.deepEqual(segmentFiles(dir), [`${String(live.segment).padStart(8, '0')}.bodies`]);
    assert.ok(second.segments().active > live.segment + 1);
    second.close();
    cleanup();
  });
});

describe('SqliteStore with the body journal', function () {
  const open = (file: string, clock = new ManualClock(), journalSegmentBytes?: number) =>
    new SqliteStore({ file, clock, deliveryTtlMs: CONTRACT_DELIVERY_TTL_MS, journalSegmentBytes });

  it('keeps bodies out of SQLite and frees their segments as items complete', async function () {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'reynolds.sqlite');
    const store = open(file, new ManualClock(), 10_000);
    await store.init();
    const deliveries = Array.from({ length: 30 }, (_, i) => delivery({ body: body(i) }));
    for (const d of deliveries) assert.equal(await store.acceptDelivery(d), 'accepted');
    assert.equal(await store.acceptDelivery(deliveries[0]!), 'duplicate');
    const inSqlite = new Database(file, { readonly: true });
    assert.equal(
      (inSqlite.prepare('SELECT count(*) AS n FROM delivery_bodies').get() as { n: number }).n,
      0,
    );
    inSqlite.close();
    const live = [...store.journalSegments()!.live.values()].reduce((a, b) => a + b, 0);
    assert.equal(live, 30, 'the duplicate reserved nothing');
    assert.ok(segmentFiles(file + BODY_JOURNAL_SUFFIX).length >= 3);

    const claimed = await store.claimInbox({ owner: 'w', limit: 100, leaseMs: 60_000 });
    assert.deepEqual(
      claimed.map((item) => item.body),
      deliveries.map((d) => d.body),
    );
    for (const item of claimed) await store.completeInbox(item.key, 'w');
    assert.deepEqual([...store.journalSegments()!.live.values()], []);
    assert.ok(
      segmentFiles(file + BODY_JOURNAL_SUFFIX).length <= 1,
      'only the active segment may remain',
    );
    assert.equal((await store.getDelivery(deliveries[5]!.key))?.body, null);
    await store.close();
    cleanup();
  });

  it('rebuilds what each segment holds after a restart: pending and failed items keep their bodies', async function () {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'reynolds.sqlite');
    const clock = new ManualClock();
    const first = open(file, clock, 3000);
    await first.init();
    const [done, failed, pending] = [
      delivery({ body: body(1) }),
      delivery({ body: body(2) }),
      delivery({ body: body(3) }),
    ];
    for (const d of [done, failed, pending]) await first.acceptDelivery(d);
    const items = await first.claimInbox({ owner: 'w', limit: 2, leaseMs: 60_000 });
    await first.completeInbox(items[0]!.key, 'w');
    await first.parkInbox(items[1]!.key, 'w', 'broken');
    // No close(): as after kill -9.
    const second = open(file, clock, 3000);
    await second.init();
    assert.equal((await second.listFailed(10))[0]?.body, failed.body);
    assert.equal(
      (await second.claimInbox({ owner: 'x', limit: 10, leaseMs: 60_000 }))[0]?.body,
      pending.body,
    );
    const live = [...second.journalSegments()!.live.values()].reduce((a, b) => a + b, 0);
    assert.equal(live, 2);
    await first.close();
    await second.close();
    cleanup();
  });

  it('loses no accepted body when a batch fails: the failed batch answers unavailable, the next one is intact', async function () {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'reynolds.sqlite');
    const store = open(file);
    await store.init();
    const before = delivery({ body: body(1) });
    await store.acceptDelivery(before);
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    await assert.rejects(
      store.acceptDelivery(delivery({ body: body(2, 4000) })),
      StoreUnavailableError,
    );
    locker.exec('ROLLBACK');
    locker.close();
    const after = delivery({ body: body(3) });
    await store.acceptDelivery(after);
    const bodies = (await store.claimInbox({ owner: 'w', limit: 10, leaseMs: 60_000 })).map(
      (item) => item.body,
    );
    assert.deepEqual(bodies, [before.body, after.body]);
    await store.close();
    cleanup();
  });

  it('a disk that fills up mid-write answers unavailable and keeps no half-written body', async function () {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'reynolds.sqlite');
    let full = false;
    const writev = (fd: number, buffers: readonly NodeJS.ArrayBufferView[], position: number) => {
      if (!full) return writevSync(fd, buffers, position);
      // The first 100 bytes fit, then the disk is full.
      const all = Buffer.concat(
        buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
      );
      if (all.length > 100) return writevSync(fd, [all.subarray(0, 100)], position);
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    const store = new SqliteStore({
      file,
      clock: new ManualClock(),
      deliveryTtlMs: CONTRACT_DELIVERY_TTL_MS,
      journalWritev: writev,
    });
    await store.init();
    const before = delivery({ body: body(1) });
    await store.acceptDelivery(before);
    full = true;
    const lost = delivery({ body: body(2, 4000) });
    await assert.rejects(store.acceptDelivery(lost), StoreUnavailableError);
    assert.equal(
      await store.getDelivery(lost.key),
      undefined,
      'not accepted, so GitHub redelivers it',
    );
    full = false;
    const after = delivery({ body: body(3) });
    await store.acceptDelivery(after);
    await store.acceptDelivery(lost); // the redelivery
    const bodies = (await store.claimInbox({ owner: 'w', limit: 10, leaseMs: 60_000 })).map(
      (item) => item.body,
    );
    assert.deepEqual(bodies, [before.body, after.body, lost.body]);
    await store.close();
    cleanup();
  });

  it('opens a version 1 file, whose bodies are in SQLite, and still serves them', async function () {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'reynolds.sqlite');
    const old = new Database(file);
    // Version 1's schema, frozen here on purpose (not imported): the migration must keep reading
    // files written by it, whatever the current schema becomes.
    old.exec(`CREATE TABLE IF NOT EXISTS deliveries (
  seq             INTEGER PRIMARY KEY,
  key             TEXT    NOT NULL UNIQUE,
  tenant_id       TEXT    NOT NULL,
  delivery_id     TEXT    NOT NULL,
  event           TEXT    NOT NULL,
  action          TEXT,
  ordering_key    TEXT    NOT NULL,
  received_at     INTEGER NOT NULL,
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

CREATE TABLE IF NOT EXISTS delivery_bodies (
  seq  INTEGER PRIMARY KEY,
  body TEXT    NOT NULL
);

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
CREATE INDEX IF NOT EXISTS records_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;`);
    old.pragma('user_version = 1');
    const d = delivery({ body: body(7) });
    const seq = old
      .prepare(
        "INSERT INTO deliveries (key, tenant_id, delivery_id, event, ordering_key, received_at, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0)",
      )
      .run(d.key, d.tenantId, d.deliveryId, d.event, d.orderingKey, d.receivedAt).lastInsertRowid;
    old.prepare('INSERT INTO delivery_bodies (seq, body) VALUES (?, ?)').run(seq, d.body);
    old.close();
    const store = open(file);
    await store.init();
    const [item] = await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 });
    assert.equal(item?.body, d.body);
    await store.completeInbox(d.key, 'w');
    const fresh = delivery({ body: body(8) });
    await store.acceptDelivery(fresh);
    assert.equal(
      (await store.claimInbox({ owner: 'w', limit: 1, leaseMs: 60_000 }))[0]?.body,
      fresh.body,
    );
    await store.close();
    cleanup();
  });
});
