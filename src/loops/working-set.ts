/**
 * What the loop detector remembers in memory: a short window of recent events per target and a
 * small state per chain. Both are LRU caches with a size cap, and every per-entry structure is
 * bounded too, so assessing an event costs the same after a million events as after ten, and
 * memory stays flat under any load. The store holds the durable truth (chain summaries carry the
 * depth and verdict, markers and echoes carry the links), so an evicted entry loses detail, not
 * safety.
 */
import { LRUCache } from 'lru-cache';
import type { ActorKind, ChainSummary } from './chain-records.js';

/** Events kept per target: enough to see a ping-pong and a burst. */
export const WINDOW_SIZE = 32;
/** Distinct fingerprints and writes remembered per chain. */
const PER_CHAIN_MEMORY = 64;
/** Timestamps kept per fingerprint. */
const PER_FINGERPRINT = 8;

export interface WindowEntry {
  nodeId: string;
  chainId: string;
  depth: number;
  at: number;
  actor?: string;
  actorKind: ActorKind;
  fingerprint: string;
  conversational: boolean;
  /** Our own write coming back (marker or expected echo): the act itself is in the window as our turn. */
  echo?: boolean;
}

/** The last WINDOW_SIZE events on one target, oldest first. */
export class TargetWindow {
  readonly entries: WindowEntry[] = [];
  /** Writes Reynolds made on this target: write fingerprint → when (bounded). */
  readonly writes = new Map<string, number>();

  noteWrite(fingerprint: string, at: number): void {
    this.writes.delete(fingerprint);
    this.writes.set(fingerprint, at);
    if (this.writes.size > 16) this.writes.delete(this.writes.keys().next().value!);
  }

  push(entry: WindowEntry): void {
    this.entries.push(entry);
    if (this.entries.length > WINDOW_SIZE) this.entries.shift();
  }

  last(): WindowEntry | undefined {
    return this.entries[this.entries.length - 1];
  }
}

export class ChainState {
  /** Times each fingerprint was seen on this chain (bounded). */
  private readonly fingerprints = new Map<string, number[]>();
  /** Writes Reynolds made on this chain: write fingerprint → when. */
  private readonly writes = new Map<string, number>();
  /** Etag of the stored summary, for conditional updates. */
  etag?: string;

  constructor(public summary: ChainSummary) {}

  /** How often `fingerprint` was seen on this chain since `since`. */
  seen(fingerprint: string, since: number): number {
    return (this.fingerprints.get(fingerprint) ?? []).filter((t) => t >= since).length;
  }

  note(fingerprint: string, at: number): void {
    const times = this.fingerprints.get(fingerprint) ?? [];
    times.push(at);
    if (times.length > PER_FINGERPRINT) times.shift();
    this.fingerprints.delete(fingerprint); // re-insert: Map order is our LRU order
    this.fingerprints.set(fingerprint, times);
    if (this.fingerprints.size > PER_CHAIN_MEMORY) this.fingerprints.delete(this.fingerprints.keys().next().value!);
  }

  wrote(writeFingerprint: string): number | undefined {
    return this.writes.get(writeFingerprint);
  }

  noteWrite(writeFingerprint: string, at: number): void {
    this.writes.delete(writeFingerprint);
    this.writes.set(writeFingerprint, at);
    if (this.writes.size > PER_CHAIN_MEMORY) this.writes.delete(this.writes.keys().next().value!);
  }

  /** Reynolds has written to GitHub on this chain (so a bot answering on it is answering us). */
  get reynoldsActed(): boolean {
    return this.summary.reynoldsActed === true;
  }
}

export class WorkingSet<Assessed extends object> {
  readonly targets: LRUCache<string, TargetWindow>;
  readonly chains: LRUCache<string, ChainState>;
  /** Assessments by node id, so a retried delivery gets the same answer without counting twice. */
  readonly assessed: LRUCache<string, Assessed>;

  constructor(max: number) {
    this.targets = new LRUCache({ max });
    this.chains = new LRUCache({ max });
    this.assessed = new LRUCache({ max });
  }

  window(key: string): TargetWindow {
    let window = this.targets.get(key);
    if (!window) {
      window = new TargetWindow();
      this.targets.set(key, window);
    }
    return window;
  }
}
