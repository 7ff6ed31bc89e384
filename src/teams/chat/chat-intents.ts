/**
 * The offline planner's understanding of English: intent rules (keywords and patterns, tried in
 * order) that turn a chat message into one action and its parameters. Pure functions; the table
 * of phrasings they must understand is tests/teams/chat-intents.test.ts.
 */
import { FEATURES } from '../../routing/subscriptions/subscription.js';
import type { ChatActionName } from '../actions/index.js';
import { REFERENCE_IN_TEXT } from '../actions/github-reference.js';

export type Intent =
  | { kind: 'action'; action: ChatActionName; parameters: Record<string, unknown> }
  | { kind: 'greeting' }
  /** `use <server>.<tool> {json}`: a tool of another MCP server (external-tools.ts); a bad JSON object is said, not guessed. */
  | {
      kind: 'tool';
      server: string;
      tool: string;
      arguments: Record<string, unknown>;
      argumentsError?: string;
    }
  | { kind: 'unknown' };

/** The action that runs `use <server>.<tool>` (registered by external-tools.ts). */
export const USE_TOOL_ACTION = 'use_tool';
const USE_TOOL = /^use\s+([A-Za-z0-9-]{1,40})\.([A-Za-z0-9_.-]{1,64})(?:\s+([\s\S]*))?$/i;

const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}';
const REPO_IN_TEXT = new RegExp(
  `(?:https?://)?(?:www\\.)?(?:github\\.com/)?(${OWNER}/[A-Za-z0-9._-]{1,100})`,
);
const NUMBER_THEN_REPO = new RegExp(
  `\\b(?:pr|pull request|pull|issue)\\s*#?(\\d{1,9})\\s+(?:in|on|of|from)\\s+(${OWNER}/[A-Za-z0-9._-]{1,100})`,
  'i',
);
const CHAIN_ID = /^[A-Za-z0-9_-]{3,100}$/;
/** Words that follow "chain" in questions but are not ids. */
const NOT_CHAIN_IDS = new Set([
  'was',
  'got',
  'get',
  'is',
  'that',
  'this',
  'the',
  'stopped',
  'broken',
  'break',
  'id',
  'ids',
]);

