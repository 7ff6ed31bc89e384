/**
 * Serves the built tab (vite output) under /tab/. `send` (through restify's serveStaticFiles)
 * refuses paths that climb out of the folder; index.html is never cached (it names the current
 * hashed bundles), the hashed files under assets/ are cached for a year.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import restify from 'restify';
import { sendError } from './server.js';

const YEAR_SECONDS = 365 * 24 * 3600;

export function mountTabStatic(server: restify.Server, deps: { dir: string }): void {
  const root = path.resolve(deps.dir);
  const files = restify.plugins.serveStaticFiles(root, {
    setHeaders(res, file) {
      const immutable = path.relative(root, file).startsWith(`assets${path.sep}`);
      res.setHeader(
        'cache-control',
        immutable ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache',
      );
      res.setHeader('x-content-type-options', 'nosniff');
    },
  });

  server.get('/tab', (req: restify.Request, res: restify.Response, next: restify.Next) => {
    res.redirect(301, '/tab/', next);
  });
  server.get('/tab/*', (req: restify.Request, res: restify.Response, next: restify.Next) => {
    if (!existsSync(path.join(root, 'index.html'))) {
      sendError(
        res,
        404,
        'tab_not_built',
        `The tab is not built (no ${path.join(root, 'index.html')}): run npm run build:tab (npm run build does it too).`,
      );
      return next(false);
    }
    const wanted = String(req.params['*'] ?? '') || 'index.html';
    const full = path.resolve(root, wanted);
    const inside = full === root || full.startsWith(root + path.sep);
    if (!inside || wanted.split(/[\\/]/).some((part) => part === '..' || part.startsWith('.'))) {
      sendError(
        res,
        400,
        'bad_tab_path',
        'Tab paths stay inside /tab/ (no "..", no hidden files).',
      );
      return next(false);
    }
    if (!existsSync(full) || !statSync(full).isFile()) {
      sendError(
        res,
        404,
        'tab_file_not_found',
        `No tab file ${wanted}. The tab's pages are /tab/#/chains, /tab/#/pool, /tab/#/config and /tab/#/channel.`,
      );
      return next(false);
    }
    return files(req, res, next);
  });
}
