/**
 * Adaptive Cards for chat answers that read better as a card: a PR or issue lookup, recent
 * chains, why a chain was stopped, status, and suggested reviewers. Plain elements only
 * (TextBlock, FactSet, Container, Action.OpenUrl), schema 1.5, text escaped with card-text.ts.
 */
import type { IssueView, PullRequestView } from '../../github/github-reader.js';
import type { AuditEntry, ChainSummary, Signal } from '../../core/chain-records.js';
import type { PoolSnapshot } from '../../models/model-pool.js';
import type { AdaptiveCardJson } from '../cards/alert-card.js';
import { compactList, escapeMarkdown, excerpt, plain, safeUrl } from '../cards/card-text.js';

type Element = Record<string, unknown>;

function card(body: Element[], actions: Element[] = []): AdaptiveCardJson {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

const title = (text: string): Element => ({
  type: 'TextBlock',
  text,
  weight: 'Bolder',
  size: 'Medium',
  wrap: true,
});
const line = (text: string, extra: Element = {}): Element => ({
  type: 'TextBlock',
  text,
  wrap: true,
  ...extra,
});
const facts = (pairs: Array<[string, string | undefined]>): Element => ({
  type: 'FactSet',
  facts: pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '')
    .map(([name, value]) => ({ title: name, value })),
});
const openUrl = (label: string, url: string | undefined): Element[] => {
  const safe = safeUrl(url);
  return safe ? [{ type: 'Action.OpenUrl', title: label, url: safe }] : [];
};

