/**
 * The pilot rollout of enrichment and AI write-backs. A tenant + repo pair falls in one of 100
 * buckets by a stable hash (sha256), and is in the pilot when its bucket is below the stage's
 * percentage, so raising the stage only ever adds repos. PILOT_ALLOW and PILOT_DENY name
 * `owner/repo` or a whole `owner`; deny wins over allow, allow wins over the stage.
 */
import { createHash } from 'node:crypto';
import type { PilotSnapshot } from './model-pool.js';

export const PILOT_STAGES = [0, 5, 15, 50, 100] as const;
export type PilotStage = (typeof PILOT_STAGES)[number];

export function pilotBucket(tenantId: string, repo: string): number {
  // The separator keeps ("a", "b/c") and ("a/b", "c") apart; lower case because GitHub names are.
  const digest = createHash('sha256').update(`${tenantId}\u0000${repo.toLowerCase()}`).digest();
  return digest.readUInt32BE(0) % 100;
}

export class PilotRollout {
  private readonly allow: Set<string>;
  private readonly deny: Set<string>;

  constructor(
    readonly stagePercent: PilotStage,
    allow: readonly string[] = [],
    deny: readonly string[] = [],
  ) {
    this.allow = new Set(allow.map((entry) => entry.toLowerCase()));
    this.deny = new Set(deny.map((entry) => entry.toLowerCase()));
  }

  /** Whether enrichment and AI write-backs apply to this repo (`owner/name`) of this tenant. */
  includes(tenantId: string, repo: string): boolean {
    const full = repo.toLowerCase();
    const owner = full.split('/')[0]!;
    if (this.deny.has(full) || this.deny.has(owner)) return false;
    if (this.allow.has(full) || this.allow.has(owner)) return true;
    return pilotBucket(tenantId, full) < this.stagePercent;
  }

  snapshot(): PilotSnapshot {
    return { stagePercent: this.stagePercent, allow: [...this.allow], deny: [...this.deny] };
  }
}

/** `owner/repo, owner2` → entries; throws naming the first entry that is neither form. */
export function parsePilotList(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((raw) => {
    const entry = raw.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\/[A-Za-z0-9._-]{1,100})?$/.test(entry))
      throw new Error(`"${entry}" is not owner or owner/repo`);
    return entry;
  });
}
