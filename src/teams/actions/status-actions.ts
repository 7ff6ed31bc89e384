/** help, status (health, inbox, pool) and pilot_status. */
import type { PoolSnapshot } from '../../models/model-pool.js';
import { helpLines, statusLine } from '../../persona/replies.js';
import { scopeName } from '../../routing/subscriptions/subscription.js';
import {
  type ChatAction,
  type ChatActionDeps,
  type McpServerState,
  textReply,
} from './chat-action.js';
import { poolLine, statusCard } from './chat-cards.js';

export const helpAction: ChatAction = {
  name: 'help',
  async run() {
    return textReply(helpLines());
  },
};

/** The pool's snapshot, or undefined when there is no pool or it cannot say (it must not fail status). */
export function poolSnapshotOf(deps: ChatActionDeps): PoolSnapshot | undefined {
  try {
    return deps.pool?.snapshot();
  } catch {
    return undefined;
  }
}

export const statusAction: ChatAction = {
  name: 'status',
  async run(_scope, _parameters, deps) {
    const status = await deps.status.status();
    const pool = poolSnapshotOf(deps);
    const headline = statusLine(status);
    const text = `${headline} Model pool: ${poolLine(pool)}.${mcpLine(status.mcp)}`;
    return { text, card: statusCard({ ...status, pool }, headline), summary: text };
  },
};

/** Other MCP servers, when any are configured: a server that is down is said, with why. */
function mcpLine(servers: McpServerState[] | undefined): string {
  if (!servers || servers.length === 0) return '';
  const each = servers.map((s) =>
    s.state === 'connected'
      ? `${s.name} (connected, ${s.tools} tool${s.tools === 1 ? '' : 's'})`
      : s.state === 'down'
        ? `${s.name} (down: ${s.error ?? 'unreachable'})`
        : `${s.name} (connecting)`,
  );
  return ` MCP servers: ${each.join(', ')}.`;
}

export const pilotStatusAction: ChatAction = {
  name: 'pilot_status',
  async run(scope, _parameters, deps) {
    const pool = poolSnapshotOf(deps);
    if (!pool || !pool.configured) {
      return textReply(
        'No model pool is configured here, so there is no pilot to be in: alerts go out as they are, without AI enrichment or write-backs.',
      );
    }
    const { stagePercent, allow, deny } = pool.pilot;
    const subscriptions = await deps.subscriptions.list(scope.tenantId, scope.conversationId);
    const repos = subscriptions
      .filter((s) => s.scope.repo !== undefined)
      .map((s) => scopeName(s.scope));
    const orgs = subscriptions
      .filter((s) => s.scope.repo === undefined)
      .map((s) => scopeName(s.scope));
    const lines = [
      `Pilot stage: **${stagePercent}%** of tenant+repo pairs get AI enrichment and write-backs.`,
    ];
    if (allow.length > 0) lines.push(`Always in: ${allow.join(', ')}.`);
    if (deny.length > 0) lines.push(`Always out: ${deny.join(', ')}.`);
    if (repos.length === 0)
      lines.push(
        'This conversation follows no single repository, so there is nothing of its own to check.',
      );
    for (const repo of repos)
      lines.push(`- ${repo}: ${pilotWord(deps, scope.tenantId, repo, pool)}`);
    if (orgs.length > 0)
      lines.push(`Whole organizations (${orgs.join(', ')}) are decided repo by repo.`);
    return textReply(lines.join('\n'));
  },
};

/** In or out, from the pool's own gate when there is one; otherwise only what the lists and the stage settle. */
export function pilotWord(
  deps: ChatActionDeps,
  tenantId: string,
  repo: string,
  pool: PoolSnapshot,
): string {
  if (deps.pilot)
    return deps.pilot.includes(tenantId, repo) ? 'in the pilot' : 'not in the pilot yet';
  const lower = repo.toLowerCase();
  if (pool.pilot.deny.some((r) => r.toLowerCase() === lower)) return 'not in the pilot (deny list)';
  if (pool.pilot.allow.some((r) => r.toLowerCase() === lower)) return 'in the pilot (allow list)';
  if (pool.pilot.stagePercent >= 100) return 'in the pilot';
  if (pool.pilot.stagePercent <= 0) return 'not in the pilot';
  return `decided by the rollout hash at ${pool.pilot.stagePercent}%`;
}

export function inPilot(
  deps: ChatActionDeps,
  tenantId: string,
  repo: string,
  pool: PoolSnapshot,
): boolean {
  return pilotWord(deps, tenantId, repo, pool).startsWith('in the pilot');
}
