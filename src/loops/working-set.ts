/**
 * What the loop detector remembers in memory: a short window of recent events per target and a
 * small state per chain. Both are LRU caches with a size cap and an idle TTL (the longest look-back
 * of any signal), and every per-entry structure is bounded too, so assessing an event costs the
 * same after a million events as after ten, and memory follows the recent event rate (up to the
 * cap) rather than uptime. The store holds the durable truth (chain summaries carry the
 * depth and verdict, markers and echoes carry the links), so an evicted entry loses detail, not
 * safety.
 */
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../core/clock.js';
import type { ActorKind, ChainSummary } from '../core/chain-records.js';
import { cycleLookBackMs, type LoopSettings } from './loop-settings.js';
import { ActorHistory, BOT_LIKE_MEMORY_MS } from './actor-behaviour.js';

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

/**
 * The run of `current`'s fingerprint on a target: earlier entries with the same fingerprint (so the
 * same actor, kind, target and content) within `sinceAt`, counted back from the newest until a
 * different person spoke on the target. A person in between means the repeat answers them.
 */
export function repeatRun(
  entries: readonly WindowEntry[],
  current: Pick<WindowEntry, 'fingerprint' | 'actor'>,
  sinceAt: number,
): { first?: WindowEntry; count: number } {
  let first: WindowEntry | undefined;
  let count = 0;
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i]!;
    if (entry.at < sinceAt) break;
    if (entry.actorKind === 'human' && entry.actor !== current.actor) break;
    if (entry.fingerprint === current.fingerprint) {
      first = entry;
      count += 1;
    }
  }
  return { first, count };
}

/** The last WINDOW_SIZE events on one target, oldest first. */
/**
 * Events on a target since the last person spoke there (within `sinceAt`), `current` included,
 * that repeat an earlier one of them: automation going round in circles on this target, even when
 * its chain was split (an account recognised as a bot only by behaviour started chains of its own).
 */
export function windowRepeats(
  entries: readonly WindowEntry[],
  current: Pick<WindowEntry, 'fingerprint'>,
  sinceAt: number,
): number {
  const counts = new Map<string, number>([[current.fingerprint, 1]]);
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i]!;
    if (entry.at < sinceAt || entry.actorKind === 'human') break;
    counts.set(entry.fingerprint, (counts.get(entry.fingerprint) ?? 0) + 1);
  }
  let repeats = 0;
  for (const n of counts.values()) repeats += n - 1;
  return repeats;
}

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
  /** Accounts already named in this chain's audit as acting like a bot (bounded). */
  private readonly botLike = new Set<string>();
  /** Etag of the stored summary, for conditional updates. */
  etag?: string;

  /** True the first time `login` is noted on this chain as acting like a bot. */
  noteBotLike(login: string): boolean {
    if (this.botLike.has(login) || this.botLike.size >= 8) return false;
    this.botLike.add(login);
    return true;
  }

  constructor(public summary: ChainSummary) {}

  /** How often `fingerprint` was seen on this chain since `since`. */
  seen(fingerprint: string, since: number): number {
    return (this.fingerprints.get(fingerprint) ?? []).filter((t) => t >= since).length;
  }

  /**
   * Events on this chain since `since` that repeated an earlier one of the chain (any actor): a
   * loop keeps coming back to what it already said. Bounded: 64 fingerprints × 8 times.
   */
  repeats(since: number): number {
    let total = 0;
    for (const times of this.fingerprints.values()) {
      const recent = times.filter((t) => t >= since).length;
      if (recent > 1) total += recent - 1;
    }
    return total;
  }

  note(fingerprint: string, at: number): void {
    const times = this.fingerprints.get(fingerprint) ?? [];
    times.push(at);
    if (times.length > PER_FINGERPRINT) times.shift();
    this.fingerprints.delete(fingerprint); // re-insert: Map order is our LRU order
    this.fingerprints.set(fingerprint, times);
    if (this.fingerprints.size > PER_CHAIN_MEMORY)
      this.fingerprints.delete(this.fingerprints.keys().next().value!);
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

/** How long a write Reynolds made on a target still makes a bot's request to repeat it suspect. */
export const TARGET_WRITE_MEMORY_MS = 3600_000;

/**
 * How long an untouched entry can still change a verdict: the longest look-back of any signal
 * that reads the working set (target windows, per-chain fingerprints, remembered writes). An
 * entry idle for longer is only weight; dropping it keeps memory proportional to the recent
 * event rate instead of growing with uptime until the count cap.
 */
export function workingSetTtlMs(
  settings: Pick<
    LoopSettings,
    'replyWindowMs' | 'pingPongGapMs' | 'repeatWindowMs' | 'rateWindowMs'
  >,
): number {
  return Math.max(
    settings.replyWindowMs,
    settings.pingPongGapMs,
    settings.repeatWindowMs,
    settings.rateWindowMs,
    cycleLookBackMs(settings),
    TARGET_WRITE_MEMORY_MS,
  );
}

export class WorkingSet<Assessed extends object> {
  readonly targets: LRUCache<string, TargetWindow>;
  readonly chains: LRUCache<string, ChainState>;
  /** Assessments by node id, so a retried delivery gets the same answer without counting twice. */
  readonly assessed: LRUCache<string, Assessed>;
  /** Recent authored writes of `User` accounts, per tenant and login (actor-behaviour.ts). */
  readonly actors: LRUCache<string, ActorHistory>;
  private readonly ttlMs: number | undefined;
  private readonly clock: Clock;
  private lastPurge: number;

  /**
   * `max` caps each cache; `ttlMs`, when given, also drops entries not used for that long (using
   * an entry renews it). Stale entries are purged as a side effect of `window()`/`purgeIfDue()`,
   * at most every tenth of the TTL, so the cost is one pass over the caches now and then.
   */
  constructor(max: number, options: { ttlMs?: number; clock?: Clock } = {}) {
    this.ttlMs = options.ttlMs;
    this.clock = options.clock ?? systemClock;
    this.lastPurge = this.clock.now();
    // ttlResolution 0: read the clock on every check (a cached "now" would lag a ManualClock).
    const timing =
      this.ttlMs === undefined
        ? {}
        : { ttl: this.ttlMs, updateAgeOnGet: true, ttlResolution: 0, perf: this.clock };
    this.targets = new LRUCache({ max, ...timing });
    this.chains = new LRUCache({ max, ...timing });
    this.assessed = new LRUCache({ max, ...timing });
    // An account's history matters for BOT_LIKE_MEMORY_MS after its last write, whatever the TTL.
    this.actors = new LRUCache({
      max,
      ttl: Math.max(this.ttlMs ?? 0, BOT_LIKE_MEMORY_MS),
      updateAgeOnGet: true,
      ttlResolution: 0,
      perf: this.clock,
    });
  }

  actor(key: string): ActorHistory {
    let history = this.actors.get(key);
    if (!history) {
      history = new ActorHistory();
      this.actors.set(key, history);
    }
    return history;
  }

  window(key: string): TargetWindow {
    this.purgeIfDue();
    let window = this.targets.get(key);
    if (!window) {
      window = new TargetWindow();
      this.targets.set(key, window);
    }
    return window;
  }

  /** Drops entries idle for longer than the TTL, if a tenth of it passed since the last purge. */
  purgeIfDue(): void {
    if (this.ttlMs === undefined) return;
    const now = this.clock.now();
    if (now - this.lastPurge < this.ttlMs / 10) return;
    this.lastPurge = now;
    this.targets.purgeStale();
    this.chains.purgeStale();
    this.assessed.purgeStale();
    this.actors.purgeStale();
  }
}
