/**
 * One run of missed-delivery recovery (GitHub App mode), free of any GitHub client: read the
 * app's recent webhook deliveries newest first, group the attempts by GUID, and ask GitHub to
 * redeliver each GUID that never reached the inbox — once per GUID, across restarts and
 * replicas, because the claim is a conditional create of a `recovery` record.
 *
 * A GUID counts as *failed* when none of its attempts got a 2xx, and as *missing* when GitHub saw
 * a 2xx but the inbox has no record (the store lost it, or another deployment answered). Either
 * way the inbox is the truth: a GUID found there is never redelivered.
 */
import type { Clock } from '../core/clock.js';
import { ConflictError, type Store } from '../store/store.js';

/** One attempt as GitHub lists it (`GET /app/hook/deliveries`). */
export interface HookDeliveryAttempt {
  id: number;
  guid: string;
  /** Milliseconds since the epoch. */
  deliveredAt: number;
  /** 0 when GitHub could not connect at all. */
  statusCode: number;
  event: string;
  action?: string | null;
  redelivery: boolean;
}

/** The GitHub side, as the run needs it. */
export interface HookDeliveryLog {
  /** Pages of attempts, newest first; the run stops reading once a page reaches past the window. */
  pages(): AsyncIterable<HookDeliveryAttempt[]>;
  /** The inbox key this GUID would have been stored under (see github/delivery-key.ts). */
  inboxKey(attempt: HookDeliveryAttempt): Promise<string>;
  /** Asks GitHub to send the attempt again. */
  redeliver(attemptId: number): Promise<void>;
}

export type RecoveryReason = 'failed' | 'missing';

export interface RecoveryRecord {
  guid: string;
  attemptId: number;
  event: string;
  action?: string | null;
  reason: RecoveryReason;
  lastStatusCode: number;
  requestedAt: number;
  owner: string;
}

export interface RecoveryRunResult {
  scanned: number;
  candidates: number;
  alreadyInInbox: number;
  alreadyRecovered: number;
  requested: RecoveryRecord[];
  /** Requests GitHub refused this run; their claims are released so a later run tries again. */
  refused: number;
  /** More candidates than the per-run bound: the rest wait for the next run. */
  deferred: number;
  /** Set when GitHub refused a redelivery request and the run stopped there. */
  stoppedBy?: unknown;
}

export interface RecoveryRunOptions {
  store: Store;
  clock: Clock;
  log: HookDeliveryLog;
  tenantId: string;
  owner: string;
  lookbackMs: number;
  maxPerRun: number;
  /** Attempts younger than this are left alone: the original may still be on its way. */
  graceMs: number;
  /** How long a claim is kept; longer than the lookback so a GUID is never requested twice. */
  claimTtlMs: number;
}

export const RECOVERY_PARTITION = 'redelivery';
const RECOVERY_KIND = 'recovery' as const;

interface Candidate {
  newest: HookDeliveryAttempt;
  succeeded: boolean;
}

/** Groups attempts inside [since, until) by GUID; the newest attempt is the one to redeliver. */
export function groupAttempts(
  attempts: Iterable<HookDeliveryAttempt>,
  since: number,
  until: number,
): Map<string, Candidate> {
  const byGuid = new Map<string, Candidate>();
  for (const attempt of attempts) {
    if (attempt.deliveredAt < since || attempt.deliveredAt >= until) continue;
    const ok = attempt.statusCode >= 200 && attempt.statusCode < 300;
    const seen = byGuid.get(attempt.guid);
    if (!seen) byGuid.set(attempt.guid, { newest: attempt, succeeded: ok });
    else {
      seen.succeeded ||= ok;
      if (attempt.deliveredAt > seen.newest.deliveredAt) seen.newest = attempt;
    }
  }
  return byGuid;
}

export async function runDeliveryRecovery(o: RecoveryRunOptions): Promise<RecoveryRunResult> {
  const now = o.clock.now();
  const since = now - o.lookbackMs;
  const attempts: HookDeliveryAttempt[] = [];
  for await (const page of o.log.pages()) {
    attempts.push(...page);
    if (page.length === 0 || page.some((a) => a.deliveredAt < since)) break;
  }
  const candidates = groupAttempts(attempts, since, now - o.graceMs);
  const result: RecoveryRunResult = {
    scanned: attempts.length,
    candidates: candidates.size,
    alreadyInInbox: 0,
    alreadyRecovered: 0,
    requested: [],
    refused: 0,
    deferred: 0,
  };

  for (const [guid, { newest, succeeded }] of candidates) {
    if (await o.store.getDelivery(await o.log.inboxKey(newest))) {
      result.alreadyInInbox += 1;
      continue;
    }
    if (await o.store.getRecord(RECOVERY_KIND, RECOVERY_PARTITION, guid)) {
      result.alreadyRecovered += 1;
      continue;
    }
    if (result.requested.length + result.refused >= o.maxPerRun) {
      result.deferred += 1;
      continue;
    }
    const record: RecoveryRecord = {
      guid,
      attemptId: newest.id,
      event: newest.event,
      action: newest.action ?? null,
      reason: succeeded ? 'missing' : 'failed',
      lastStatusCode: newest.statusCode,
      requestedAt: o.clock.now(),
      owner: o.owner,
    };
    try {
      await o.store.putRecord<RecoveryRecord>(
        {
          kind: RECOVERY_KIND,
          tenantId: o.tenantId,
          partition: RECOVERY_PARTITION,
          id: guid,
          data: record,
          expiresAt: now + o.claimTtlMs,
        },
        { ifMatch: null },
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      result.alreadyRecovered += 1; // another replica claimed it first
      continue;
    }
    try {
      await o.log.redeliver(newest.id);
      result.requested.push(record);
    } catch (error) {
      await o.store.deleteRecord(RECOVERY_KIND, RECOVERY_PARTITION, guid).catch(() => undefined);
      result.refused += 1;
      // GitHub refusing (429/5xx) or unreachable ends the run; the next run starts over.
      result.stoppedBy = error;
      break;
    }
  }
  return result;
}
