/**
 * Reynolds's voice for chat actions: what it says when a lookup, a summary or a chain question
 * cannot be answered. Each line keeps the joke short and then says exactly what is true and what
 * to do next. The system prompt the model-backed planner uses is src/prompts/chat/skprompt.txt.
 */
import type { GitHubReadErrorKind } from '../github/github-reader.js';
import { CATCHPHRASE, PERSONA_NAME } from './replies.js';

/** Example requests, shown when Reynolds did not understand and in the docs. */
export const EXAMPLE_REQUESTS = [
  'look up octo-org/octo-repo#42',
  'summarize https://github.com/octo-org/octo-repo/pull/42',
  'who should review octo-org/octo-repo#42',
  'recent chains',
  'why was chain 3f9c2a stopped',
  'subscribe octo-org/octo-repo pulls issues',
  'digest now',
  'pilot status',
  'status',
] as const;

export function capabilitiesLine(): string {
  return [
    `Not sure what you meant there, and I have read a lot of webhooks. Here is what I can do, ${CATCHPHRASE.toLowerCase()} included:`,
    ...EXAMPLE_REQUESTS.map((example) => `- **${example}**`),
    'Say **help** for the full list.',
  ].join('\n');
}

export function githubErrorLine(kind: GitHubReadErrorKind, what: string, resetAt?: number): string {
  switch (kind) {
    case 'not_found':
      return `I looked everywhere for ${what}, including behind the couch: GitHub says it does not exist, or I am not allowed to see it. Check the owner, repo and number.`;
    case 'rate_limited':
      return `GitHub has asked me to slow down (rate limit)${resetAt ? `; it resets at ${new Date(resetAt).toISOString().slice(11, 16)} UTC` : ''}. Try ${what} again after that.`;
    case 'unauthorized':
      return `GitHub did not accept my credentials while reading ${what}. An admin should check GITHUB_TOKEN or the GitHub App key.`;
    case 'forbidden':
      return `GitHub will not let me read ${what}: my token or GitHub App is not installed on that repository, or lacks the permission. An admin can fix that.`;
    case 'unavailable':
      return `GitHub is not answering right now, so I could not read ${what}. Not my fault, for once. Try again in a minute.`;
    case 'not_configured':
      return `I cannot read ${what}: no GitHub access is configured here (set GITHUB_TOKEN or a GitHub App). Everything else still works.`;
  }
}

export function poolDownLine(): string {
  return 'My model pool is not answering right now, so you get my hand-written summary instead. Still accurate, slightly less poetic.';
}

export function modelDownLine(): string {
  return `My language model is not answering right now, so I am going by the rule book: plain requests like **look up owner/repo#1**, **status** or **help** still work.`;
}

export function chainNotFoundLine(chainId: string): string {
  return `No chain ${chainId}: it never existed, or it expired (chains are kept for LOOP_TTL_SECONDS). Say **recent chains** to see the ones I have.`;
}

export function badChainIdLine(given?: string): string {
  return given
    ? `"${given}" is not a chain id: chain ids are letters, digits, dash and underscore. Say **recent chains** to pick one.`
    : 'Which chain? Say **why was chain <id> stopped**; **recent chains** lists the ids.';
}

export function noChainsLine(repo?: string): string {
  return repo
    ? `No event chains for ${repo} lately. Quiet is good.`
    : 'No event chains lately. Either all is calm, or nobody has pushed anything. I choose to believe the first.';
}

export function digestNotAvailableLine(): string {
  return 'Digests are not switched on in this Reynolds yet, so there is nothing to send early. Alerts still arrive as they happen.';
}

export function tooManyStepsLine(): string {
  return 'I went round in circles on that one and stopped myself, as any good loop-breaker should. Try asking in fewer words.';
}

export function flaggedLine(): string {
  return `I am going to sit that one out. Ask me about your repos, PRs, chains or subscriptions and I am all yours.`;
}

export function modelThinkingFailedLine(): string {
  return `${PERSONA_NAME} had a moment there. Try again, or say **help**.`;
}
