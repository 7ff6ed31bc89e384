/**
 * The chat commands of orchestration: parsing them, and answering from the stored graph, trains and
 * portfolio. Pure of any framework (the Teams side routes matching messages here, as it does for
 * noise-commands.ts).
 *   what's blocking owner/repo#N        open blockers, transitively, with any cycle
 *   dependencies of owner/repo#N        what it waits for and what waits for it
 *   train status <name>                 one line per repository, "at risk" flagged
 *   portfolio <scope> [7d|30d|90d]      the scope's figures (default 7 days); scope `org:acme` or a name
 *   portfolio define <name> <repos...>  a named set of repositories
 */
import type { WorkItemRef } from '../core/broker-event.js';
import type { DependencyGraph } from './dependency-graph.js';
import type { Portfolio, PortfolioFigures } from './portfolio.js';
import type { PortfolioScopes } from './portfolio-scopes.js';
import type { ReleaseTrains } from './release-train.js';
import { formatRef, parseRef } from './work-item-ref.js';

export type OrchestrationCommand =
  | { kind: 'blocking'; item: WorkItemRef }
  | { kind: 'dependencies'; item: WorkItemRef }
  | { kind: 'train_status'; train: string }
  | { kind: 'portfolio'; scope: string; days: 7 | 30 | 90 }
  | { kind: 'portfolio_define'; name: string; repos: string[] };

export type ParsedOrchestrationCommand =
  { ok: true; command: OrchestrationCommand } | { ok: false; error: string };

