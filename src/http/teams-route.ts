/**
 * POST /api/messages: Bot Framework activities into the Teams AI application. With BOT_ID set
 * the caller's token is validated by the SDK (teams/bot-authentication.ts) before the adapter
 * sees the activity, so a refusal is a 401 in the house JSON format rather than the adapter's
 * plain text (the adapter validates again; the signing keys are cached, so that costs one RSA
 * verify). Without BOT_ID (local mode) nothing is validated, so this route lets only callers on
 * this machine in, such as the Agents Playground.
 */
import type { Activity } from 'botbuilder';
import restify from 'restify';
import { activityProblem } from './activity-shape.js';
import { houseFormatResponse } from './bot-response.js';
import type { ReynoldsTeamsApp } from '../teams/teams-app.js';
import { sendError } from './server.js';

export const MESSAGES_PATH = '/api/messages';
/** Activities are small; Teams caps a message at about 100 KB. */
const MAX_ACTIVITY_BYTES = 1024 * 1024;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function mountTeamsRoute(
  server: restify.Server,
  deps: { teams: ReynoldsTeamsApp; localMode: boolean },
): void {
  const guard = (req: restify.Request, res: restify.Response, next: restify.Next) => {
    if (deps.localMode && !isLoopback(req.socket.remoteAddress)) {
      sendError(
        res,
        403,
        'local_mode',
        'Local mode (no BOT_ID) accepts activities from this machine only. Set BOT_ID, BOT_PASSWORD and BOT_TENANT_ID to serve Teams.',
      );
      return next(false);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      sendError(
        res,
        415,
        'unsupported_media_type',
        'Bot Framework activities must be sent as application/json.',
      );
      return next(false);
    }
    return next();
  };
  server.post(
    MESSAGES_PATH,
    guard,
    restify.plugins.bodyParser({
      maxBodySize: MAX_ACTIVITY_BYTES,
      mapParams: false,
      rejectUnknown: true,
    }),
    async (req: restify.Request, res: restify.Response) => {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
        sendError(
          res,
          400,
          'malformed_activity',
          'The body must be a Bot Framework activity (a JSON object).',
        );
        return;
      }
      if (!deps.localMode) {
        try {
          await deps.teams.authentication.authenticateRequest(
            req.body as Activity,
            req.headers.authorization ?? '',
          );
        } catch (error) {
          const reason =
            error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : 'invalid token';
          sendError(
            res,
            401,
            'unauthorized',
            `The Bot Framework token is missing or invalid (${reason}). Only the Bot Framework channel may post activities here.`,
          );
          return;
        }
      }
      const problem = activityProblem(req.body);
      if (problem !== undefined) {
        sendError(res, 400, 'malformed_activity', `Not a Bot Framework activity: ${problem}.`);
        return;
      }
      await deps.teams.adapter.process(req, houseFormatResponse(res), (context) =>
        deps.teams.app.run(context).then(() => undefined),
      );
    },
  );
}
