/**
 * The event-chain API the personal tab reads:
 * GET /api/chains?repo=owner/name&verdict=break&limit=50 → recent chains, newest first.
 * GET /api/chains/:id → the chain, its nodes and edges in time order, its signals and audit trail.
 */
import type restify from 'restify';
import type { Verdict } from '../core/chain-records.js';
import { chainDetail, recentChains } from '../loops/chain-queries.js';
import type { Store } from '../store/store.js';
import { sendError } from './server.js';
import { tabCaller } from './tab-api-access.js';

const VERDICTS = new Set(['proceed', 'dampen', 'break']);
const REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const CHAIN_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function mountChainsRoutes(
  server: restify.Server,
  deps: { store: Store; tenantId: string; access: restify.RequestHandler },
): void {
  server.get('/api/chains', deps.access, async (req: restify.Request, res: restify.Response) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const repo = query.get('repo') ?? undefined;
    const verdict = query.get('verdict') ?? undefined;
    const limitText = query.get('limit') ?? '50';
    const limit = Number(limitText);
    if (repo !== undefined && !REPO.test(repo))
      return sendError(res, 400, 'bad_query', 'repo must look like owner/name.');
    if (verdict !== undefined && !VERDICTS.has(verdict))
      return sendError(res, 400, 'bad_query', 'verdict must be proceed, dampen or break.');
    if (!/^\d{1,3}$/.test(limitText) || limit < 1 || limit > 200)
      return sendError(res, 400, 'bad_query', 'limit must be a whole number from 1 to 200.');
    const chains = await recentChains(deps.store, tabCaller(req).tenantId, {
      repo,
      verdict: verdict as Verdict | undefined,
      limit,
    });
    res.send(200, { chains });
  });

  server.get(
    '/api/chains/:id',
    deps.access,
    async (req: restify.Request, res: restify.Response) => {
      const id = String(req.params.id ?? '');
      if (!CHAIN_ID.test(id))
        return sendError(
          res,
          400,
          'bad_chain_id',
          'A chain id is letters, digits, dash and underscore.',
        );
      const detail = await chainDetail(deps.store, tabCaller(req).tenantId, id);
      if (!detail)
        return sendError(
          res,
          404,
          'chain_not_found',
          `No chain ${id}: it never existed, or it expired (chains are kept for LOOP_TTL_SECONDS).`,
        );
      res.send(200, detail);
    },
  );
}
