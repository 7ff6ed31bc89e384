/**
 * Reading the event chains the loop breaker keeps: recent chains of a tenant, and one chain with
 * its nodes, edges and audit trail in time order. GET /api/chains (src/http/chains-routes.ts) and
 * the MCP tools and resources (src/mcp/server/) answer from these, so both show the same thing.
 */
import type { AuditEntry, ChainNode, ChainSummary, Verdict } from '../core/chain-records.js';
import type { Store } from '../store/store.js';

/** Nodes and audit entries returned for one chain; a runaway chain is cut here, and says so. */
export const CHAIN_DETAIL_LIMIT = 500;

export interface ChainFilter {
  repo?: string;
  verdict?: Verdict;
  limit: number;
}

export interface ChainDetail {
  chain: ChainSummary;
  nodes: ChainNode[];
  edges: { from: string; to: string; link: ChainNode['link'] }[];
  audit: AuditEntry[];
  truncated: boolean;
}

/** The tenant's recent chains, newest first, filtered by repository and verdict. */
export async function recentChains(
  store: Store,
  tenantId: string,
  filter: ChainFilter,
): Promise<ChainSummary[]> {
  const where: Record<string, string> = {};
  if (filter.repo) where.repo = filter.repo;
  if (filter.verdict) where.verdict = filter.verdict;
  const records = await store.queryRecords<ChainSummary>({
    kind: 'chain',
    tenantId,
    partition: tenantId,
    where,
    limit: filter.limit,
  });
  return records.map((r) => r.data);
}

/** One chain in full, or undefined when it never existed or has expired. */
export async function chainDetail(
  store: Store,
  tenantId: string,
  chainId: string,
): Promise<ChainDetail | undefined> {
  const chain = await store.getRecord<ChainSummary>('chain', tenantId, chainId);
  if (!chain) return undefined;
  const [nodes, audit] = await Promise.all([
    store.queryRecords<ChainNode>({
      kind: 'chain_node',
      tenantId,
      partition: chainId,
      limit: CHAIN_DETAIL_LIMIT,
    }),
    store.queryRecords<AuditEntry>({
      kind: 'audit',
      tenantId,
      partition: chainId,
      limit: CHAIN_DETAIL_LIMIT,
    }),
  ]);
  const ordered = nodes.map((n) => n.data).sort((a, b) => a.at - b.at || a.depth - b.depth);
  const edges = ordered
    .filter((n) => n.parentId !== undefined)
    .map((n) => ({ from: n.parentId!, to: n.nodeId, link: n.link }));
  return {
    chain: chain.data,
    nodes: ordered,
    edges,
    audit: audit.map((a) => a.data).sort((a, b) => a.at - b.at),
    truncated: nodes.length === CHAIN_DETAIL_LIMIT,
  };
}
