/** The start-up log lines: telemetry on or off, where Reynolds listens, the model pool, local mode. */
import type { Foundation } from './foundation.js';
import { telemetry } from './telemetry.js';

export function logStartup(
  base: Pick<Foundation, 'config' | 'logger' | 'store'>,
  url: string,
  enrichment: boolean,
): void {
  const { config, logger, store } = base;
  logger.info(
    { telemetry: telemetry.reason },
    `telemetry: ${telemetry.enabled ? 'on' : 'off'} (${telemetry.reason})`,
  );
  logger.info(
    { url, store: store.kind, localMode: config.localMode },
    `Reynolds is listening on ${url} (store: ${store.kind})`,
  );
  logger.info(
    { deployments: config.MODEL_DEPLOYMENTS.length, pilotStage: config.PILOT_STAGE, enrichment },
    config.MODEL_DEPLOYMENTS.length > 0
      ? `model pool: ${config.MODEL_DEPLOYMENTS.length} deployment(s), pilot at ${config.PILOT_STAGE}%`
      : 'model pool: no deployments configured; enrichment off',
  );
  if (config.localMode) {
    logger.info(
      `local mode: no BOT_ID, so /api/messages accepts unauthenticated activities from this machine only, and the server binds to ${config.host}`,
    );
  }
}
