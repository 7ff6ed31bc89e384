/**
 * Builds the Adaptive Card for an alert: the event's family picks a template (templates/), and a
 * view made here, every string already escaped for card markdown, fills it in through
 * adaptivecards-templating.
 *
 * The view is where GitHub's data is made safe and readable; the templates only lay it out. Write
 * actions (comment, close/reopen, approve, request changes) appear only on issue and pull-request
 * cards, only when the caller says the conversation may act, and only when the state allows them.
 * Each carries the chain and node ids, so a click continues the chain the event is on and goes
 * through the loop guard like any other write.
 */
import * as ACData from 'adaptivecards-templating';
import type { BrokerEvent } from '../../core/broker-event.js';
import type { ChainSummary } from '../../core/chain-records.js';
import type { Classification } from '../../core/classification.js';
import { type CardFamily } from '../../core/card-builders.js';
import { cardFamilyOf } from '../../routing/subscriptions/router.js';
import {
  categoryLine,
  compactList,
  cut,
  excerpt,
  link,
  plain,
  plainLine,
  priorityBadge,
  safeUrl,
  severityBadge,
  stateColor,
  stateLabel,
} from './card-text.js';
import { FAMILY_TEMPLATES, type TemplateJson, chainBrokenTemplate } from './templates/index.js';

/** An Adaptive Card as JSON, ready for `CardFactory.adaptiveCard`. */
export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version: string;
  body: Record<string, unknown>[];
  actions?: Record<string, unknown>[];
  [property: string]: unknown;
}

export interface AlertCardInput {
  event: BrokerEvent;
  classification: Classification;
  chain: { chainId: string; nodeId: string };
  /** The conversation may write to GitHub from the card (its settings and the chain's verdict allow it). */
  canAct: boolean;
  /** What the agent added: a summary of the thread, notes for the reader. */
  enrichment?: { summary?: string; notes?: string[] };
}

export type CardVerb = 'comment' | 'close' | 'reopen' | 'approve' | 'request_changes';

/** The data of every Action.Execute: enough for the handler to act and to place the act on the chain. */
export interface CardActionData {
  verb: CardVerb;
  repo: string;
  number: number;
  chainId: string;
  nodeId: string;
  deliveryId: string;
}

interface WriteActions {
  comment?: CardActionData;
  close?: CardActionData;
  reopen?: CardActionData;
  approve?: CardActionData;
  requestChanges?: CardActionData;
}

const DEFAULT_HOST = 'https://github.com';
const MAX_NOTES = 5;

/** Parsed once per family: Template's constructor keeps the JSON, expand() copies it per card. */
const templates = new Map<string, ACData.Template>();

export function expand(name: string, json: TemplateJson, view: object): AdaptiveCardJson {
  let template = templates.get(name);
  if (template === undefined) {
    template = new ACData.Template(json);
    templates.set(name, template);
  }
  const card: unknown = template.expand({ $root: view });
  if (
    typeof card !== 'object' ||
    card === null ||
    (card as { type?: unknown }).type !== 'AdaptiveCard'
  ) {
    throw new Error(`card template "${name}" did not expand to an AdaptiveCard`);
  }
  return card as AdaptiveCardJson;
}

export function buildAlertCard(input: AlertCardInput): AdaptiveCardJson {
  const family = cardFamilyOf(input.event);
  return expand(family, FAMILY_TEMPLATES[family], alertView(input, family));
}

export function buildChainBrokenCard(input: {
  chain: ChainSummary;
  chainUrl: string;
}): AdaptiveCardJson {
  return expand('chain_broken', chainBrokenTemplate, chainBrokenView(input.chain, input.chainUrl));
}

function alertView(input: AlertCardInput, family: CardFamily) {
  const { event, classification } = input;
  const host = hostOf(event.url);
  const repoUrl = event.repo
    ? `${host}/${encodeURIComponent(event.repo.owner)}/${encodeURIComponent(event.repo.name)}`
    : undefined;
  const orgUrl = event.org !== undefined ? `${host}/${encodeURIComponent(event.org)}` : undefined;
  // "Open on GitHub" is always there, so something must be openable: the subject, else its home.
  const url = safeUrl(event.url) ?? repoUrl ?? orgUrl ?? DEFAULT_HOST;
  const where = event.repo?.fullName ?? event.org;
  const title = titleOf(event, family);
  const subtitle = subtitleOf(event);
  const state = displayState(event, family);
  const summary =
    input.enrichment?.summary === undefined ? undefined : excerpt(input.enrichment.summary, 600);
  const notes = (input.enrichment?.notes ?? [])
    .slice(0, MAX_NOTES)
    .map((note) => plain(note))
    .filter((note) => note !== '');
  const act = writeActions(input, family);
  return withoutUndefined({
    repo: where === undefined ? 'GitHub' : link(where, event.repo ? repoUrl : orgUrl),
    badge: priorityBadge(classification.priority),
    category: categoryLine(classification.category, classification.urgency),
    title: link(title, url),
    subtitle: plain(subtitle),
    state:
      state === undefined
        ? undefined
        : { label: plain(stateLabel(state)), color: stateColor(state, family) },
    severity: event.severity === undefined ? undefined : severityBadge(event.severity),
    facts: withoutUndefined(factsOf(event, family, state)),
    labels: compactList(event.labels, 8),
    why:
      plain(classification.reasons.slice(0, 2).join(' '), 400) ||
      plain(`Rule ${classification.rule}.`),
    excerpt: excerpt(event.body),
    summary,
    notes: notes.length > 0 ? notes.map((note) => `- ${note}`).join('\n') : undefined,
    url,
    act: act === undefined ? undefined : withoutUndefined(act),
    // What clients that cannot render the card show instead, and a fair one-line summary.
    fallbackText: plain(
      `${classification.priority} · ${where ?? 'GitHub'}${numberPart(event)}: ${title}`,
    ),
  });
}

