/**
 * Start order and shutdown order of the background work. Start: the inbox worker, the sender and
 * the digests (unless a test drives them), then missed-delivery recovery and the sweep of expired
 * records. Stop (once, however often it is asked): refuse new deliveries first, then let each part
 * finish or hand back its work, producers before consumers, and close the store last.
 */
import { raceTimeout } from '../core/race-timeout.js';
import type { DeliveryRecovery } from '../github/delivery-recovery.js';
import type { ProactiveSender } from '../teams/sending/proactive-sender.js';
import type { SignInService } from '../identity/sign-in-service.js';
import type { Foundation } from './foundation.js';
import { deliveryRecoveryFrom } from './settings-from-config.js';
import type { Listening } from './wire-http.js';
import type { PipelineParts } from './wire-pipeline.js';

/** How often expired records are swept from the embedded store. */
const SWEEP_INTERVAL_MS = 60_000;
/** How long shutdown waits for open HTTP requests before it closes their connections. */
const HTTP_CLOSE_WAIT_MS = 2000;

export interface Background {
  recovery?: DeliveryRecovery;
  sweeper: NodeJS.Timeout;
}

/** `runWorkers: false` leaves the worker, the sender and the digests to the caller (tests call tick()). */
export function startBackground(
  base: Foundation,
  parts: PipelineParts,
  sender: ProactiveSender,
  runWorkers: boolean,
): Background {
  const { config, clock, logger, store, metrics } = base;
  if (runWorkers) {
    parts.worker.start();
    sender.start();
    parts.digests.start();
    parts.orchestration.ticker.start();
  }
  const recovery = deliveryRecoveryFrom(config, {
    store,
    clock,
    logger,
    metrics,
    owner: base.workerOwner,
  });
  recovery?.start();
  const sweeper = setInterval(() => {
    store.sweepExpired().then(
      (n) => n > 0 && logger.debug({ deleted: n }, 'swept expired records'),
      (err) => logger.warn({ err }, 'sweep of expired records failed; will try again'),
    );
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  return { recovery, sweeper };
}

export interface Running {
  parts: PipelineParts;
  sender: ProactiveSender;
  http: Listening;
  background: Background;
  /** Verified sign-in: its pending device flows stop polling at shutdown. */
  signIn?: SignInService;
  /** The chat's connections to other MCP servers. */
  mcp?: { close(): Promise<void> };
  /** Marks the process as draining (readiness answers 503 from now on). */
  drain: () => void;
}

/** The graceful stop; calling it again returns the same promise. */
export function stopOnce(base: Foundation, running: Running): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= shutDown(base, running));
}

async function shutDown(
  base: Foundation,
  { parts, sender, http, background, signIn, mcp, drain }: Running,
): Promise<void> {
  const grace = base.config.SHUTDOWN_GRACE_MS;
  const server = http.server;
  drain();
  signIn?.stop();
  parts.intake.stopAccepting();
  clearInterval(background.sweeper);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.server.closeIdleConnections?.();
  await background.recovery?.stop();
  await mcp?.close();
  await parts.worker.stop(grace);
  await parts.enrichment?.stop(grace);
  await parts.pool.close();
  await parts.digests.stop(grace);
  await parts.orchestration.ticker.stop(grace);
  await sender.stop(grace);
  await raceTimeout(closed, HTTP_CLOSE_WAIT_MS, () => undefined, { unref: true });
  server.server.closeAllConnections?.();
  await base.store.close();
  base.logger.info('Reynolds stopped');
}
