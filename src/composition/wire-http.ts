/**
 * The HTTP side of the wiring: the restify server with its routes (health and metrics, GitHub
 * webhooks, Teams activities, the tab's API and static files), listening on HOST:PORT.
 */
import type restify from 'restify';
import type { Config } from '../config.js';
import { mountChainsRoutes } from '../http/chains-routes.js';
import { mountHealthRoutes } from '../http/health-routes.js';
import { mountPoolRoutes } from '../http/pool-routes.js';
import { createServer } from '../http/server.js';
import { mountSubscriptionsRoutes } from '../http/subscriptions-routes.js';
import { tabApiAccess } from '../http/tab-api-access.js';
import { TabSsoVerifier, ssoAudiences } from '../http/tab-sso.js';
import { mountTabStatic } from '../http/tab-static.js';
import { mountTeamsRoute } from '../http/teams-route.js';
import { mountWebhookRoute } from '../http/webhook-route.js';
import type { ReynoldsTeamsApp } from '../teams/teams-app.js';
import type { Foundation } from './foundation.js';
import type { PipelineParts } from './wire-pipeline.js';

export interface HttpDeps {
  parts: PipelineParts;
  teams: ReynoldsTeamsApp;
  /** True once shutdown began: /readyz answers 503 so the load balancer stops sending. */
  isDraining: () => boolean;
  startedAt: number;
  /** Route families mounted last, before listening (MCP's /mcp). */
  extraRoutes?: ReadonlyArray<(server: restify.Server) => void>;
}

export interface Listening {
  server: restify.Server;
  port: number;
  /** Base URL it listens on, e.g. http://127.0.0.1:3978 */
  url: string;
}

export async function wireHttp(base: Foundation, deps: HttpDeps): Promise<Listening> {
  const { config, logger, store, metrics } = base;
  const { intake, worker, subscriptions, conversations, pool } = deps.parts;
  const server = createServer({ logger, metrics });
  mountHealthRoutes(server, {
    store,
    metrics,
    isDraining: deps.isDraining,
    startedAt: deps.startedAt,
  });
  mountWebhookRoute(server, {
    intake,
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    onAccepted: () => worker.wake(),
  });
  mountTeamsRoute(server, { teams: deps.teams, localMode: config.localMode });
  const tabAccess = tabAccessFrom(config);
  mountChainsRoutes(server, { store, tenantId: config.tenantId, access: tabAccess });
  mountPoolRoutes(server, {
    pool: () => pool.snapshot(),
    pilot: pool.snapshot().pilot,
    access: tabAccess,
  });
  mountSubscriptionsRoutes(server, { store, subscriptions, conversations, access: tabAccess });
  mountTabStatic(server, { dir: config.TAB_DIST_DIR });
  for (const mount of deps.extraRoutes ?? []) mount(server);

  await listen(server, config.PORT, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return { server, port, url };
}

/** Who may call the tab's API: loopback in local mode, else a Teams SSO token of the served tenant. */
function tabAccessFrom(config: Config): restify.RequestHandler {
  return tabApiAccess({
    localMode: config.localMode,
    tenantId: config.tenantId,
    sso: config.BOT_ID
      ? new TabSsoVerifier({
          jwksUrl: config.TAB_SSO_JWKS_URL,
          audiences: ssoAudiences(config.BOT_ID, config.TAB_SSO_AUDIENCE, config.PUBLIC_BASE_URL),
          tenantId: config.tenantId,
        })
      : undefined,
  });
}

function listen(server: restify.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}
