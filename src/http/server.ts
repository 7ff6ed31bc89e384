/**
 * The restify server every route hangs off, with the house error format: every error answers
 * JSON `{ "error": { "code": "...", "message": "..." } }` with a message that says what to fix.
 */
import restify, { type Request, type Response } from 'restify';
import type { Logger } from '../log.js';
import type { ReynoldsMetrics } from './metrics.js';

export function createServer(deps: { logger: Logger; metrics: ReynoldsMetrics }): restify.Server {
  const server = restify.createServer({
    name: 'reynolds',
    // restify's own bunyan logger is replaced by pino events below; keep it quiet.
    handleUncaughtExceptions: false,
  });

  server.on(
    'restifyError',
    (
      req: Request,
      res: Response,
      err: Error & { statusCode?: number; body?: { code?: string } },
      callback: () => void,
    ) => {
      const status = err.statusCode ?? 500;
      const code = err.body?.code ?? err.name ?? 'Error';
      let message = err.message;
      if (status === 404)
        message = `No route for ${req.method} ${req.path()}. Reynolds serves POST /api/github/webhook, POST /api/messages, GET /healthz, GET /readyz and GET /metrics.`;
      if (status === 405)
        message = `${req.method} is not allowed on ${req.path()}; use ${String(res.getHeader('allow') ?? 'the documented method')}.`;
      if (status >= 500) {
        deps.logger.error({ err, method: req.method, path: req.path() }, 'request failed');
        message = 'Internal error; it has been logged.';
      }
      (err as unknown as { toJSON: () => unknown }).toJSON = () => ({
        error: { code: toSnake(code), message },
      });
      callback();
    },
  );

  server.on('after', (req: Request, res: Response, route: { path?: string } | null) => {
    deps.metrics.httpRequests.inc({
      method: req.method,
      route: typeof route?.path === 'string' ? route.path : 'unmatched',
      status: String(res.statusCode),
    });
  });

  return server;
}

/** JSON error body in the house format. */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): void {
  res.send(status, { error: { code, message } }, headers);
}

function toSnake(code: string): string {
  return code
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
