/**
 * GET /healthz (the process is alive), GET /readyz (the store answers and intake is open),
 * GET /metrics (Prometheus text).
 */
import type restify from 'restify';
import type { Store } from '../store/store.js';
import type { ReynoldsMetrics } from './metrics.js';

export function mountHealthRoutes(
  server: restify.Server,
  deps: { store: Store; metrics: ReynoldsMetrics; isDraining: () => boolean; startedAt: number },
): void {
  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, {
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    });
  });

  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    if (deps.isDraining()) {
      res.send(503, {
        status: 'draining',
        store: deps.store.kind,
        message: 'Shutting down; not taking new work.',
      });
      return;
    }
    try {
      await deps.store.ping();
      res.send(200, { status: 'ready', store: deps.store.kind });
    } catch (error) {
      res.send(503, {
        status: 'unavailable',
        store: deps.store.kind,
        message: `The ${deps.store.kind} store does not answer: ${(error as Error).message}`,
      });
    }
  });

  server.get('/metrics', async (_req: restify.Request, res: restify.Response) => {
    const text = await deps.metrics.registry.metrics();
    res.sendRaw(200, text, { 'content-type': deps.metrics.registry.contentType });
  });
}
