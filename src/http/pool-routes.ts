/**
 * GET /api/pool: the model pool's snapshot (roles, deployments, breakers, latency history, pilot)
 * for the personal tab. With no pool configured it still answers, `configured: false`, so the tab
 * can say "no models configured" instead of failing.
 */
import type restify from 'restify';
import type { PilotSnapshot, PoolSnapshot } from '../models/model-pool.js';
import { sendError } from './server.js';

export interface PoolRouteDeps {
  /** The running pool's snapshot, or undefined when Reynolds runs without one. */
  pool: () => PoolSnapshot | undefined;
  /** The pilot as configured, shown when there is no pool. */
  pilot: PilotSnapshot;
  access: restify.RequestHandler;
}

export function unconfiguredPool(pilot: PilotSnapshot): PoolSnapshot {
  return {
    configured: false,
    concurrency: { limit: 0, inFlight: 0, queued: 0 },
    roles: [],
    pilot,
    history: [],
  };
}

export function mountPoolRoutes(server: restify.Server, deps: PoolRouteDeps): void {
  server.get('/api/pool', deps.access, async (req: restify.Request, res: restify.Response) => {
    let snapshot: PoolSnapshot | undefined;
    try {
      snapshot = deps.pool();
    } catch {
      return sendError(
        res,
        503,
        'pool_unavailable',
        'The model pool could not report its state just now; try again in a few seconds.',
      );
    }
    res.send(200, snapshot ?? unconfiguredPool(deps.pilot), { 'cache-control': 'no-store' });
  });
}
