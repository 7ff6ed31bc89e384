/**
 * MCP resources: `reynolds://chains/{chainId}` (one event chain in full, as GET /api/chains/:id
 * shows it) and `reynolds://repos/{owner}/{repo}` (a repository's summary: its recent chains and
 * their verdicts, and the conversations that follow it). Listing offers the recent ones of each.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { chainDetail, recentChains } from '../../loops/chain-queries.js';
import { scopeName } from '../../routing/subscriptions/subscription.js';
import { CHAIN_ID } from './chain-tools.js';
import type { ToolContext } from './tool-kit.js';

const LISTED = 20;
/** MCP's "resource not found" (the spec's suggested code). */
const RESOURCE_NOT_FOUND = -32002;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function registerResources(server: McpServer, context: ToolContext): void {
  const { deps, caller } = context;
  const json = (uri: URL, value: unknown) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value) }],
  });

  server.registerResource(
    'chain',
    new ResourceTemplate('reynolds://chains/{chainId}', {
      list: async () => ({
        resources: (await recentChains(deps.store, caller.tenantId, { limit: LISTED })).map(
          (c) => ({
            uri: `reynolds://chains/${c.chainId}`,
            name: `chain ${c.chainId}`,
            description: `${c.verdict}: ${c.root}`,
            mimeType: 'application/json',
          }),
        ),
      }),
    }),
    {
      title: 'Event chain',
      description:
        'One event chain: its summary, nodes and edges in time order, and the audit trail.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const started = performance.now();
      const chainId = String(variables.chainId ?? '');
      if (!CHAIN_ID.test(chainId))
        throw new McpError(
          ErrorCode.InvalidParams,
          'A chain id is letters, digits, dash and underscore.',
        );
      const detail = await chainDetail(deps.store, caller.tenantId, chainId);
      if (!detail)
        throw new McpError(
          RESOURCE_NOT_FOUND,
          `No chain ${chainId}: it never existed, or it expired.`,
          { uri: uri.href },
        );
      deps.audit.record({
        tool: 'resource:chain',
        caller,
        args: { chainId },
        outcome: 'ok',
        ms: performance.now() - started,
      });
      return json(uri, detail);
    },
  );

  server.registerResource(
    'repository',
    new ResourceTemplate('reynolds://repos/{owner}/{repo}', {
      list: async () => {
        const repos = [
          ...new Set(
            (await recentChains(deps.store, caller.tenantId, { limit: 100 }))
              .map((c) => c.repo)
              .filter((r): r is string => r !== undefined),
          ),
        ].slice(0, LISTED);
        return {
          resources: repos.map((repo) => ({
            uri: `reynolds://repos/${repo}`,
            name: repo,
            description: `Reynolds's summary of ${repo}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'Repository summary',
      description:
        'A repository as Reynolds sees it: recent event chains, how many were dampened or stopped, and which conversations follow it.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const started = performance.now();
      const owner = String(variables.owner ?? '');
      const name = String(variables.repo ?? '');
      if (!OWNER.test(owner) || !NAME.test(name))
        throw new McpError(
          ErrorCode.InvalidParams,
          'Name the repository as reynolds://repos/<owner>/<repo>.',
        );
      const repo = `${owner}/${name}`;
      const [chains, subscriptions, conversations] = await Promise.all([
        recentChains(deps.store, caller.tenantId, { repo, limit: 50 }),
        deps.subscriptions.forTenant(caller.tenantId),
        deps.conversations.list(caller.tenantId),
      ]);
      const names = new Map(conversations.map((c) => [c.conversationId, c.name]));
      const following = subscriptions
        .filter(
          (s) =>
            s.scope.owner.toLowerCase() === owner.toLowerCase() &&
            (s.scope.repo === undefined || s.scope.repo.toLowerCase() === name.toLowerCase()),
        )
        .map((s) => ({
          conversationId: s.conversationId,
          conversationName: names.get(s.conversationId),
          subscription: scopeName(s.scope),
          features: s.features,
        }));
      const verdicts = { proceed: 0, dampen: 0, break: 0 };
      for (const chain of chains) verdicts[chain.verdict] += 1;
      deps.audit.record({
        tool: 'resource:repository',
        caller,
        args: { repo },
        outcome: 'ok',
        ms: performance.now() - started,
      });
      return json(uri, { repo, verdicts, chains, following });
    },
  );
}