/** The origin of the event's own URL (GitHub Enterprise hosts differ), else github.com. */
function hostOf(url: string | undefined): string {
  const safe = safeUrl(url);
  return safe === undefined ? DEFAULT_HOST : new URL(safe).origin;
}

const KIND_WORDS: ReadonlyMap<string, string> = new Map([
  ['pull_request', 'Pull request'],
  ['issues', 'Issue'],
  ['issue_comment', 'Comment'],
  ['pull_request_review', 'Review'],
  ['pull_request_review_comment', 'Review comment'],
  ['pull_request_review_thread', 'Review thread'],
  ['commit_comment', 'Commit comment'],
  ['discussion_comment', 'Discussion comment'],
  ['check_run', 'Check run'],
  ['check_suite', 'Check suite'],
  ['workflow_run', 'Workflow run'],
  ['workflow_job', 'Workflow job'],
  ['status', 'Commit status'],
  ['page_build', 'Pages build'],
  ['code_scanning_alert', 'Code scanning alert'],
  ['dependabot_alert', 'Dependabot alert'],
  ['secret_scanning_alert', 'Secret scanning alert'],
  ['repository_vulnerability_alert', 'Vulnerability alert'],
  ['security_advisory', 'Security advisory'],
]);

function kindWord(event: BrokerEvent): string {
  if (event.kind === 'issues' && event.target?.kind === 'pull_request') return 'Pull request';
  return KIND_WORDS.get(event.kind) ?? stateLabel(event.kind);
}

function numberPart(event: BrokerEvent): string {
  return event.target?.number === undefined ? '' : `#${event.target.number}`;
}

/** "Pull request #2 opened by octocat", "Push by octocat": what happened and who did it. */
function subtitleOf(event: BrokerEvent): string {
  const number = numberPart(event);
  const action = event.action === undefined ? '' : ` ${event.action.replaceAll('_', ' ')}`;
  const actor = event.actor === undefined ? '' : ` by ${event.actor.login}`;
  return `${kindWord(event)}${number === '' ? '' : ` ${number}`}${action}${actor}`;
}

function titleOf(event: BrokerEvent, family: CardFamily): string {
  if (event.title !== undefined && event.title.trim() !== '') return event.title;
  if (family === 'push' && event.branch !== undefined) return `Push to ${event.branch}`;
  if (family === 'deployment' && event.environment !== undefined)
    return `Deployment to ${event.environment}`;
  const where = event.repo?.fullName ?? event.org;
  return `${kindWord(event)}${where === undefined ? '' : ` in ${where}`}`;
}

/**
 * The state worth showing. GitHub's payloads have no "draft" state for a pull request; the one
 * event that says so is converting it. A deployment being created has no state yet but its action.
 */
function displayState(event: BrokerEvent, family: CardFamily): string | undefined {
  if (family === 'pull_request' && event.state === 'open' && event.action === 'converted_to_draft')
    return 'draft';
  if (family === 'deployment') return event.state ?? event.action;
  return event.state;
}

/** Every fact a template may show; each template picks its own (templates/*.ts). */
function factsOf(event: BrokerEvent, family: CardFamily, state: string | undefined) {
  const branch =
    family === 'pull_request' && event.branch !== undefined && event.baseBranch !== undefined
      ? `${event.branch} → ${event.baseBranch}`
      : event.branch;
  // All zeros is GitHub's "no commit" (a deleted branch's `after`).
  const commit =
    event.sha !== undefined && !/^0+$/.test(event.sha) ? event.sha.slice(0, 7) : undefined;
  const files = event.changedPaths?.length;
  return {
    branch: branch === undefined ? undefined : plain(branch),
    commit: commit === undefined ? undefined : plain(commit),
    files: files === undefined || files === 0 ? undefined : String(files),
    environment: event.environment === undefined ? undefined : plain(event.environment),
    tag:
      family === 'release' && event.target?.kind === 'release'
        ? plain(event.target.key)
        : undefined,
    author: event.author === undefined ? undefined : plain(event.author),
    assignees: compactList(event.assignees),
    reviewers: compactList(event.requestedReviewers),
    on: family === 'comment' ? onWhat(event) : undefined,
    event: plain(`${event.kind}${event.action === undefined ? '' : `.${event.action}`}`),
    stateText: state === undefined ? undefined : plain(stateLabel(state)),
  };
}

