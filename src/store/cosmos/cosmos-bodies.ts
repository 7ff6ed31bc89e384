/**
 * Delivery payloads too big for one Cosmos document.
 *
 * Cosmos rejects a document over 2 MB with 413 "Request size is too large", but GitHub sends
 * payloads up to 25 MB. A body that fits stays inline in its delivery document, as before (almost
 * every body does, and it then costs no extra round trip). A body that does not is gzipped, base64
 * encoded, and cut into chunks in the `delivery_bodies` container; the delivery document records
 * how many (`bodyChunks`) and the encoding instead of `body`.
 *
 * One shape for every big body, even one that compressed would fit inline: a third shape (inline
 * but compressed) would save one write and one query on rare deliveries, at the price of another
 * branch in every read and test.
 *
 * Order of writes: the chunks first, then the delivery document. Its create stays the one atomic
 * dedupe step; chunks without a delivery (intake failed between the two) are orphans, which
 * `sweepOrphans` removes once nothing can still be about to claim them.
 *
 * Chunks share the logical partition of their delivery (partition key = the delivery document's
 * id, i.e. the escaped delivery key), so one single-partition query reads a whole body back.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Container } from '@azure/cosmos';
import type { Clock } from '../../core/clock.js';
import { fromDocumentId, type BodyEncoding, type DeliveryDocument } from './cosmos-documents.js';
import { deleteIfUnchanged } from './cosmos-errors.js';

export const BODIES_CONTAINER = 'delivery_bodies';

/**
 * The most a document of ours may weigh, in UTF-8 bytes of its JSON (what Cosmos measures against
 * its 2 MB limit). The 0.5 MB left over absorbs what is added without measuring again: the
 * server's system properties, fields later transitions set (lease, lastError), and differences
 * between our serialisation and the server's.
 */
export const MAX_DOCUMENT_BYTES = 1.5 * 1024 * 1024;

/**
 * A chunk's room for everything besides its slice of the body: id and partition (a delivery key
 * is under 200 characters), `n`, `writtenAt`, system properties. Generous on purpose.
 */
const CHUNK_ENVELOPE_BYTES = 16 * 1024;

/** Base64 characters per chunk. Base64 needs no escaping in JSON, so characters are bytes. */
export const CHUNK_CHARS = MAX_DOCUMENT_BYTES - CHUNK_ENVELOPE_BYTES;

const ENCODING: BodyEncoding = 'gzip-base64';

/*
 * zlib's default level. JSON payloads shrink several-fold at any level, and what a chunk costs is
 * request units for its bytes: level 1 leaves noticeably more bytes to write, levels 7-9 spend
 * much more CPU for a few percent less.
 */
const GZIP_LEVEL = 6;

/** Chunks in flight at once: fast enough for 25 MB within intake's timeout, gentle on throughput. */
const WRITE_CONCURRENCY = 4;

/**
 * How old chunks must be before the sweep may call them orphans. Intake writes the chunks, then
 * creates the delivery within seconds; until then the chunks look exactly like orphans.
 */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

const SWEEP_PAGE = 100;

// The async forms run on libuv's thread pool: compressing 25 MB takes long enough to stall intake.
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

// A type alias, not an interface: the SDK's generics require an implicit index signature.
export type BodyChunkDocument = {
  /** `<delivery document id>:<n>`. */
  id: string;
  /** The delivery document's id. */
  partition: string;
  /** 0-based position in the body. */
  n: number;
  /** A slice of the encoded body. Named like the inline field so the shared indexing policy skips it. */
  body: string;
  /** Milliseconds on the store's clock; the orphan grace counts from here. */
  writtenAt: number;
};

/** The `partition` filter is not redundant: the test server ignores the partition key of a query. */
const CHUNKS_QUERY =
  'SELECT c.n, c.body FROM c WHERE c.partition = @partition AND c.n < @count ORDER BY c.n';
const CHUNK_IDS_QUERY = 'SELECT c.id, c.writtenAt, c._etag FROM c WHERE c.partition = @partition';
const OLD_CHUNKS_QUERY = 'SELECT c.partition FROM c WHERE c.writtenAt <= @cutoff';

/** A body whose chunks are missing or damaged. Reads fail with it rather than return a partial body. */
export class BodyUnavailableError extends Error {
  constructor(documentId: string, reason: string) {
    super(`the body of delivery ${fromDocumentId(documentId)} cannot be reassembled: ${reason}`);
    this.name = 'BodyUnavailableError';
  }
}

/** Whether the document, as it would be written, stays within MAX_DOCUMENT_BYTES. */
export function fitsInOneDocument(doc: object): boolean {
  return Buffer.byteLength(JSON.stringify(doc), 'utf8') <= MAX_DOCUMENT_BYTES;
}

export class DeliveryBodies {
  constructor(
    private readonly container: Container,
    private readonly clock: Clock,
  ) {}

