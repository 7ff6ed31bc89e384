/**
 * Who is calling Reynolds's MCP server: the person (or app) an Entra token names, or, in local
 * mode, whoever is on this machine. Tools scope every read to `tenantId` and check writes against
 * the same allow-lists Teams uses (src/teams/identity/change-permission.ts).
 */
import type { TeamsUser } from '../../teams/identity/write-permission.js';

export interface McpCaller {
  tenantId: string;
  /** Entra object id (`oid`); `local` in local mode. */
  userId: string;
  /** For log lines and a subscription's `createdBy`. */
  name: string;
  /** Sign-in name, when the token carries one: allow-list entries by UPN match it. */
  upn?: string;
  /** The client application that got the token (`azp`/`appid`), when known. */
  clientId?: string;
  via: 'entra' | 'local';
}

/** The local-mode caller: `allow everyone` (or an allow entry for `aad:local`) lets it write. */
export const LOCAL_USER_ID = 'local';

export function teamsUserOfCaller(caller: McpCaller): TeamsUser {
  return { aadObjectId: caller.userId, upn: caller.upn, name: caller.name };
}
