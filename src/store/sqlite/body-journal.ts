/**
 * Delivery bodies for the embedded store, kept out of SQLite in append-only segment files.
 *
 * Why: a 21 KB body in SQLite is written twice (WAL, then the checkpoint into the database) and
 * deleted page by page when the item is done; that was about half of intake's CPU time
 * (bench/README.md). Here a body is written once, sequentially, by one positional `writev` per
 * group commit, and a done item costs nothing: a segment file is unlinked when none of its
 * bodies is still needed. SQLite keeps only the small dedupe and inbox row, with the body's
 * (segment, offset, length).
 *
 * Crash safety follows the store's own: the group commit writes the journal *before* SQLite's
 * COMMIT, so every committed row points at bytes already handed to the OS (kill -9 safe, like
 * synchronous=NORMAL); with `fsync: true` (synchronous=FULL) the segment is fdatasync'ed first, so
 * power loss is covered as well. Bytes written for a batch that then rolls back are never
 * referenced and are overwritten by the next batch (writes are positional).
 *
 * Lifetime: reservations and releases take effect only when their batch commits (`commit()`),
 * so a rolled-back batch cannot free a segment a row still points at. On start the live count of
 * each segment is rebuilt from SQLite, and segments nothing points at are deleted.
 *
 * No library: this is a segment file with offsets, not a general log; the write ordering against
 * SQLite's commit is the point, and it has to sit inside our group commit.
 */
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  unlinkSync,
  writevSync,
} from 'node:fs';
import path from 'node:path';

export interface BodyRef {
  segment: number;
  offset: number;
  length: number;
}

export interface BodyJournalOptions {
  dir: string;
  /** Start a new segment once the active one is this large. Smaller segments are freed sooner. */
  segmentBytes?: number;
  /** fdatasync before SQLite commits (synchronous=FULL). */
  fsync?: boolean;
  /** The positional vectored write (fs.writevSync); tests give one that fails part-way. */
  writev?: (fd: number, buffers: readonly NodeJS.ArrayBufferView[], position: number) => number;
}

const DEFAULT_SEGMENT_BYTES = 32 * 1024 * 1024;
const SEGMENT_FILE = /^(\d{8})\.bodies$/;

export class BodyJournal {
  private readonly segmentBytes: number;
  /** Live bodies per segment, as committed. */
  private readonly live = new Map<number, number>();
  private readonly fds = new Map<number, number>();
  private active = 0;
  /** Bytes of the active segment that are committed (or about to be, in `pending`). */
  private size = 0;
  private sizeAtBatchStart = 0;
  private pending: Buffer[] = [];
  private pendingRefs: BodyRef[] = [];
  private pendingReleases: number[] = [];

