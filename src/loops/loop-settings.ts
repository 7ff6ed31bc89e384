/**
 * Thresholds and windows of loop prevention, with the defaults the scenario simulator
 * (bench/loops) was tuned on. Configuration may override any of them.
 */
export interface LoopSettings {
  /** Who Reynolds is on GitHub: its app's slug (`<slug>[bot]` is its login) and app id. */
  appSlug?: string;
  appId?: number;
  /** Key of the HMAC in our chain markers; forged or copied-and-edited markers do not verify. */
  markerKey: string;
  /** Chain records live this long (LOOP_TTL_SECONDS). */
  chainTtlMs: number;
  /** Expected echoes of our writes live this long. */
  echoTtlMs: number;
  /** Audit entries live this long. */
  auditTtlMs: number;
  /** Score at or above which write-backs stop. */
  dampenScore: number;
  /** Score at or above which everything on the chain stops. */
  breakScore: number;
  /** A bot's event links to the previous event on its target only if it came within this. */
  replyWindowMs: number;
  /** Two bots alternating count as ping-pong only while each answer comes within this. */
  pingPongGapMs: number;
  /** Repeats of one fingerprint count within this window. */
  repeatWindowMs: number;
  /** Bot events on one target are counted over this window. */
  rateWindowMs: number;
  /** Depth at which the depth signal starts, and where it is full. */
  depthSoft: number;
  depthHard: number;
  /** Bot events per target per rate window where the rate signal starts, and where it is full. */
  rateSoft: number;
  rateHard: number;
  /** Cap on targets and chains held in memory (LRU); memory stays flat whatever the load. */
  workingSetMax: number;
}

export const DEFAULT_LOOP_SETTINGS: Omit<LoopSettings, 'markerKey'> = {
  chainTtlMs: 24 * 3600_000,
  echoTtlMs: 5 * 60_000,
  auditTtlMs: 30 * 24 * 3600_000,
  dampenScore: 0.5,
  breakScore: 0.9,
  replyWindowMs: 2 * 60_000,
  pingPongGapMs: 60_000,
  repeatWindowMs: 10 * 60_000,
  rateWindowMs: 60_000,
  depthSoft: 3,
  depthHard: 12,
  rateSoft: 10,
  rateHard: 30,
  workingSetMax: 50_000,
};

/**
 * How much each signal counts. The score is a noisy-OR of weight × strength, so independent
 * evidence adds up, no single weak signal can break a chain, and the result stays in [0, 1].
 *
 * A weight of 0.95 lets one signal at full strength break a chain alone (0.95 ≥ breakScore 0.9);
 * at half strength it stays just below the dampen line (0.475 < 0.5). `repeat` and `cycle` have it
 * because they are strong evidence on their own: a bot saying the same thing three times on one
 * target with no person in between (or a chain going round its circle twice) is not a
 * conversation. At 0.7, a single actor could never pass 1 − 0.3 × 0.4 = 0.88 with the rate signal,
 * so a merge bot retrying 14,000 times was dampened, never broken (docs/loop-prevention.md).
 */
export const SIGNAL_WEIGHTS = {
  depth: 0.95,
  repeat: 0.95,
  cycle: 0.95,
  ping_pong: 0.95,
  target_rate: 0.6,
  bot_reaction: 0.6,
  repeat_write: 0.6,
} as const;

/** Circles of up to this many actors are seen going round twice, however slow each turn. */
export const CYCLE_ACTORS = 4;

/**
 * How far back the cycle signal looks: the repeat window, or two rounds of a circle of
 * CYCLE_ACTORS whose every turn takes the whole reply window (16 min by default), whichever is
 * longer. A slower circle is not linked at all. Bounded all the same: 32 events per target, 8
 * times per fingerprint per chain.
 */
export function cycleLookBackMs(s: Pick<LoopSettings, 'repeatWindowMs' | 'replyWindowMs'>): number {
  return Math.max(s.repeatWindowMs, 2 * CYCLE_ACTORS * s.replyWindowMs);
}
