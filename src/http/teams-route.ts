/**
 * POST /api/messages: Bot Framework activities into the Teams AI application. With BOT_ID set
 * the adapter validates the caller's token; without it (local mode) the adapter checks nothing,
 * so this route lets only callers on this machine in, such as the Agents Playground.
 */
import restify from 'restify';
import type { ReynoldsTeamsApp } from '../teams/teams-app.js';
import { sendError } from './server.js';

export const MESSAGES_PATH = '/api/messages';
/** Activities are small; Teams caps a message at about 100 KB. */
const MAX_ACTIVITY_BYTES = 1024 * 1024;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function mountTeamsRoute(server: restify.Server, deps: { teams: ReynoldsTeamsApp; localMode: boolean }): void {
  const guard = (req: restify.Request, res: restify.Response, next: restify.Next) => {
    if (deps.localMode && !isLoopback(req.socket.remoteAddress)) {
      sendError(res, 403, 'local_mode', 'Local mode (no BOT_ID) accepts activities from this machine only. Set BOT_ID, BOT_PASSWORD and BOT_TENANT_ID to serve Teams.');
      return next(false);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      sendError(res, 415, 'unsupported_media_type', 'Bot Framework activities must be sent as application/json.');
      return next(false);
    }
    return next();
  };
  server.post(
    MESSAGES_PATH,
    guard,
    restify.plugins.bodyParser({ maxBodySize: MAX_ACTIVITY_BYTES, mapParams: false, rejectUnknown: true }),
    async (req: restify.Request, res: restify.Response) => {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
        sendError(res, 400, 'malformed_activity', 'The body must be a Bot Framework activity (a JSON object).');
        return;
      }
      await deps.teams.adapter.process(req, res, (context) => deps.teams.app.run(context).then(() => undefined));
    },
  );
}