export function when(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function verdictWord(verdict: ChainSummary['verdict']): string {
  return verdict === 'break' ? 'stopped' : verdict === 'dampen' ? 'dampened' : 'flowing';
}

const CHECKS_WORDS = {
  success: 'passing',
  failure: 'failing',
  pending: 'running',
  none: 'none',
} as const;

export function pullCard(pull: PullRequestView, chains: ChainSummary[]): AdaptiveCardJson {
  const checks = `${CHECKS_WORDS[pull.checks.state]}${pull.checks.total > 0 ? ` (${pull.checks.total})` : ''}${pull.checks.failing.length > 0 ? `: ${compactList(pull.checks.failing, 4)}` : ''}`;
  return card(
    [
      title(`${plain(pull.repo)}#${pull.number}: ${plain(pull.title)}`),
      line(
        `Pull request by ${plain(pull.author)} · ${pull.state} · ${plain(pull.headRef)} → ${plain(pull.baseRef)}`,
        { isSubtle: true, spacing: 'None' },
      ),
      facts([
        ['Checks', checks],
        ['Approved', compactList(pull.reviews.approved)],
        ['Changes requested', compactList(pull.reviews.changesRequested)],
        ['Review requested', compactList(pull.reviews.requested)],
        ['Size', `+${pull.additions} −${pull.deletions} in ${pull.changedFiles} files`],
        ['Labels', compactList(pull.labels)],
        ['Chain', chainFact(chains)],
      ]),
      ...(excerpt(pull.body) ? [line(excerpt(pull.body)!, { spacing: 'Medium' })] : []),
    ],
    openUrl('Open on GitHub', pull.url),
  );
}

export function issueCard(issue: IssueView, chains: ChainSummary[]): AdaptiveCardJson {
  return card(
    [
      title(`${plain(issue.repo)}#${issue.number}: ${plain(issue.title)}`),
      line(`Issue by ${plain(issue.author)} · ${issue.state} · ${issue.comments} comments`, {
        isSubtle: true,
        spacing: 'None',
      }),
      facts([
        ['Assignees', compactList(issue.assignees) ?? 'nobody yet'],
        ['Labels', compactList(issue.labels)],
        ['Chain', chainFact(chains)],
      ]),
      ...(excerpt(issue.body) ? [line(excerpt(issue.body)!, { spacing: 'Medium' })] : []),
    ],
    openUrl('Open on GitHub', issue.url),
  );
}

function chainFact(chains: ChainSummary[]): string {
  if (chains.length === 0) return 'no recent event chain';
  return chains
    .slice(0, 3)
    .map(
      (chain) =>
        `${escapeMarkdown(chain.chainId)} (${verdictWord(chain.verdict)}, ${chain.nodes} events)`,
    )
    .join(' · ');
}

export function chainsCard(chains: ChainSummary[], heading: string): AdaptiveCardJson {
  return card([
    title(heading),
    ...chains.map((chain) => ({
      type: 'Container',
      separator: true,
      style:
        chain.verdict === 'break'
          ? 'attention'
          : chain.verdict === 'dampen'
            ? 'warning'
            : 'default',
      items: [
        line(
          `**${escapeMarkdown(chain.chainId)}** · ${verdictWord(chain.verdict)} · score ${chain.score.toFixed(2)} · ${chain.nodes} events, depth ${chain.depth}`,
        ),
        line(`${plain(chain.root)}${chain.reason ? ` — ${plain(chain.reason)}` : ''}`, {
          isSubtle: true,
          spacing: 'None',
        }),
        line(`last seen ${when(chain.updatedAt)}`, {
          isSubtle: true,
          spacing: 'None',
          size: 'Small',
        }),
      ],
    })),
  ]);
}

export function chainStoppedCard(
  chain: ChainSummary,
  signals: Signal[],
  audit: AuditEntry[],
  url?: string,
): AdaptiveCardJson {
  return card(
    [
      title(`Chain ${escapeMarkdown(chain.chainId)}: ${verdictWord(chain.verdict)}`),
      line(plain(chain.root), { isSubtle: true, spacing: 'None' }),
      facts([
        ['Reason', chain.reason ? plain(chain.reason) : undefined],
        ['Score', chain.score.toFixed(2)],
        ['Events', `${chain.nodes}, depth ${chain.depth}`],
        ['Repository', chain.repo ? plain(chain.repo) : undefined],
        ['Admins told', chain.adminAlerted ? 'yes' : 'no'],
      ]),
      ...(signals.length > 0
        ? [
            line('**Signals**', { spacing: 'Medium' }),
            ...signals.map((s) =>
              line(`${s.name} (${s.strength.toFixed(2)}): ${plain(s.detail)}`, { spacing: 'None' }),
            ),
          ]
        : []),
      ...(audit.length > 0
        ? [
            line('**Audit**', { spacing: 'Medium' }),
            ...audit.slice(-8).map((a) =>
              line(`${when(a.at)} · ${a.what} by ${plain(a.who, 60)}: ${plain(a.detail)}`, {
                spacing: 'None',
                size: 'Small',
              }),
            ),
          ]
        : []),
    ],
    openUrl('Open the chain', url),
  );
}

export interface StatusView {
  store: string;
  ready: boolean;
  pending: number;
  processing: number;
  failed: number;
  pool: PoolSnapshot | undefined;
}

export function statusCard(status: StatusView, headline: string): AdaptiveCardJson {
  const pool = status.pool;
  const breakers =
    pool?.roles.flatMap((role) =>
      role.deployments
        .filter((d) => d.breaker !== 'closed')
        .map((d) => `${role.role}/${d.name} ${d.breaker}`),
    ) ?? [];
  return card([
    title('Reynolds status'),
    line(headline),
    facts([
      ['Store', `${status.store} (${status.ready ? 'reachable' : 'NOT reachable'})`],
      [
        'Inbox',
        `${status.pending} waiting · ${status.processing} in progress · ${status.failed} failed`,
      ],
      ['Model pool', poolLine(pool)],
      [
        'Breakers open',
        pool?.configured ? (breakers.length > 0 ? breakers.join(', ') : 'none') : undefined,
      ],
      ['Pilot', pool ? `${pool.pilot.stagePercent}% of repos` : undefined],
    ]),
  ]);
}

export function poolLine(pool: PoolSnapshot | undefined): string {
  if (!pool || !pool.configured) return 'not configured (offline planner, no enrichment)';
  const roles = pool.roles.filter((role) => role.deployments.length > 0).map((role) => role.role);
  return `${roles.join(', ')} · ${pool.concurrency.inFlight}/${pool.concurrency.limit} in flight · ${pool.concurrency.queued} queued`;
}

export interface ReviewerSuggestion {
  who: string;
  why: string;
}

export function reviewersCard(
  heading: string,
  suggestions: ReviewerSuggestion[],
  notes: string[],
  url?: string,
): AdaptiveCardJson {
  return card(
    [
      title(heading),
      ...suggestions.map((s) => line(`**${escapeMarkdown(s.who)}**: ${plain(s.why, 300)}`)),
      ...notes.map((note) => line(plain(note, 300), { isSubtle: true, size: 'Small' })),
    ],
    openUrl('Open on GitHub', url),
  );
}