  constructor(private readonly options: BodyJournalOptions) {
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  /** Opens the journal; `liveCounts` is how many rows point into each segment (from SQLite). */
  open(liveCounts: Map<number, number>): void {
    mkdirSync(this.options.dir, { recursive: true });
    let highest = 0;
    for (const name of readdirSync(this.options.dir)) {
      const match = SEGMENT_FILE.exec(name);
      if (!match) continue;
      const segment = Number(match[1]);
      highest = Math.max(highest, segment);
      if (!liveCounts.get(segment)) unlinkSync(path.join(this.options.dir, name));
    }
    for (const [segment, count] of liveCounts) if (count > 0) this.live.set(segment, count);
    // Never append to a segment from an earlier run: its tail may hold a rolled-back batch.
    this.startSegment(Math.max(highest, ...liveCounts.keys()) + 1);
  }

  /** Reserves space for a body in this batch; written by `flush()`, counted by `commit()`. */
  reserve(body: Buffer): BodyRef {
    if (this.pending.length === 0) this.sizeAtBatchStart = this.size;
    const ref = { segment: this.active, offset: this.size, length: body.length };
    this.pending.push(body);
    this.pendingRefs.push(ref);
    this.size += body.length;
    return ref;
  }

  /** Takes back the last reservation (the delivery turned out to be a duplicate). */
  cancelLast(): void {
    const body = this.pending.pop();
    this.pendingRefs.pop();
    if (body) this.size -= body.length;
  }

  /** The body is no longer needed once this batch commits. */
  release(segment: number): void {
    this.pendingReleases.push(segment);
  }

  /**
   * Writes this batch's bodies; called inside the transaction, just before COMMIT. A short write
   * (a disk filling up writes what fits and says how much) is continued until every byte is down
   * or the write fails, which rolls the batch back: a committed row never points at a body that
   * was only partly written (bench/faults: disk-full found exactly that).
   */
  flush(): void {
    if (this.pending.length === 0) return;
    const fd = this.fd(this.active);
    const writev = this.options.writev ?? writevSync;
    let buffers: Buffer[] = this.pending;
    let position = this.sizeAtBatchStart;
    let remaining = this.size - this.sizeAtBatchStart;
    while (remaining > 0) {
      const written = writev(fd, buffers, position);
      if (written <= 0)
        throw Object.assign(new Error(`body journal: no progress writing segment ${this.active}`), {
          code: 'ENOSPC',
        });
      position += written;
      remaining -= written;
      if (remaining > 0) buffers = skipBytes(buffers, written);
    }
    if (this.options.fsync) fdatasyncSync(fd);
  }

  /** The batch committed: its reservations are live, its releases take effect. */
  commit(): void {
    for (const ref of this.pendingRefs)
      this.live.set(ref.segment, (this.live.get(ref.segment) ?? 0) + 1);
    const releases = this.pendingReleases;
    this.pending = [];
    this.pendingRefs = [];
    this.pendingReleases = [];
    for (const segment of releases) {
      const left = (this.live.get(segment) ?? 1) - 1;
      if (left > 0) this.live.set(segment, left);
      else {
        this.live.delete(segment);
        if (segment !== this.active) this.removeSegment(segment);
      }
    }
    if (this.size >= this.segmentBytes) {
      if (!this.live.has(this.active)) this.removeSegment(this.active);
      this.startSegment(this.active + 1);
    }
  }

  /** The batch rolled back: nothing it reserved or released happened. */
  rollback(): void {
    if (this.pending.length > 0) this.size = this.sizeAtBatchStart;
    this.pending = [];
    this.pendingRefs = [];
    this.pendingReleases = [];
  }

  read(ref: BodyRef): Buffer {
    const body = Buffer.allocUnsafe(ref.length);
    let read = 0;
    const fd = this.fd(ref.segment);
    while (read < ref.length) {
      const n = readSync(fd, body, read, ref.length - read, ref.offset + read);
      if (n === 0)
        throw new Error(
          `body journal segment ${ref.segment} ends before offset ${ref.offset + ref.length}`,
        );
      read += n;
    }
    return body;
  }

  /** Segments on disk and their live bodies (for tests and diagnostics). */
  segments(): { active: number; live: Map<number, number> } {
    return { active: this.active, live: new Map(this.live) };
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private startSegment(segment: number): void {
    this.active = segment;
    this.size = 0;
    this.sizeAtBatchStart = 0;
  }

  private fd(segment: number): number {
    let fd = this.fds.get(segment);
    if (fd === undefined) {
      // 'a+' would force appends to the end; 'r+'/'w+' keep positional writes where we say.
      fd = openSync(this.file(segment), segment === this.active ? 'w+' : 'r');
      this.fds.set(segment, fd);
    }
    return fd;
  }

  private removeSegment(segment: number): void {
    const fd = this.fds.get(segment);
    if (fd !== undefined) closeSync(fd);
    this.fds.delete(segment);
    try {
      unlinkSync(this.file(segment));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private file(segment: number): string {
    return path.join(this.options.dir, `${String(segment).padStart(8, '0')}.bodies`);
  }
}

/** The buffers after the first `count` bytes of them. */
function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = count;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}
