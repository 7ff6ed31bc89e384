/**
 * The chat syntax for subscriptions, parsed and printed:
 *
 *   subscribe owner/repo [features...] [+label:x] [-label:y] [branch:main] [author:octocat] [priority:P1]
 *   subscribe owner                      (every repository of an organization or user)
 *   unsubscribe owner/repo [features...] (no features: the whole subscription)
 *   subscriptions                        (or `list`)
 *
 * The parser never throws: anything a person can type gets either a command or an error that says
 * what is wrong and shows the right syntax. Values with spaces are quoted (`+label:"good first
 * issue"`, `\"` and `\\` inside quotes). formatSubscription prints what parses back to the same
 * subscription, so the list reply doubles as copy-and-paste instructions.
 */
import { type Priority, isPriority } from '../../core/classification.js';
import {
  DEFAULT_FEATURES,
  FEATURES,
  type Feature,
  type SubscriptionFilters,
  type SubscriptionScope,
  type SubscriptionSpec,
  canonicalFeatures,
  isDefaultFeatureSet,
  isFeature,
  scopeName,
} from './subscription.js';

export type SubscriptionCommand =
  | ({ kind: 'subscribe' } & SubscriptionSpec)
  /** `features` empty: remove the whole subscription. */
  | { kind: 'unsubscribe'; scope: SubscriptionScope; features: Feature[] }
  | { kind: 'list' };

export type ParseResult = { ok: true; command: SubscriptionCommand } | { ok: false; error: string };

export const SUBSCRIBE_SYNTAX =
  'subscribe owner/repo [features...] [+label:x] [-label:y] [branch:main] [author:octocat] [priority:P1]';
export const UNSUBSCRIBE_SYNTAX = 'unsubscribe owner/repo [features...]';

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** A filter may name an app's bot account too (`author:dependabot[bot]`). */
const AUTHOR = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
/** People paste links: https://github.com/owner/repo(.git)(/) means owner/repo. */
const GITHUB_URL = /^(?:https?:\/\/)?(?:www\.)?github\.com\//i;
const FILTER = /^([+-]?)([A-Za-z]+):([\s\S]*)$/;

const FEATURE_LIST = FEATURES.join(', ');
const FILTER_LIST = '+label:x, -label:y, branch:name, author:login, priority:P0|P1|P2|P3';

function fail(error: string): ParseResult {
  return { ok: false, error };
}

