/**
 * Who may call the tab API (/api/chains, /api/pool, /api/subscriptions...). In Teams, a user of
 * the bot's tenant with a valid SSO token (tab-sso.ts); in local mode (no BOT_ID), callers on this
 * machine only. The caller is kept on the request, so routes can scope answers and audit who did it.
 */
import type restify from 'restify';
import { sendError } from './server.js';
import { isLoopback } from './teams-route.js';
import type { TabCaller, TabSsoVerifier } from './tab-sso.js';

const CALLER = Symbol('tab caller');

export interface TabAccessSettings {
  localMode: boolean;
  /** The bot's tenant (`local` in local mode). */
  tenantId: string;
  /** Required outside local mode. */
  sso?: TabSsoVerifier;
}

export function tabApiAccess(settings: TabAccessSettings): restify.RequestHandler {
  return (req, res, next) => {
    if (settings.localMode) {
      if (isLoopback(req.socket.remoteAddress)) {
        (req as unknown as Record<symbol, TabCaller>)[CALLER] = {
          tenantId: settings.tenantId,
          userId: 'local',
          name: 'local tab',
        };
        return next();
      }
      sendError(
        res,
        403,
        'local_mode',
        'Local mode (no BOT_ID) serves the tab API to this machine only.',
      );
      return next(false);
    }
    if (!settings.sso) {
      sendError(
        res,
        401,
        'sso_required',
        'The tab API needs a Teams SSO token, and its validation is not configured on this server.',
      );
      return next(false);
    }
    settings.sso.verify(req.headers.authorization).then(
      (outcome) => {
        if (!outcome.ok) {
          sendError(
            res,
            outcome.status,
            outcome.code,
            outcome.message,
            outcome.status === 401 ? { 'www-authenticate': 'Bearer' } : undefined,
          );
          return next(false);
        }
        (req as unknown as Record<symbol, TabCaller>)[CALLER] = outcome.caller;
        return next();
      },
      (error: unknown) => next(error as Error),
    );
  };
}

/** The caller tabApiAccess let through (the route runs after it). */
export function tabCaller(req: restify.Request): TabCaller {
  const caller = (req as unknown as Record<symbol, TabCaller | undefined>)[CALLER];
  if (!caller) throw new Error('tabCaller used on a route without tabApiAccess');
  return caller;
}