  /**
   * Writes `body` as chunks of the delivery `documentId`. Upserts: a redelivery racing the first
   * one rewrites identical chunks, which is harmless.
   */
  async write(
    documentId: string,
    body: string,
  ): Promise<{ chunks: number; encoding: BodyEncoding }> {
    // Intake decoded the body from UTF-8 bytes, so encoding it back as UTF-8 is lossless.
    const encoded = (await gzipAsync(Buffer.from(body, 'utf8'), { level: GZIP_LEVEL })).toString(
      'base64',
    );
    const chunks = Math.ceil(encoded.length / CHUNK_CHARS);
    const writtenAt = this.clock.now();
    for (let first = 0; first < chunks; first += WRITE_CONCURRENCY) {
      const writes: Promise<unknown>[] = [];
      for (let n = first; n < Math.min(chunks, first + WRITE_CONCURRENCY); n += 1) {
        const chunk: BodyChunkDocument = {
          id: `${documentId}:${n}`,
          partition: documentId,
          n,
          body: encoded.slice(n * CHUNK_CHARS, (n + 1) * CHUNK_CHARS),
          writtenAt,
        };
        writes.push(this.container.items.upsert(chunk));
      }
      await Promise.all(writes);
    }
    return { chunks, encoding: ENCODING };
  }

  /** The delivery's body: inline, or reassembled from its chunks. BodyUnavailableError if that fails. */
  async read(doc: DeliveryDocument): Promise<string | null> {
    const count = doc.bodyChunks ?? null;
    if (count === null) return doc.body;
    if (doc.bodyEncoding !== ENCODING) {
      throw new BodyUnavailableError(
        doc.id,
        `it is encoded as ${String(doc.bodyEncoding)}, which this version cannot decode`,
      );
    }
    const parameters = [
      { name: '@partition', value: doc.id },
      { name: '@count', value: count },
    ];
    const { resources } = await this.container.items
      .query<{ n: number; body: string }>(
        { query: CHUNKS_QUERY, parameters },
        { partitionKey: doc.id },
      )
      .fetchAll();
    if (resources.length !== count || resources.some((chunk, i) => chunk.n !== i)) {
      const found = new Set(resources.map((chunk) => chunk.n));
      const missing = Array.from({ length: count }, (_, n) => n).filter((n) => !found.has(n));
      throw new BodyUnavailableError(
        doc.id,
        `chunk${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} ${missing.length === 1 ? 'is' : 'are'} missing from ${BODIES_CONTAINER}`,
      );
    }
    try {
      // gzip's CRC also catches a chunk that is there but damaged.
      return (
        await gunzipAsync(Buffer.from(resources.map((chunk) => chunk.body).join(''), 'base64'))
      ).toString('utf8');
    } catch (error) {
      throw new BodyUnavailableError(
        doc.id,
        `its ${count} chunks do not decode (${(error as Error).message})`,
      );
    }
  }

  /**
   * Deletes the chunks of delivery `documentId` (only those written at or before `writtenBefore`,
   * if given) and returns how many. A chunk rewritten since it was listed is left alone.
   */
  async remove(documentId: string, writtenBefore?: number): Promise<number> {
    const { resources } = await this.container.items
      .query<{ id: string; writtenAt: number; _etag: string }>(
        { query: CHUNK_IDS_QUERY, parameters: [{ name: '@partition', value: documentId }] },
        { partitionKey: documentId },
      )
      .fetchAll();
    const doomed =
      writtenBefore === undefined
        ? resources
        : resources.filter((chunk) => chunk.writtenAt <= writtenBefore);
    const results = await Promise.all(
      doomed.map((chunk) =>
        deleteIfUnchanged(this.container.item(chunk.id, documentId), chunk._etag),
      ),
    );
    return results.filter(Boolean).length;
  }

  /**
   * Deletes chunks older than the grace whose delivery no longer needs them (`needed` says whether
   * it does: false when it is gone, expired, done, or holds its body inline), and returns how many.
   * Such chunks are left behind when a completion's cleanup failed, or intake failed after writing
   * them; none of them expire on their own.
   */
  async sweepOrphans(needed: (documentId: string) => Promise<boolean>): Promise<number> {
    const cutoff = this.clock.now() - ORPHAN_GRACE_MS;
    const old = this.container.items.query<{ partition: string }>(
      { query: OLD_CHUNKS_QUERY, parameters: [{ name: '@cutoff', value: cutoff }] },
      { maxItemCount: SWEEP_PAGE },
    );
    // One row per chunk (not just chunk 0, which may be the one that failed to write).
    const seen = new Set<string>();
    let deleted = 0;
    while (old.hasMoreResults()) {
      const { resources } = await old.fetchNext();
      for (const { partition } of resources) {
        if (seen.has(partition)) continue;
        seen.add(partition);
        if (!(await needed(partition))) deleted += await this.remove(partition, cutoff);
      }
    }
    return deleted;
  }
}
