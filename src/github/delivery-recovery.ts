/**
 * Missed-delivery recovery in GitHub App mode (GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY): on start
 * and every RECOVERY_INTERVAL_MINUTES, list the app's webhook deliveries of the last
 * RECOVERY_LOOKBACK_HOURS and ask GitHub to redeliver those that never reached the inbox. The
 * decisions are in broker/delivery-recovery-run.ts; this file is the GitHub side (App JWT,
 * `GET /app/hook/deliveries`, `POST /app/hook/deliveries/{id}/attempts`) and the schedule.
 *
 * No retry plugin here on purpose: a refused or failed run is logged and the next scheduled run
 * starts over, which is the retry.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import {
  runDeliveryRecovery,
  type HookDeliveryAttempt,
  type HookDeliveryLog,
  type RecoveryRecord,
  type RecoveryRunResult,
} from '../broker/delivery-recovery-run.js';
import type { Clock } from '../core/clock.js';
import { raceTimeout } from '../core/race-timeout.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { deliveryKey, type DeliveryHeaders } from './delivery-key.js';

/**
 * An Octokit that authenticates as the App itself (a JWT signed with its private key), which the
 * `/app/hook/*` endpoints require. The shared client factory (github/octokit-client.ts) may absorb it.
 */
export function createAppJwtOctokit(o: {
  appId: number;
  privateKey: string;
  baseUrl: string;
  logger?: Logger;
}): Octokit {
  const quiet = (msg: string) => o.logger?.debug({ component: 'octokit' }, msg);
  return new Octokit({
    authStrategy: createAppAuth,
    auth: { appId: o.appId, privateKey: o.privateKey.replace(/\\n/g, '\n') },
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    // Octokit waits forever by default; a hung GitHub must not hang a run (or shutdown).
    request: {
      fetch: (url: string, init?: RequestInit) =>
        fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
    },
  });
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The app's delivery log through the REST API. */
export class GitHubAppDeliveryLog implements HookDeliveryLog {
  /** Every app delivery goes to the app's one hook, so its identity is looked up once. */
  private hook: Omit<DeliveryHeaders, 'deliveryId'> | undefined;

  constructor(private readonly octokit: Octokit) {}

  async *pages(): AsyncIterable<HookDeliveryAttempt[]> {
    for await (const page of this.octokit.paginate.iterator(
      this.octokit.rest.apps.listWebhookDeliveries,
      { per_page: 100 },
    )) {
      yield page.data.map((d) => ({
        id: d.id,
        guid: d.guid,
        deliveredAt: Date.parse(d.delivered_at),
        statusCode: d.status_code,
        event: d.event,
        action: d.action,
        redelivery: d.redelivery,
      }));
    }
  }

  async inboxKey(attempt: HookDeliveryAttempt): Promise<string> {
    if (!this.hook) {
      const { data } = await this.octokit.rest.apps.getWebhookDelivery({ delivery_id: attempt.id });
      const headers = lowerCaseKeys(data.request.headers ?? {});
      this.hook = {
        hookId: headers['x-github-hook-id'],
        installationTargetType: headers['x-github-hook-installation-target-type'],
        installationTargetId: headers['x-github-hook-installation-target-id'],
      };
    }
    return deliveryKey({ ...this.hook, deliveryId: attempt.guid });
  }

  async redeliver(attemptId: number): Promise<void> {
    await this.octokit.rest.apps.redeliverWebhookDelivery({ delivery_id: attemptId });
  }
}

function lowerCaseKeys(headers: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== null && v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

export interface RecoveryObserver {
  onRecovered(record: RecoveryRecord): void;
  onRunFailed(): void;
}

export interface DeliveryRecoveryOptions {
  store: Store;
  clock: Clock;
  log: HookDeliveryLog;
  logger: Logger;
  observer?: RecoveryObserver;
  tenantId: string;
  owner: string;
  intervalMs: number;
  lookbackMs: number;
  maxPerRun: number;
}

const STOP_WAIT_MS = 5_000;
/** Attempts younger than this are left alone: GitHub may still be delivering the original. */
const GRACE_MS = 60_000;
/** Claims outlive the lookback by a day, so a GUID is never requested twice. */
const CLAIM_MARGIN_MS = 24 * 3600_000;

export class DeliveryRecovery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RecoveryRunResult | undefined> | undefined;

  constructor(private readonly o: DeliveryRecoveryOptions) {}

  /** Runs now, then on the interval. Runs never overlap. */
  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.o.intervalMs);
    this.timer.unref();
  }

  /**
   * Stops the schedule; a run in flight gets a few seconds to finish. A claim whose request was
   * cut off by the exit stays claimed, so that one GUID is not retried (rare: only a stop mid-request).
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await raceTimeout(this.running, STOP_WAIT_MS, () => undefined, { unref: true });
  }

  /** One run; never throws (a failed run is logged and the next one starts over). */
  runOnce(): Promise<RecoveryRunResult | undefined> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<RecoveryRunResult | undefined> {
    const { logger } = this.o;
    try {
      const result = await runDeliveryRecovery({
        store: this.o.store,
        clock: this.o.clock,
        log: this.o.log,
        tenantId: this.o.tenantId,
        owner: this.o.owner,
        lookbackMs: this.o.lookbackMs,
        maxPerRun: this.o.maxPerRun,
        graceMs: GRACE_MS,
        claimTtlMs: this.o.lookbackMs + CLAIM_MARGIN_MS,
      });
      for (const r of result.requested) {
        this.o.observer?.onRecovered(r);
        logger.info(
          {
            delivery: r.guid,
            attempt: r.attemptId,
            event: r.event,
            action: r.action,
            reason: r.reason,
            lastStatus: r.lastStatusCode,
          },
          `recovery: asked GitHub to redeliver ${r.guid} (${r.event}${r.action ? `.${r.action}` : ''}, ${r.reason}, last status ${r.lastStatusCode})`,
        );
      }
      const { stoppedBy, requested, ...counts } = result;
      if (stoppedBy !== undefined) {
        this.o.observer?.onRunFailed();
        logger.warn(
          { ...counts, requested: requested.length, ...describe(stoppedBy) },
          'recovery: GitHub refused a redelivery request; the next run tries again',
        );
      } else {
        logger.info(
          { ...counts, requested: requested.length },
          `recovery: scanned ${counts.scanned} deliveries, requested ${requested.length} redeliveries`,
        );
      }
      return result;
    } catch (error) {
      this.o.observer?.onRunFailed();
      logger.warn(
        describe(error),
        'recovery: could not read the delivery log; the next run tries again',
      );
      return undefined;
    }
  }
}

/** Status and message only: Octokit errors carry the request, with its Authorization header. */
function describe(error: unknown): { status?: number; error: string } {
  const status =
    typeof (error as { status?: unknown })?.status === 'number'
      ? (error as { status: number }).status
      : undefined;
  return {
    status,
    error: error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error),
  };
}
