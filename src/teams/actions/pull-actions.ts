/**
 * lookup and summarize: a PR or issue by reference, with its checks, reviewers and event chain;
 * and a summary of a PR, from the model pool when it serves the repo, else written from the PR's
 * own data. Every GitHub failure becomes an in-voice line naming what to fix.
 */
import {
  GitHubReadError,
  type GitHubReadErrorKind,
  type GitHubReader,
  type IssueView,
  type PullRequestView,
} from '../../github/github-reader.js';
import type { ChainSummary } from '../../core/chain-records.js';
import { githubErrorLine, poolDownLine } from '../../persona/chat-replies.js';
import type { ModelRole } from '../../core/model-roles.js';
import {
  type ActionReply,
  type ActionScope,
  type ChatAction,
  type ChatActionDeps,
  stringParam,
  textReply,
} from './chat-action.js';
import { chainsFor } from './chain-actions.js';
import { issueCard, pullCard } from './chat-cards.js';
import { type GitHubReference, formatReference, parseReference } from './github-reference.js';
import { inPilot, poolSnapshotOf } from './status-actions.js';

/** Summaries wait this long for the pool before falling back to the written summary. */
const SUMMARY_DEADLINE_MS = 20_000;
const PATCH_CHARS = 6_000;

/** Runs a GitHub read, turning its failures into the reply to give instead. */
export async function readGitHub<T>(
  what: string,
  read: (reader: GitHubReader) => Promise<T>,
  deps: ChatActionDeps,
): Promise<{ ok: true; value: T } | { ok: false; reply: ActionReply; kind?: GitHubReadErrorKind }> {
  if (!deps.reader)
    return {
      ok: false,
      kind: 'not_configured',
      reply: textReply(githubErrorLine('not_configured', what)),
    };
  try {
    return { ok: true, value: await read(deps.reader) };
  } catch (error) {
    if (error instanceof GitHubReadError)
      return {
        ok: false,
        kind: error.kind,
        reply: textReply(githubErrorLine(error.kind, what, error.resetAt)),
      };
    throw error; // a bug, not GitHub: the dispatcher logs it and apologises
  }
}

export function referenceOf(
  parameters: Record<string, unknown>,
): { ok: true; reference: GitHubReference } | { ok: false; reply: ActionReply } {
  const parsed = parseReference(stringParam(parameters, 'reference'), parameters.number);
  return parsed.ok ? parsed : { ok: false, reply: textReply(parsed.problem) };
}

/** A PR named in the parameters, with its changed files: what summaries and reviewer suggestions start from. */
export async function readPullWithFiles(
  parameters: Record<string, unknown>,
  deps: ChatActionDeps,
): Promise<
  | {
      ok: true;
      repo: string;
      number: number;
      what: string;
      pull: PullRequestView;
      files: Awaited<ReturnType<GitHubReader['listPullFiles']>>;
    }
  | { ok: false; reply: ActionReply }
> {
  const ref = referenceOf(parameters);
  if (!ref.ok) return ref;
  const { repo, number } = ref.reference;
  const what = formatReference(ref.reference);
  const pull = await readGitHub(what, (r) => r.getPullRequest(repo, number), deps);
  if (!pull.ok) return pull;
  const files = await readGitHub(what, (r) => r.listPullFiles(repo, number), deps);
  if (!files.ok) return files;
  return { ok: true, repo, number, what, pull: pull.value, files: files.value };
}

/** What lookup found: a PR or an issue, with the chains that touched it. */
export type FoundItem =
  | { kind: 'pull'; what: string; pull: PullRequestView; chains: ChainSummary[] }
  | { kind: 'issue'; what: string; issue: IssueView; chains: ChainSummary[] };

/**
 * The reads behind lookup: the chat action and the MCP `lookup_item` tool (src/mcp/server/) both
 * call this, so both see the same item and answer the same failures.
 */
export async function findItem(
  scope: ActionScope,
  parameters: Record<string, unknown>,
  deps: ChatActionDeps,
): Promise<{ ok: true; item: FoundItem } | { ok: false; reply: ActionReply }> {
  const ref = referenceOf(parameters);
  if (!ref.ok) return ref;
  const { repo, number, kind } = ref.reference;
  const what = formatReference(ref.reference);
  const chains = await chainsFor(deps.store, scope.tenantId, repo, number);
  // A short reference does not say whether it is a PR; the issues API answers for both.
  const asPull = kind === 'pull' ? true : kind === 'issue' ? false : undefined;
  if (asPull !== false) {
    const pull = await readGitHub(what, (r) => r.getPullRequest(repo, number), deps);
    if (pull.ok) return { ok: true, item: { kind: 'pull', what, pull: pull.value, chains } };
    if (asPull === true || pull.kind !== 'not_found') return pull;
  }
  const issue = await readGitHub(what, (r) => r.getIssue(repo, number), deps);
  if (!issue.ok) return issue;
  return { ok: true, item: { kind: 'issue', what, issue: issue.value, chains } };
}