/** Messages this module answers. */
export const ORCHESTRATION_COMMAND =
  /^\s*(?:what(?:'|’)?s\s+blocking|what\s+is\s+blocking|dependencies\s+of|train\s+status|portfolio)\b/i;

export function parseOrchestrationCommand(input: string): ParsedOrchestrationCommand {
  const text = input
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[?.!]+$/, '');
  const item = (rest: string, usage: string): ParsedOrchestrationCommand | WorkItemRef =>
    parseRef(rest) ?? {
      ok: false,
      error: `${usage}: name the item as owner/repo#N, e.g. acme/api#12 (got ${JSON.stringify(rest)})`,
    };
  let m = /^(?:what(?:'|’)?s|what is) blocking\s*(.*)$/i.exec(text);
  if (m) {
    const ref = item(m[1]!, "what's blocking owner/repo#N");
    return 'ok' in ref ? ref : { ok: true, command: { kind: 'blocking', item: ref } };
  }
  m = /^dependencies of\s*(.*)$/i.exec(text);
  if (m) {
    const ref = item(m[1]!, 'dependencies of owner/repo#N');
    return 'ok' in ref ? ref : { ok: true, command: { kind: 'dependencies', item: ref } };
  }
  m = /^train status\s*(.*)$/i.exec(text);
  if (m)
    return m[1]
      ? { ok: true, command: { kind: 'train_status', train: m[1] } }
      : {
          ok: false,
          error:
            'train status <name>: name the train (its milestone title, or the <name> of a train:<name> label)',
        };
  m = /^portfolio define\s*(\S*)\s*(.*)$/i.exec(text);
  if (m) {
    const repos = m[2]!.split(/[\s,]+/).filter(Boolean);
    if (!m[1] || repos.length === 0)
      return {
        ok: false,
        error:
          'portfolio define <name> <owner/repo> [owner/repo...]: name the set and at least one repository',
      };
    return { ok: true, command: { kind: 'portfolio_define', name: m[1], repos } };
  }
  m = /^portfolio\s*(\S*)\s*(\S*)$/i.exec(text);
  if (m) {
    if (!m[1])
      return {
        ok: false,
        error:
          'portfolio <scope> [7d|30d|90d]: name a scope, org:<organisation> or a set made with portfolio define',
      };
    const days = m[2]
      ? ({ '7d': 7, '30d': 30, '90d': 90 } as const)[m[2].toLowerCase() as '7d']
      : 7;
    if (!days)
      return {
        ok: false,
        error: `portfolio <scope> [7d|30d|90d]: the window is 7d, 30d or 90d, not ${JSON.stringify(m[2])}`,
      };
    return { ok: true, command: { kind: 'portfolio', scope: m[1], days } };
  }
  return {
    ok: false,
    error:
      "try: what's blocking owner/repo#N · dependencies of owner/repo#N · train status <name> · portfolio <scope> [7d|30d|90d] · portfolio define <name> <repos...>",
  };
}

export interface OrchestrationParts {
  graph: DependencyGraph;
  trains: ReleaseTrains;
  portfolio: Portfolio;
  scopes: PortfolioScopes;
}

/** The answer, as plain text lines (the Teams side renders them). Bad scopes throw InvalidScopeError. */
export async function answerOrchestrationCommand(
  parts: OrchestrationParts,
  tenantId: string,
  command: OrchestrationCommand,
  now: number,
): Promise<string> {
  switch (command.kind) {
    case 'blocking': {
      const walk = await parts.graph.blockers(tenantId, command.item);
      const blockers = walk.reached.slice(1);
      const lines = [
        blockers.length === 0
          ? `${formatRef(command.item)}: nothing open is blocking it.`
          : `${formatRef(command.item)} waits for ${blockers.length} open item(s): ${blockers.join(', ')}`,
      ];
      for (const cycle of walk.cycles) lines.push(`cycle: ${cycle.join(' → ')}`);
      if (walk.truncated) lines.push(`(stopped after ${walk.reached.length} items)`);
      return lines.join('\n');
    }
    case 'dependencies': {
      const [waitsFor, waitedBy] = await Promise.all([
        parts.graph.dependenciesOf(tenantId, command.item),
        parts.graph.dependentsOf(tenantId, command.item),
      ]);
      const list = (edges: typeof waitsFor, end: 'dependency' | 'dependent') =>
        edges.length === 0
          ? 'nothing'
          : edges
              .map(
                (e) =>
                  `${e[end]} (${e.relation.replace('_', ' ')}${e.closed.includes(e[end]) ? ', done' : ''})`,
              )
              .join(', ');
      return `${formatRef(command.item)} waits for: ${list(waitsFor, 'dependency')}\nwaited for by: ${list(waitedBy, 'dependent')}`;
    }
    case 'train_status': {
      const lines = await parts.trains.status(tenantId, command.train, now);
      return lines.length === 0
        ? `No items on train ${command.train} yet (a milestone titled ${command.train}, or a train:${command.train} label).`
        : [`train ${command.train}:`, ...lines.map((line) => line.text)].join('\n');
    }
    case 'portfolio':
      return describePortfolio(
        await parts.portfolio.figures(tenantId, command.scope, command.days, now),
      );
    case 'portfolio_define': {
      const scope = await parts.scopes.define(tenantId, {
        name: command.name,
        repos: command.repos,
      });
      return `portfolio ${scope.name}: ${scope.repos.join(', ')} (counted from now on)`;
    }
  }
}

function describePortfolio(f: PortfolioFigures): string {
  const hours = (ms: number | undefined) =>
    ms === undefined ? '-' : `${(ms / 3_600_000).toFixed(1)}h`;
  const load =
    f.reviewLoad
      .slice(0, 5)
      .map((r) => `${r.login} ${r.reviews}`)
      .join(', ') || '-';
  return [
    `${f.scope}, last ${f.days} days:`,
    `PRs opened ${f.prsOpened}, merged ${f.prsMerged}; issues opened ${f.issuesOpened}`,
    `first review p50 ${hours(f.firstReview.p50)}, p90 ${hours(f.firstReview.p90)}; to merge p50 ${hours(f.toMerge.p50)}, p90 ${hours(f.toMerge.p90)}`,
    `review load: ${load}`,
    `default branches red ${f.redMinutes} min; stale PRs ${f.stalePrs}, stale issues ${f.staleIssues}`,
    `alerts ${f.alerts}; loops stopped ${f.loopsStopped}`,
  ].join('\n');
}
