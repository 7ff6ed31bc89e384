/**
 * Settings and optional services derived from the configuration for the composition root
 * (src/index.ts): the loop guard's settings, and missed-delivery recovery in GitHub App mode.
 */
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import {
  createAppJwtOctokit,
  DeliveryRecovery,
  GitHubAppDeliveryLog,
} from '../github/delivery-recovery.js';
import type { ReynoldsMetrics } from '../http/metrics.js';
import { recoveryMetrics } from '../http/recovery-metrics.js';
import type { Logger } from '../log.js';
import { DEFAULT_LOOP_SETTINGS, type LoopSettings } from '../loops/loop-settings.js';
import type { Store } from '../store/store.js';

/** GitHub App mode only: redelivery needs the App's own JWT. */
export function deliveryRecoveryFrom(
  config: Config,
  deps: { store: Store; clock: Clock; logger: Logger; metrics: ReynoldsMetrics; owner: string },
): DeliveryRecovery | undefined {
  if (config.GITHUB_APP_ID === undefined || config.GITHUB_APP_PRIVATE_KEY === undefined)
    return undefined;
  const octokit = createAppJwtOctokit({
    appId: config.GITHUB_APP_ID,
    privateKey: config.GITHUB_APP_PRIVATE_KEY,
    baseUrl: config.GITHUB_API_URL,
    logger: deps.logger,
  });
  return new DeliveryRecovery({
    ...deps,
    log: new GitHubAppDeliveryLog(octokit),
    observer: recoveryMetrics(deps.metrics.registry),
    tenantId: config.tenantId,
    intervalMs: config.RECOVERY_INTERVAL_MINUTES * 60_000,
    lookbackMs: config.RECOVERY_LOOKBACK_HOURS * 3600_000,
    maxPerRun: config.RECOVERY_MAX_PER_RUN,
  });
}

export function loopSettingsFrom(config: Config): LoopSettings {
  return {
    ...DEFAULT_LOOP_SETTINGS,
    appSlug: config.GITHUB_APP_SLUG,
    appId: config.GITHUB_APP_ID,
    markerKey: config.markerKey,
    chainTtlMs: config.LOOP_TTL_SECONDS * 1000,
    echoTtlMs: config.ECHO_TTL_SECONDS * 1000,
    auditTtlMs: config.AUDIT_TTL_DAYS * 24 * 3600_000,
    dampenScore: config.LOOP_DAMPEN_SCORE,
    breakScore: config.LOOP_BREAK_SCORE,
    replyWindowMs: config.LOOP_REPLY_WINDOW_SECONDS * 1000,
    pingPongGapMs: config.LOOP_PINGPONG_GAP_SECONDS * 1000,
    workingSetMax: config.LOOP_WORKING_SET_MAX,
  };
}