const GREETING =
  /^(?:hi|hello|hey|hiya|yo|howdy|good (?:morning|afternoon|evening)|greetings|sup|what'?s up)\b[\s!.,]*(?:there|reynolds|team|all|folks|everyone)?[\s!.,]*$/i;
const HELP =
  /^(?:help|\?|commands|menu)$|\bhelp\b|\bwhat (?:can|do) you do\b|\bwhat are your (?:commands|skills)\b|\bhow do (?:i|you) use\b/i;
const LIST_SUBSCRIPTIONS =
  /^(?:subscriptions|list)$|\b(?:list|show|what are|which are|see)\b.*\bsubscriptions?\b|\bwhat (?:do|does) (?:we|this (?:chat|channel|conversation)|i) (?:get|follow|subscribe to|watch)\b|\bwhat (?:are we|am i) (?:subscribed to|following|watching)\b/i;
const UNSUBSCRIBE =
  /\b(?:unsubscribe|stop (?:following|watching|sending|alerts?|notifications?)|unfollow|unwatch|mute)\b/i;
const SUBSCRIBE =
  /\b(?:subscribe|follow|watch|send (?:me |us )?(?:alerts|updates|notifications))\b/i;
const WHY_STOPPED =
  /\b(?:why|what)\b.*\b(?:stop(?:ped)?|broke(?:n)?|break|dampen(?:ed)?|halt(?:ed)?|kill(?:ed)?|block(?:ed)?)\b|\bchain\b.*\b(?:stopped|broken|dampened|halted)\b/i;
const CHAINS = /\b(?:chains?|loops?)\b/i;
const REVIEWERS =
  /\b(?:who should review|who (?:can|could|ought to|needs to) review|reviewers?|suggest (?:a )?review|code ?owners?)\b/i;
const SUMMARIZE = /\b(?:summari[sz]e|summary|tl;?dr|explain|what does .* (?:do|change))\b/i;
const DIGEST = /\bdigest\b/i;
const PILOT = /\b(?:pilot|rollout|roll-out)\b/i;
const STATUS =
  /^status$|\b(?:status|health|healthy|how are you(?: doing)?|how'?s it going|queue|inbox|model pool|pool|breakers?|are you (?:ok|alive|up))\b/i;
const LOOKUP =
  /\b(?:look ?up|show|find|check|open|details?|what'?s (?:up with|going on with)|tell me about|get)\b/i;
const STOPPED_WORDS = /\b(?:stopped|broken|broke|break)\b/i;
const DAMPENED_WORDS = /\bdampen(?:ed)?\b/i;

export function matchIntent(input: string): Intent {
  const text = input
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^@?reynolds[,:]?\s*/i, '')
    .replace(/^\//, '');
  if (text === '') return { kind: 'unknown' };
  if (GREETING.test(text)) return { kind: 'greeting' };
  const use = USE_TOOL.exec(text);
  if (use) return toolIntent(use[1]!, use[2]!, use[3]?.trim());
  const reference = referenceIn(text);

  if (!reference && WHY_STOPPED.test(text)) {
    const chainId = chainIdIn(text);
    if (chainId || CHAINS.test(text)) return action('why_stopped', chainId ? { chainId } : {});
  }
  if (!reference && CHAINS.test(text)) {
    const parameters: Record<string, unknown> = {};
    const repo = repoIn(text);
    if (repo) parameters.repo = repo;
    if (STOPPED_WORDS.test(text)) parameters.verdict = 'break';
    else if (DAMPENED_WORDS.test(text)) parameters.verdict = 'dampen';
    const count = /\b(?:last|recent|latest)\s+(\d{1,2})\b/i.exec(text);
    if (count) parameters.limit = Number(count[1]);
    return action('recent_chains', parameters);
  }
  if (LIST_SUBSCRIPTIONS.test(text)) return action('list_subscriptions', {});
  if (UNSUBSCRIBE.test(text) && !reference) return subscription('unsubscribe', text);
  if (SUBSCRIBE.test(text) && !reference && !/\bsubscriptions\b/i.test(text))
    return subscription('subscribe', text);

  // A repository without a number goes through too, so the action can ask which number.
  const named = reference ?? repoIn(text);
  const withReference = (name: ChatActionName): Intent =>
    action(name, named ? { reference: named } : {});
  if (REVIEWERS.test(text)) return withReference('suggest_reviewers');
  if (SUMMARIZE.test(text)) return withReference('summarize');
  if (DIGEST.test(text)) return action('digest_now', {});
  if (PILOT.test(text)) return action('pilot_status', {});
  if (reference) return withReference('lookup');
  if (HELP.test(text)) return action('help', {});
  if (STATUS.test(text)) return action('status', {});
  // "look it up", "show me that PR": the last reference discussed is filled in by the dispatcher.
  if (
    /\blook (?:it|that|this)(?: one)? up\b/i.test(text) ||
    (LOOKUP.test(text) &&
      /\b(?:it|that|this|the)\b.*\b(?:pr|pull|issue)\b|\b(?:look ?up|show|open)\s+(?:it|that|this)\b/i.test(
        text,
      ))
  ) {
    return action('lookup', {});
  }
  return { kind: 'unknown' };
}

function action(name: ChatActionName, parameters: Record<string, unknown>): Intent {
  return { kind: 'action', action: name, parameters };
}

function referenceIn(text: string): string | undefined {
  const found = REFERENCE_IN_TEXT.exec(text);
  if (found) return found[0];
  const spelled = NUMBER_THEN_REPO.exec(text);
  return spelled ? `${spelled[2]}#${spelled[1]}` : undefined;
}

function repoIn(text: string): string | undefined {
  return REPO_IN_TEXT.exec(text)?.[1]?.replace(/\.git$/, '');
}

function chainIdIn(text: string): string | undefined {
  const after = /\bchain\s+(?:id\s+)?[`"']?([A-Za-z0-9_-]+)/i.exec(text)?.[1];
  if (after && CHAIN_ID.test(after) && !NOT_CHAIN_IDS.has(after.toLowerCase())) return after;
  // "why was 3f9c2a stopped": an id-looking word (has a digit) between why and the verb.
  const bare =
    /\b(?:why|what)\b.*?\b([A-Za-z_-]*\d[A-Za-z0-9_-]{2,})\b.*\b(?:stop|broke|break|dampen|halt|kill)/i.exec(
      text,
    )?.[1];
  return bare && CHAIN_ID.test(bare) ? bare : undefined;
}

const FEATURE_SET = new Set<string>(FEATURES);

/** "please subscribe us to acme/app pulls and issues +label:bug": repo, features and filters. */
function subscription(verb: 'subscribe' | 'unsubscribe', text: string): Intent {
  const match = REPO_IN_TEXT.exec(
    text.replace(/\b(?:this|the|our|my) (?:chat|channel|conversation|team)\b/gi, ''),
  );
  const parameters: Record<string, unknown> = {};
  if (match?.[1]) {
    parameters.repo = match[1].replace(/\.git$/, '');
    const rest = text
      .slice((match.index ?? 0) + match[0].length)
      .split(/[\s,]+/)
      .filter((w) => w !== '');
    const features = rest
      .map((w) => w.toLowerCase().replace(/[.!?]$/, ''))
      .map((w) => (w === 'prs' || w === 'pull' || w === 'pull-requests' ? 'pulls' : w))
      .filter((w) => FEATURE_SET.has(w));
    if (features.length > 0) parameters.features = [...new Set(features)];
    const filters = rest.filter((w) => /^[+-]?[A-Za-z]+:\S+/.test(w));
    if (verb === 'subscribe' && filters.length > 0) parameters.filters = filters;
  } else {
    // "subscribe to octo-org": an owner alone subscribes the whole organization.
    const owner = new RegExp(`\\b(?:to|from|on)\\s+(${OWNER})\\s*$`, 'i').exec(text)?.[1];
    if (owner && !['this', 'the', 'it', 'that', 'us', 'me'].includes(owner.toLowerCase()))
      parameters.repo = owner;
  }
  return action(verb, parameters);
}

function toolIntent(server: string, tool: string, json: string | undefined): Intent {
  if (json === undefined || json === '') return { kind: 'tool', server, tool, arguments: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return { kind: 'tool', server, tool, arguments: {}, argumentsError: (error as Error).message };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { kind: 'tool', server, tool, arguments: {}, argumentsError: 'that is not an object' };
  return { kind: 'tool', server, tool, arguments: parsed as Record<string, unknown> };
}