export function parseSubscriptionCommand(input: string): ParseResult {
  const tokens = tokenize(input);
  if (typeof tokens === 'string') return fail(tokens);
  const [first, ...rest] = tokens;
  const verb = first?.toLowerCase().replace(/^\//, '');
  if (verb === 'subscriptions' || verb === 'list') {
    return rest.length === 0
      ? { ok: true, command: { kind: 'list' } }
      : fail(`"${verb}" takes nothing after it.`);
  }
  if (verb !== 'subscribe' && verb !== 'unsubscribe') {
    const said = first === undefined ? 'Say' : `I don't know "${first}". Say`;
    return fail(`${said} one of:\n  ${SUBSCRIBE_SYNTAX}\n  ${UNSUBSCRIBE_SYNTAX}\n  subscriptions`);
  }
  const syntax = verb === 'subscribe' ? SUBSCRIBE_SYNTAX : UNSUBSCRIBE_SYNTAX;
  const [scopeToken, ...options] = rest;
  const ownerOrRepo =
    'Write owner/repo (for example octo-org/octo-repo), or owner alone for a whole organization';
  if (scopeToken === undefined) return fail(`Which repository? ${ownerOrRepo}: ${syntax}`);
  const scope = parseScope(scopeToken);
  if (scope === undefined)
    return fail(`"${scopeToken}" is not a repository. ${ownerOrRepo}: ${syntax}`);
  const features: Feature[] = [];
  const filters = new FilterBuilder();
  for (const token of options) {
    const isFilter = FILTER.test(token) || /^[+-]/.test(token);
    let problem: string | undefined;
    if (!isFilter) problem = addFeature(features, token);
    else problem = verb === 'subscribe' ? filters.add(token) : unsubscribeFilterProblem(token);
    if (problem !== undefined) return fail(`${problem}\nSyntax: ${syntax}`);
  }
  if (verb === 'unsubscribe') {
    return {
      ok: true,
      command: { kind: 'unsubscribe', scope, features: canonicalFeatures(features) },
    };
  }
  const chosen = features.length === 0 ? [...DEFAULT_FEATURES] : canonicalFeatures(features);
  return {
    ok: true,
    command: { kind: 'subscribe', scope, features: chosen, filters: filters.build() },
  };
}

function unsubscribeFilterProblem(token: string): string {
  return `unsubscribe takes features only, not "${token}". To change filters, subscribe again with the new ones.`;
}

function parseScope(token: string): SubscriptionScope | undefined {
  const path = token
    .replace(GITHUB_URL, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const [owner, repo, ...extra] = path.split('/');
  if (owner === undefined || !LOGIN.test(owner) || extra.length > 0) return undefined;
  if (repo === undefined) return { owner };
  return REPO.test(repo) && repo !== '.' && repo !== '..' ? { owner, repo } : undefined;
}

function addFeature(features: Feature[], token: string): string | undefined {
  const name = token.toLowerCase();
  if (!isFeature(name))
    return `Unknown feature "${token}". Features: ${FEATURE_LIST}. Filters: ${FILTER_LIST}.`;
  if (features.includes(name)) return `The feature "${name}" is given twice; give it once.`;
  features.push(name);
  return undefined;
}

/** Collects filters, refusing duplicates and contradictions with a reason a person can act on. */
class FilterBuilder {
  private readonly include: string[] = [];
  private readonly exclude: string[] = [];
  private readonly branches: string[] = [];
  private readonly authors: string[] = [];
  private minPriority: Priority | undefined;

  add(token: string): string | undefined {
    const match = FILTER.exec(token);
    if (!match) return `"${token}" is not a filter. Filters: ${FILTER_LIST}.`;
    const [, sign = '', rawKey = '', value = ''] = match;
    const key = rawKey.toLowerCase();
    if (key === 'label' && sign === '') {
      return `Say +label:${value || 'x'} to require a label or -label:${value || 'x'} to exclude one.`;
    }
    if (key === 'label') return this.label(sign, value);
    if (sign !== '') return `Only labels take + or -: "${token}". Filters: ${FILTER_LIST}.`;
    if (key === 'branch') return this.branch(value);
    if (key === 'author') return this.author(value);
    if (key === 'priority') return this.priority(value);
    return `Unknown filter "${rawKey}:". Filters: ${FILTER_LIST}.`;
  }

  private label(sign: string, value: string): string | undefined {
    if (value.trim() === '') {
      return `${sign}label: needs a label name, e.g. ${sign}label:bug (quote names with spaces: ${sign}label:"good first issue").`;
    }
    const same = (other: string): boolean => other.toLowerCase() === value.toLowerCase();
    const [mine, theirs] =
      sign === '+' ? [this.include, this.exclude] : [this.exclude, this.include];
    if (mine.some(same)) return `${sign}label:${quote(value)} is given twice; give it once.`;
    if (theirs.some(same))
      return `The label ${quote(value)} is both required (+label) and excluded (-label); pick one.`;
    mine.push(value);
    return undefined;
  }

  private branch(value: string): string | undefined {
    const branch = value.replace(/^refs\/heads\//, '');
    if (!isBranchName(branch)) return `"${value}" is not a branch name: write branch:main.`;
    if (this.branches.includes(branch)) return `branch:${branch} is given twice; give it once.`;
    this.branches.push(branch);
    return undefined;
  }

  private author(value: string): string | undefined {
    const login = value.replace(/^@/, '');
    if (!AUTHOR.test(login)) return `"${value}" is not a GitHub login: write author:octocat.`;
    if (this.authors.some((author) => author.toLowerCase() === login.toLowerCase()))
      return `author:${login} is given twice; give it once.`;
    this.authors.push(login);
    return undefined;
  }

  private priority(value: string): string | undefined {
    const priority = value.toUpperCase();
    if (!isPriority(priority))
      return `"priority:${value}" is not a priority: write priority:P0, P1, P2 or P3 (P0 is the most important).`;
    if (this.minPriority !== undefined)
      return `priority is given twice (priority:${this.minPriority} and priority:${priority}); give one.`;
    this.minPriority = priority;
    return undefined;
  }

  build(): SubscriptionFilters {
    const filters: SubscriptionFilters = {};
    if (this.include.length > 0 || this.exclude.length > 0)
      filters.labels = { include: [...this.include], exclude: [...this.exclude] };
    if (this.branches.length > 0) filters.branches = [...this.branches];
    if (this.authors.length > 0) filters.authors = [...this.authors];
    if (this.minPriority !== undefined) filters.minPriority = this.minPriority;
    return filters;
  }
}

/** Git's ref-name rules, the parts a person can get wrong in chat. */
function isBranchName(branch: string): boolean {
  return (
    branch.length > 0 &&
    // Git refuses control characters in ref names (git check-ref-format), so we do too.
    // eslint-disable-next-line no-control-regex
    !/[\s~^:?*[\\\x00-\x1f\x7f]/.test(branch) &&
    !branch.includes('..') &&
    !branch.includes('@{') &&
    !branch.startsWith('-') &&
    !branch.startsWith('/') &&
    !branch.endsWith('/') &&
    !branch.endsWith('.') &&
    !branch.endsWith('.lock') &&
    !branch.includes('//')
  );
}

/**
 * Splits at whitespace outside double quotes; inside quotes `\"` is a quote and `\\` a backslash.
 * A quote may start mid-token (`+label:"a b"`). Returns an error for an unclosed quote.
 */
function tokenize(input: string): string[] | string {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let index = 0; index < input.length; index += 1) {
    const char = input[index] ?? '';
    if (quoted) {
      if (char === '\\' && (input[index + 1] === '"' || input[index + 1] === '\\')) {
        current += input[index + 1];
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        current += char;
      }
    } else if (char === '"') {
      quoted = true;
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (quoted)
    return 'A quote (") is not closed. Quote values with spaces like this: +label:"good first issue"';
  if (inToken) tokens.push(current);
  return tokens;
}

/** A value as the tokenizer reads it back: bare when it can be, else quoted and escaped. */
function quote(value: string): string {
  return /^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The command that creates this subscription (default features are left implicit). */
export function formatSubscription(subscription: SubscriptionSpec): string {
  const parts = ['subscribe', scopeName(subscription.scope)];
  if (!isDefaultFeatureSet(subscription.features))
    parts.push(...canonicalFeatures(subscription.features));
  const { labels, branches, authors, minPriority } = subscription.filters;
  for (const label of labels?.include ?? []) parts.push(`+label:${quote(label)}`);
  for (const label of labels?.exclude ?? []) parts.push(`-label:${quote(label)}`);
  for (const branch of branches ?? []) parts.push(`branch:${quote(branch)}`);
  for (const author of authors ?? []) parts.push(`author:${author}`);
  if (minPriority !== undefined) parts.push(`priority:${minPriority}`);
  return parts.join(' ');
}

/** The reply to `subscriptions`: one line per subscription, each a command that recreates it. */
export function formatSubscriptionList(subscriptions: readonly SubscriptionSpec[]): string {
  if (subscriptions.length === 0)
    return `This conversation has no subscriptions yet. Try: ${SUBSCRIBE_SYNTAX}`;
  return subscriptions.map((subscription) => `- ${formatSubscription(subscription)}`).join('\n');
}