const TARGET_WORDS: Readonly<Partial<Record<string, string>>> = {
  issue: 'Issue',
  pull_request: 'Pull request',
  discussion: 'Discussion',
  commit: 'Commit',
};

function onWhat(event: BrokerEvent): string | undefined {
  const target = event.target;
  if (target === undefined) return undefined;
  const word = TARGET_WORDS[target.kind] ?? stateLabel(target.kind);
  const which =
    target.number !== undefined
      ? `#${target.number}`
      : target.kind === 'commit'
        ? target.key.slice(0, 7)
        : '';
  return plain(`${word} ${which}`.trim());
}

/** Families whose subject Reynolds can write to from a card. */
const ACTIONABLE_FAMILIES: ReadonlySet<CardFamily> = new Set(['issue', 'pull_request']);
/** Actions after which the number no longer names the thing the card is about. */
const GONE_ACTIONS = new Set(['deleted', 'transferred']);

function writeActions(input: AlertCardInput, family: CardFamily): WriteActions | undefined {
  const { event, chain } = input;
  const number = event.target?.number;
  if (!input.canAct || !ACTIONABLE_FAMILIES.has(family)) return undefined;
  if (event.repo === undefined || number === undefined || GONE_ACTIONS.has(event.action ?? ''))
    return undefined;
  const repo = event.repo.fullName;
  const data = (verb: CardVerb): CardActionData => ({
    verb,
    repo,
    number,
    chainId: chain.chainId,
    nodeId: chain.nodeId,
    deliveryId: event.deliveryId,
  });
  const state = displayState(event, family);
  const open = state === 'open' || state === 'draft';
  // Reviews on a draft are not what its author asked for yet; a merged PR takes no review.
  const reviewable = family === 'pull_request' && state === 'open';
  return {
    comment: data('comment'),
    // A merged pull request can be neither closed nor reopened; an unknown state offers neither.
    close: open ? data('close') : undefined,
    reopen: state === 'closed' ? data('reopen') : undefined,
    approve: reviewable ? data('approve') : undefined,
    requestChanges: reviewable ? data('request_changes') : undefined,
  };
}

function chainBrokenView(chain: ChainSummary, chainUrl: string) {
  const stopped = chain.verdict === 'break';
  const where = chain.repo ?? 'GitHub';
  const minutes = Math.max(0, Math.round((chain.updatedAt - chain.startedAt) / 60_000));
  const span =
    minutes < 1 ? 'in under a minute' : `over ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const effect = stopped
    ? 'Reynolds stopped it: no more alerts or GitHub writes on this chain.'
    : 'Reynolds dampened it: alerts still flow, GitHub writes on this chain are held back.';
  const what = `A chain of ${chain.nodes} event${chain.nodes === 1 ? '' : 's'} on ${where} went ${chain.depth} deep ${span}, which looks like bots answering each other. ${effect}`;
  const badge = stopped ? 'Loop stopped' : 'Loop dampened';
  return withoutUndefined({
    badge,
    repo:
      chain.repo === undefined
        ? 'GitHub'
        : link(
            chain.repo,
            `${DEFAULT_HOST}/${chain.repo.split('/').map(encodeURIComponent).join('/')}`,
          ),
    title: plain(stopped ? `Loop stopped on ${where}` : `Loop dampened on ${where}`),
    what: plain(what, 600),
    facts: withoutUndefined({
      reason:
        chain.reason === undefined || chain.reason.trim() === ''
          ? undefined
          : plain(chain.reason, 400),
      score: chain.score.toFixed(2),
      depth: String(chain.depth),
      nodes: String(chain.nodes),
      root: plain(chain.root),
      started: timeOf(chain.startedAt),
      updated: timeOf(chain.updatedAt),
      chain: plain(chain.chainId),
    }),
    // A bad chain URL is a configuration slip; the card still goes out, pointing at nothing worse than GitHub.
    chainUrl: safeUrl(chainUrl) ?? DEFAULT_HOST,
    // Plain text (clients that cannot render the card show it as is): not escaped like card text.
    fallbackText: plainLine(
      `${stopped ? 'Loop stopped' : 'Loop dampened'} on ${where}: ${cut(chain.reason ?? chain.root, 200)}`,
    ),
  });
}

function timeOf(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime())
    ? 'unknown'
    : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Drops absent values, so the templates' `exists(...)` sees absent, not `undefined`. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
