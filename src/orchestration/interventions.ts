/**
 * Interventions before impact, stored: each (rule, item) is raised once (an `intervention` record
 * created with create-if-absent, so a rerun or a second replica raises nothing twice; a branch is
 * raised once per time it goes red), resolved
 * when the trouble goes away (then kept 30 days). Time-based rules are woken by `intervention_due`
 * records bucketed by hour: scheduling is one write per change, and a tick reads only the hours
 * that passed since the last one, so the cost per event stays O(1) amortised.
 */
import type { Clock } from '../core/clock.js';
import { ConflictError, type Store } from '../store/store.js';
import {
  checkAt,
  episodeOf,
  holds,
  message,
  RULES_FOR,
  type InterventionThresholds,
  type RuleId,
} from './intervention-rules.js';
import type { WorkItem } from './work-item.js';

export interface Intervention {
  rule: RuleId;
  item: string;
  repo: string;
  text: string;
  raisedAt: number;
  resolvedAt?: number;
}

interface Due {
  rule: RuleId;
  item: string;
  repo: string;
  at: number;
}

const HOUR = 3_600_000;
export const RESOLVED_TTL_MS = 30 * 24 * HOUR;
/** A due record nobody ticked past (the service was down for a week) goes after this. */
const DUE_TTL_MS = 14 * 24 * HOUR;
/** Due records read per hour bucket per tick. */
const DUE_LIMIT = 5_000;
/** On start, a tick looks back over every hour a due record can still be in (one query per hour, once). */
const CATCH_UP_MS = DUE_TTL_MS;

export interface InterventionPorts {
  store: Store;
  clock: Clock;
  /** The item's current state (the work_item record). */
  load: (tenantId: string, key: string) => Promise<WorkItem | undefined>;
  /** The thresholds of the item's scope. */
  thresholds: (tenantId: string, repo: string) => Promise<InterventionThresholds>;
  /** Told of each newly raised intervention (to post it, count it, log it). */
  onRaised?: (tenantId: string, intervention: Intervention) => Promise<void> | void;
}

export class Interventions {
  private readonly lastTick = new Map<string, number>();

  constructor(private readonly ports: InterventionPorts) {}

  /**
   * After an item changed: raise what holds now, resolve what no longer holds, schedule a look
   * at the moment each remaining rule could start to hold.
   */
  async review(tenantId: string, item: WorkItem): Promise<Intervention[]> {
    const now = this.ports.clock.now();
    const t = await this.ports.thresholds(tenantId, item.repo);
    const raised: Intervention[] = [];
    for (const rule of RULES_FOR[item.kind]) {
      const at = checkAt(rule, item, t);
      if (at === undefined) {
        await this.resolve(tenantId, rule, episodeOf(rule, item), now);
      } else if (holds(rule, item, now, t)) {
        const intervention = await this.raise(tenantId, rule, item, now, t);
        if (intervention) raised.push(intervention);
      } else {
        await this.schedule(tenantId, { rule, item: item.key, repo: item.repo, at });
      }
    }
    return raised;
  }

  /** Looks at every check that fell due since the last tick. */
  async tick(tenantId: string): Promise<Intervention[]> {
    const now = this.ports.clock.now();
    const from = this.lastTick.get(tenantId) ?? now - CATCH_UP_MS;
    this.lastTick.set(tenantId, now);
    const raised: Intervention[] = [];
    for (let hour = Math.floor(from / HOUR); hour <= Math.floor(now / HOUR); hour += 1) {
      const partition = `${tenantId}|due|${hour}`;
      const dues = await this.ports.store.queryRecords<Due>({
        kind: 'intervention_due',
        tenantId,
        partition,
        limit: DUE_LIMIT,
        oldestFirst: true,
      });
      for (const due of dues) {
        if (due.data.at > now) continue;
        await this.ports.store.deleteRecord('intervention_due', partition, due.id);
        const item = await this.ports.load(tenantId, due.data.item);
        if (!item) continue;
        const t = await this.ports.thresholds(tenantId, item.repo);
        if (!holds(due.data.rule, item, now, t)) continue;
        const intervention = await this.raise(tenantId, due.data.rule, item, now, t);
        if (intervention) raised.push(intervention);
      }
    }
    return raised;
  }

  /** Open (unresolved) interventions, newest first. */
  async open(tenantId: string, limit = 100): Promise<Intervention[]> {
    const records = await this.ports.store.queryRecords<Intervention>({
      kind: 'intervention',
      tenantId,
      partition: tenantId,
      limit: limit * 4,
    });
    return records
      .map((record) => record.data)
      .filter((intervention) => intervention.resolvedAt === undefined)
      .slice(0, limit);
  }

  private async raise(
    tenantId: string,
    rule: RuleId,
    item: WorkItem,
    now: number,
    t: InterventionThresholds,
  ): Promise<Intervention | undefined> {
    const intervention: Intervention = {
      rule,
      item: item.key,
      repo: item.repo,
      text: message(rule, item, now, t),
      raisedAt: now,
    };
    try {
      await this.ports.store.putRecord(
        {
          kind: 'intervention',
          tenantId,
          partition: tenantId,
          id: `${rule}|${episodeOf(rule, item)}`,
          data: intervention,
        },
        { ifMatch: null },
      );
    } catch (error) {
      if (error instanceof ConflictError) return undefined; // raised before: once is the rule
      throw error;
    }
    await this.ports.onRaised?.(tenantId, intervention);
    return intervention;
  }

  private async resolve(tenantId: string, rule: RuleId, key: string, now: number): Promise<void> {
    const record = await this.ports.store.getRecord<Intervention>(
      'intervention',
      tenantId,
      `${rule}|${key}`,
    );
    if (!record || record.data.resolvedAt !== undefined) return;
    await this.ports.store.putRecord({
      kind: 'intervention',
      tenantId,
      partition: tenantId,
      id: record.id,
      data: { ...record.data, resolvedAt: now },
      expiresAt: now + RESOLVED_TTL_MS,
    });
  }

  private async schedule(tenantId: string, due: Due): Promise<void> {
    await this.ports.store.putRecord({
      kind: 'intervention_due',
      tenantId,
      partition: `${tenantId}|due|${Math.floor(due.at / HOUR)}`,
      id: `${due.rule}|${due.item}`,
      data: due,
      expiresAt: due.at + DUE_TTL_MS,
    });
  }
}
