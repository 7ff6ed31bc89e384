/**
 * Group commit for the embedded store. Every write a caller asks for in one turn of the event
 * loop runs in a single SQLite transaction at the end of that turn, each inside its own savepoint
 * unless it needs none, and each caller's promise settles only after the COMMIT. Durability per
 * write is unchanged; the cost of a commit (and of WAL checkpoints) is shared by everyone in the
 * batch. Under load that is the difference between one commit per webhook and one per dozens
 * (see bench/README.md).
 *
 * No library does this for better-sqlite3 (it is synchronous by design); it is a queue and a
 * setImmediate, so it lives here.
 */
import type Database from 'better-sqlite3';

interface PendingWrite {
  run: () => unknown;
  savepoint: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What else must happen with each batch's commit (the body journal's writes and bookkeeping). */
export interface CommitParticipant {
  /** Inside the transaction, after the writes and before COMMIT; throwing rolls the batch back. */
  beforeCommit(): void;
  afterCommit(): void;
  afterRollback(): void;
}

export class GroupCommit {
  private queue: PendingWrite[] = [];
  private scheduled = false;

  constructor(
    private readonly db: () => Database.Database | undefined,
    /** Maps a failure of the whole batch (lock, disk full, I/O) to the error every caller gets. */
    private readonly onBatchError: (error: unknown) => unknown,
    private readonly participant?: () => CommitParticipant | undefined,
  ) {}

  /**
   * Queues `run` for this turn's transaction; resolves with its result after the commit.
   *
   * `savepoint: false` is for a write that cannot fail half-way: one statement (SQLite undoes a
   * failed statement by itself), or one that opens its own savepoint around any multi-statement
   * path. It saves a SAVEPOINT and a RELEASE per write, about 4 µs of intake's ~55 µs
   * (bench/README.md), which matters on the webhook's hot path and nowhere else.
   */
  write<T>(run: () => T, options: { savepoint?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        run,
        savepoint: options.savepoint ?? true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now (close() calls it so nothing queued is dropped). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const db = this.db();
    if (!db) {
      const error = this.onBatchError(new Error('the SQLite store is closed'));
      for (const write of batch) write.reject(error);
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    const participant = this.participant?.();
    try {
      db.transaction(() => {
        for (const write of batch) {
          try {
            // A nested transaction is a savepoint: a failing write undoes only itself.
            outcomes.push({
              ok: true,
              value: write.savepoint ? db.transaction(write.run)() : write.run(),
            });
          } catch (error) {
            // Some errors (disk full, I/O) make SQLite roll back the whole transaction. The writes
            // after this one would then each commit on their own, outside the batch and before
            // the journal's bodies are written: fail the whole batch instead.
            if (!db.inTransaction) throw error;
            outcomes.push({ ok: false, value: error });
          }
        }
        participant?.beforeCommit();
      }).immediate();
    } catch (error) {
      participant?.afterRollback();
      const mapped = this.onBatchError(error);
      for (const write of batch) write.reject(mapped);
      return;
    }
    participant?.afterCommit();
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.value);
    });
  }
}