export const lookupAction: ChatAction = {
  name: 'lookup',
  async run(scope, parameters, deps) {
    const found = await findItem(scope, parameters, deps);
    if (!found.ok) return found.reply;
    const { item } = found;
    if (item.kind === 'pull') return pullReply(item.pull, item.chains);
    const { what, issue: i, chains } = item;
    return {
      card: issueCard(i, chains),
      summary: `Showed issue ${what} "${i.title}" (${i.state}, by ${i.author}, ${i.comments} comments, assignees: ${i.assignees.join(', ') || 'none'}, labels: ${i.labels.join(', ') || 'none'}).`,
    };
  },
};

function pullReply(
  pull: PullRequestView,
  chains: Awaited<ReturnType<typeof chainsFor>>,
): ActionReply {
  const what = `${pull.repo}#${pull.number}`;
  return {
    card: pullCard(pull, chains),
    summary:
      `Showed PR ${what} "${pull.title}" (${pull.state}, by ${pull.author}, checks ${pull.checks.state}` +
      `${pull.checks.failing.length ? ` failing: ${pull.checks.failing.join(', ')}` : ''}, approved by ${pull.reviews.approved.join(', ') || 'nobody'}, ` +
      `review requested from ${pull.reviews.requested.join(', ') || 'nobody'}, chains: ${chains.map((c) => `${c.chainId} ${c.verdict}`).join(', ') || 'none'}).`,
  };
}

export const summarizeAction: ChatAction = {
  name: 'summarize',
  async run(scope, parameters, deps) {
    const read = await readPullWithFiles(parameters, deps);
    if (!read.ok) return read.reply;
    const { repo, what, pull, files } = read;
    const written = writtenSummary(pull, files);
    const role = modelRoleFor(scope, repo, deps);
    if (role === undefined) {
      const text = `**Summary of ${what}** (written by me from the PR's data; no model is used for this repo):\n${written}`;
      return textReply(text);
    }
    try {
      const result = await deps.pool!.complete(role, summaryRequest(scope, pull, files), {
        deadlineMs: SUMMARY_DEADLINE_MS,
      });
      const text = `**Summary of ${what}** (by the ${role} model, ${result.model}; check it against the diff):\n${result.text.trim()}`;
      return textReply(text);
    } catch (error) {
      deps.logger?.warn(
        { err: error, repo, role },
        'the model pool could not summarise a PR; answered with the written summary',
      );
      return textReply(
        `${poolDownLine()}\n**Summary of ${what}** (written by me from the PR's data):\n${written}`,
      );
    }
  },
};

/** The pool's review role (or docs) when it serves one and the repo is in the pilot; else undefined. */
function modelRoleFor(
  scope: ActionScope,
  repo: string,
  deps: ChatActionDeps,
): ModelRole | undefined {
  const pool = poolSnapshotOf(deps);
  if (!deps.pool || !pool?.configured || !inPilot(deps, scope.tenantId, repo, pool))
    return undefined;
  return (['review', 'docs'] as const).find((role) => deps.pool!.serves(role));
}

type PullFile = { path: string; additions: number; deletions: number; patch?: string };

export function writtenSummary(pull: PullRequestView, files: PullFile[]): string {
  const top = [...files]
    .sort((a, b) => b.additions + b.deletions - (a.additions + a.deletions))
    .slice(0, 5);
  const areas = [
    ...new Set(files.map((f) => (f.path.includes('/') ? f.path.split('/')[0]! : '(root)'))),
  ];
  const lines = [
    `- ${pull.state} PR by ${pull.author}: ${pull.headRef} → ${pull.baseRef}, +${pull.additions} −${pull.deletions} in ${pull.changedFiles} files.`,
    `- Touches: ${areas.slice(0, 6).join(', ')}${areas.length > 6 ? ` and ${areas.length - 6} more` : ''}.`,
    `- Biggest changes: ${top.map((f) => `${f.path} (+${f.additions} −${f.deletions})`).join(', ') || 'none listed'}.`,
    `- Checks: ${pull.checks.state}${pull.checks.failing.length ? ` (failing: ${pull.checks.failing.join(', ')})` : ''}; approved by ${pull.reviews.approved.join(', ') || 'nobody yet'}${pull.reviews.changesRequested.length ? `; changes requested by ${pull.reviews.changesRequested.join(', ')}` : ''}.`,
  ];
  const firstLine = pull.body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('<!--'));
  if (firstLine)
    lines.push(
      `- The author says: "${firstLine.length > 200 ? `${firstLine.slice(0, 197)}...` : firstLine}"`,
    );
  return lines.join('\n');
}

function summaryRequest(scope: ActionScope, pull: PullRequestView, files: PullFile[]) {
  let budget = PATCH_CHARS;
  const diff = files
    .map((f) => {
      const patch = (f.patch ?? '').slice(0, Math.max(0, budget));
      budget -= patch.length;
      return `--- ${f.path} (+${f.additions} -${f.deletions})\n${patch}`;
    })
    .join('\n');
  return {
    tenantId: scope.tenantId,
    repo: pull.repo,
    maxTokens: 400,
    temperature: 0.2,
    messages: [
      {
        role: 'system' as const,
        content:
          'Summarise this pull request for a busy team in at most five bullet points: what changes, why, and what a reviewer should look at. Facts from the diff only.',
      },
      {
        role: 'user' as const,
        content: `${pull.repo}#${pull.number}: ${pull.title}\n\n${pull.body.slice(0, 2000)}\n\n${diff}`,
      },
    ],
  };
}
