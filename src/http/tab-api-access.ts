/**
 * Who may call the tab API (/api/chains, ...). In local mode, callers on this machine. Outside it,
 * the tab will send a Teams SSO token; until that check exists, the API answers 401 rather than
 * serve a tenant's chains to anyone who asks.
 */
import type restify from 'restify';
import { sendError } from './server.js';
import { isLoopback } from './teams-route.js';

export function tabApiAccess(localMode: boolean): restify.RequestHandler {
  return (req, res, next) => {
    if (localMode && isLoopback(req.socket.remoteAddress)) return next();
    if (localMode) {
      sendError(res, 403, 'local_mode', 'Local mode (no BOT_ID) serves the tab API to this machine only.');
    } else {
      sendError(res, 401, 'sso_required', 'The tab API needs a Teams SSO token (Authorization: Bearer ...), and its validation is not configured on this server.');
    }
    return next(false);
  };
}
