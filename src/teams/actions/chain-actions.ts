/**
 * recent_chains and why_stopped: the event chains the loop breaker keeps (see loops/), read the
 * same way GET /api/chains reads them, and chainsFor, which finds the chains that touched one PR
 * or issue for lookups.
 */
import type { AuditEntry, ChainNode, ChainSummary, Signal } from '../../core/chain-records.js';
import { badChainIdLine, chainNotFoundLine, noChainsLine } from '../../persona/chat-replies.js';
import type { Store } from '../../store/store.js';
import { type ChatAction, stringParam, textReply } from './chat-action.js';
import { chainStoppedCard, chainsCard, verdictWord } from './chat-cards.js';
import { parseRepo } from './github-reference.js';

const CHAIN_ID = /^[A-Za-z0-9_-]{1,100}$/;
const VERDICTS = new Set(['proceed', 'dampen', 'break']);
const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 20;
/** Nodes and audit entries read for one chain, as in the chains API. */
const DETAIL_LIMIT = 500;

export const recentChainsAction: ChatAction = {
  name: 'recent_chains',
  async run(scope, parameters, deps) {
    const repoText = stringParam(parameters, 'repo');
    const repo = repoText === undefined ? undefined : parseRepo(repoText);
    if (repoText !== undefined && repo === undefined)
      return textReply(
        `"${repoText}" is not a repository: write owner/repo, or leave it out for all of them.`,
      );
    const verdictText = stringParam(parameters, 'verdict')?.toLowerCase();
    const verdict =
      verdictText === 'stopped' || verdictText === 'broken'
        ? 'break'
        : verdictText === 'dampened'
          ? 'dampen'
          : verdictText;
    if (verdict !== undefined && !VERDICTS.has(verdict))
      return textReply(
        `"${verdictText}" is not a verdict: say stopped (break), dampened (dampen) or proceed, or leave it out.`,
      );
    const limitValue =
      parameters.limit === undefined || parameters.limit === null || parameters.limit === ''
        ? DEFAULT_LIMIT
        : Number(parameters.limit);
    if (!Number.isInteger(limitValue) || limitValue < 1 || limitValue > MAX_LIMIT)
      return textReply(
        `I can show 1 to ${MAX_LIMIT} chains at a time; ${String(parameters.limit)} is not that.`,
      );
    const where: Record<string, string> = {};
    if (repo) where.repo = repo;
    if (verdict) where.verdict = verdict;
    const records = await deps.store.queryRecords<ChainSummary>({
      kind: 'chain',
      tenantId: scope.tenantId,
      partition: scope.tenantId,
      where,
      limit: limitValue,
    });
    const chains = records.map((r) => r.data);
    if (chains.length === 0) return textReply(noChainsLine(repo));
    const heading = `Recent event chains${repo ? ` in ${repo}` : ''}${verdict ? ` (${verdictWord(verdict as ChainSummary['verdict'])})` : ''}`;
    const summary = chains
      .map(
        (c) =>
          `${c.chainId}: ${verdictWord(c.verdict)}, score ${c.score.toFixed(2)}, ${c.root}${c.reason ? ` (${c.reason})` : ''}`,
      )
      .join('; ');
    return {
      card: chainsCard(chains, heading),
      summary: `Showed ${chains.length} chains: ${summary}`,
    };
  },
};

export const whyStoppedAction: ChatAction = {
  name: 'why_stopped',
  async run(scope, parameters, deps) {
    const chainId = stringParam(parameters, 'chainId');
    if (chainId === undefined || !CHAIN_ID.test(chainId)) return textReply(badChainIdLine(chainId));
    const chain = (await deps.store.getRecord<ChainSummary>('chain', scope.tenantId, chainId))
      ?.data;
    if (!chain) return textReply(chainNotFoundLine(chainId));
    const [nodes, audit] = await Promise.all([
      deps.store.queryRecords<ChainNode>({
        kind: 'chain_node',
        tenantId: scope.tenantId,
        partition: chainId,
        limit: DETAIL_LIMIT,
      }),
      deps.store.queryRecords<AuditEntry>({
        kind: 'audit',
        tenantId: scope.tenantId,
        partition: chainId,
        limit: DETAIL_LIMIT,
      }),
    ]);
    const signals = strongestSignals(
      [...nodes.map((n) => n.data.signals), ...audit.map((a) => a.data.signals)].flat(),
    );
    const trail = audit.map((a) => a.data).sort((a, b) => a.at - b.at);
    const card = chainStoppedCard(chain, signals, trail);
    const headline =
      chain.verdict === 'proceed'
        ? `Chain ${chainId} was not stopped: it is flowing normally (score ${chain.score.toFixed(2)}).`
        : `Chain ${chainId} was ${verdictWord(chain.verdict)}${chain.reason ? ` because ${chain.reason}` : ''} (score ${chain.score.toFixed(2)}).`;
    const signalText = signals
      .map((s) => `${s.name} ${s.strength.toFixed(2)}: ${s.detail}`)
      .join('; ');
    return {
      text: headline,
      card,
      summary: `${headline}${signalText ? ` Signals: ${signalText}.` : ''}`,
    };
  },
};

/** The strongest reading of each signal, strongest first. */
export function strongestSignals(signals: Signal[]): Signal[] {
  const best = new Map<string, Signal>();
  for (const signal of signals) {
    const seen = best.get(signal.name);
    if (!seen || signal.strength > seen.strength) best.set(signal.name, signal);
  }
  return [...best.values()].sort((a, b) => b.strength - a.strength);
}

/** Chains that touched `repo#number`, newest first (a fan-out query across chains in Cosmos). */
export async function chainsFor(
  store: Store,
  tenantId: string,
  repo: string,
  number: number,
  limit = 5,
): Promise<ChainSummary[]> {
  const nodes = await store.queryRecords<ChainNode>({
    kind: 'chain_node',
    tenantId,
    where: { repo, target: `#${number}` },
    limit: 50,
  });
  const ids = [...new Set(nodes.map((n) => n.data.chainId))].slice(0, limit);
  const chains = await Promise.all(
    ids.map((id) => store.getRecord<ChainSummary>('chain', tenantId, id)),
  );
  return chains
    .filter((c) => c !== undefined)
    .map((c) => c.data)
    .sort((a, b) => b.updatedAt - a.updatedAt);
}
