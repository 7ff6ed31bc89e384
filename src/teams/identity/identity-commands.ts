/**
 * Chat commands that manage who may write to GitHub from this conversation:
 *   link github <login>    retired: answers with how to `sign in` (sign-in-commands.ts) instead
 *   unlink github          forgets a login someone told Reynolds before sign-in existed
 *   allow @user|upn|everyone [owner/repo|owner ...]     admins only
 *   disallow @user|upn|everyone                          admins only
 *   who can write          anyone
 *   treat <login> as bot|person                          admins only: how the loop guard sees a
 *                          GitHub account, for the whole tenant (src/loops/actor-overrides.ts)
 * Parsing is pure (parseIdentityCommand); the handler talks to the identity book.
 */
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Activity, TurnContext } from 'botbuilder';
import { linkReplacedLine } from '../../persona/sign-in-replies.js';
import type { ActorOverrides } from '../../loops/actor-overrides.js';
import type { IdentityBook } from './identity-book.js';
import { conversationScopeId } from '../sending/conversation-scope-id.js';
import { EVERYONE, type TeamsUser } from './write-permission.js';

export const IDENTITY_COMMAND =
  /^\s*(link\s+github|unlink\s+github|allow|disallow|who\s+can\s+write|treat)\b/i;

export interface Principal {
  keys: string[];
  label: string;
}

export type IdentityCommand =
  | { kind: 'link'; login: string }
  | { kind: 'unlink' }
  | { kind: 'allow'; principals: Principal[]; repos: string[] }
  | { kind: 'disallow'; principals: Principal[] }
  | { kind: 'who' }
  | { kind: 'treat'; login: string; as: 'bot' | 'person' };

export type Parsed = { ok: true; command: IdentityCommand } | { ok: false; error: string };

const REPO_SCOPE = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\/[A-Za-z0-9_.-]{1,100})?$/;
const UPN = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
/** A GitHub login, or an app's `<slug>[bot]`: letters, digits and inner hyphens, at most 39. */
const ACCOUNT = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?$/;
const TREAT_HINT =
  'Say `treat <login> as bot` or `treat <login> as person`, e.g. `treat release-automation as bot`.';

interface MentionLike {
  type?: string;
  text?: string;
  mentioned?: { id?: string; name?: string; aadObjectId?: string };
}

/** Parses one command; `mentions` are the activity's mention entities other than Reynolds. */
export function parseIdentityCommand(text: string, mentions: MentionLike[] = []): Parsed {
  let rest = text.trim();
  const head = /^(link\s+github|unlink\s+github|allow|disallow|who\s+can\s+write|treat)\b/i.exec(
    rest,
  );
  if (!head)
    return {
      ok: false,
      error:
        'Say `sign in`, `allow @someone [owner/repo]`, `disallow @someone`, `who can write` or `treat <login> as bot|person`.',
    };
  const verb = head[1]!.toLowerCase().replace(/\s+/g, ' ');
  rest = rest.slice(head[0].length);
  if (verb === 'treat') {
    const treat = /^\s+@?(\S+)\s+as\s+(?:an?\s+)?(bot|person|human)\s*[.!]?\s*$/i.exec(rest);
    if (!treat) return { ok: false, error: TREAT_HINT };
    const login = treat[1]!;
    if (!ACCOUNT.test(login))
      return {
        ok: false,
        error: `"${login.slice(0, 60)}" is not a GitHub login (letters, digits and single hyphens, at most 39, optionally ending in [bot]). ${TREAT_HINT}`,
      };
    return {
      ok: true,
      command: { kind: 'treat', login, as: treat[2]!.toLowerCase() === 'bot' ? 'bot' : 'person' },
    };
  }
  if (verb === 'who can write') return { ok: true, command: { kind: 'who' } };
  if (verb === 'unlink github') return { ok: true, command: { kind: 'unlink' } };
  if (verb === 'link github') {
    // Whatever follows, the answer is the same: `sign in` (runIdentityCommand).
    return { ok: true, command: { kind: 'link', login: rest.trim().replace(/^@/, '') } };
  }
  const principals: Principal[] = [];
  for (const mention of mentions) {
    if (!mention.text || !rest.includes(mention.text)) continue;
    rest = rest.replace(mention.text, ' ');
    const keys = [
      mention.mentioned?.aadObjectId
        ? `aad:${mention.mentioned.aadObjectId.toLowerCase()}`
        : undefined,
      mention.mentioned?.id ? `teams:${mention.mentioned.id}` : undefined,
    ].filter((k): k is string => k !== undefined);
    if (keys.length > 0)
      principals.push({ keys, label: `@${mention.mentioned?.name ?? mention.mentioned?.id}` });
  }
  const repos: string[] = [];
  for (const token of rest.split(/[\s,]+/).filter((t) => t !== '')) {
    if (/^everyone$/i.test(token)) principals.push({ keys: [EVERYONE], label: 'everyone' });
    else if (UPN.test(token))
      principals.push({ keys: [`upn:${token.toLowerCase()}`], label: token.toLowerCase() });
    else if (verb === 'allow' && REPO_SCOPE.test(token)) repos.push(token.toLowerCase());
    else
      return {
        ok: false,
        error: `I don't know what "${token}" is here. Name people with an @mention, a sign-in name (megan@contoso.com) or \`everyone\`${verb === 'allow' ? ', then repositories as owner/repo or owner' : ''}.`,
      };
  }
  if (principals.length === 0)
    return {
      ok: false,
      error: `Say who: \`${verb} @someone\`, \`${verb} megan@contoso.com\` or \`${verb} everyone\`.`,
    };
  return {
    ok: true,
    command:
      verb === 'allow' ? { kind: 'allow', principals, repos } : { kind: 'disallow', principals },
  };
}

/** The Teams user an activity comes from. */
export function teamsUserOf(activity: Partial<Activity>): TeamsUser {
  const from = activity.from;
  return {
    aadObjectId: from?.aadObjectId || undefined,
    teamsId: from?.id || undefined,
    name: from?.name || undefined,
  };
}

const ADMIN_HINT =
  'Only an admin of this conversation can change who may write: the person who installed Reynolds here, or one listed in ADMIN_AAD_IDS.';
const TREAT_ADMIN_HINT =
  'Only an admin can say how the loop guard sees a GitHub account: the person who installed Reynolds here, or one listed in ADMIN_AAD_IDS.';

/** Runs a parsed command and returns the reply. */
export async function runIdentityCommand(
  book: IdentityBook,
  tenantId: string,
  conversationId: string,
  user: TeamsUser,
  command: IdentityCommand,
  actors?: ActorOverrides,
): Promise<string> {
  const aad = user.aadObjectId;
  switch (command.kind) {
    case 'treat': {
      if (!book.isAdmin(user, await book.policy(tenantId, conversationId))) return TREAT_ADMIN_HINT;
      if (!actors) return 'The loop guard is not running here, so there is nobody to tell.';
      await actors.set(tenantId, command.login, command.as, aad ?? user.teamsId ?? 'unknown');
      return command.as === 'bot'
        ? `Noted: the loop guard treats **${command.login}** as a bot from now on (its events can link into loops and be stopped), whatever GitHub says its account type is.`
        : `Noted: the loop guard treats **${command.login}** as a person from now on: its events always start fresh conversations and never count as a bot's, whatever it does.`;
    }
    case 'link':
      // Self-asserted links are over: GitHub's sign-in proves who someone is (src/identity/).
      return linkReplacedLine();
    case 'unlink':
      if (!aad) return 'Teams did not tell me who you are, so there is nothing to unlink.';
      return (await book.unlink(tenantId, aad))
        ? 'Unlinked. I will not write to GitHub for you until you link again.'
        : 'You had no GitHub login linked; nothing to undo.';
    case 'who':
      return whoCanWrite(book, tenantId, conversationId);
    case 'allow': {
      if (!book.isAdmin(user, await book.policy(tenantId, conversationId))) return ADMIN_HINT;
      for (const principal of command.principals) {
        await book.allow(tenantId, conversationId, {
          keys: principal.keys,
          label: principal.label,
          repos: command.repos,
          addedBy: aad!,
        });
      }
      const where = command.repos.length === 0 ? 'any repository' : command.repos.join(', ');
      return `Done: ${command.principals.map((p) => p.label).join(', ')} may now write to ${where} from this conversation (once they've signed in to GitHub with \`sign in\`).`;
    }
    case 'disallow': {
      if (!book.isAdmin(user, await book.policy(tenantId, conversationId))) return ADMIN_HINT;
      const removed = await book.disallow(
        tenantId,
        conversationId,
        command.principals.flatMap((p) => p.keys),
      );
      const who = command.principals.map((p) => p.label).join(', ');
      return removed === 0
        ? `${who} had no entry here; nothing changed.`
        : `Done: ${who} may no longer write from this conversation (admins still can).`;
    }
  }
}

async function whoCanWrite(
  book: IdentityBook,
  tenantId: string,
  conversationId: string,
): Promise<string> {
  const policy = await book.policy(tenantId, conversationId);
  const lines = [
    'Who may write to GitHub from this conversation (each also needs to `sign in` to GitHub):',
  ];
  lines.push(
    policy.installer
      ? '- admins: whoever installed me here, and the tenant admins (ADMIN_AAD_IDS)'
      : '- admins: the tenant admins (ADMIN_AAD_IDS); I did not see who installed me here',
  );
  if (policy.allow.length === 0)
    lines.push(
      '- nobody else yet: an admin can say `allow @someone [owner/repo]` or `allow everyone`',
    );
  for (const entry of policy.allow)
    lines.push(
      `- ${entry.label}: ${entry.repos.length === 0 ? 'any repository' : entry.repos.join(', ')}`,
    );
  return lines.join('\n');
}

/** Registers the commands on the Teams AI application (before its catch-all message route). */
export function registerIdentityCommands(
  app: Application<TurnState>,
  deps: {
    identity: IdentityBook;
    tenantOf: (context: TurnContext) => string | undefined;
    actors?: ActorOverrides;
  },
): void {
  app.message(IDENTITY_COMMAND, async (context) => {
    const tenantId = deps.tenantOf(context);
    if (!tenantId) return; // the app's beforeTurn already answered an activity from another tenant
    const botId = context.activity.recipient?.id;
    const mentions = ((context.activity.entities ?? []) as MentionLike[]).filter(
      (e) => e.type === 'mention' && e.mentioned?.id !== botId,
    );
    const parsed = parseIdentityCommand(context.activity.text ?? '', mentions);
    if (!parsed.ok) {
      await context.sendActivity(parsed.error);
      return;
    }
    const conversationId = conversationScopeId(context.activity.conversation.id);
    await context.sendActivity(
      await runIdentityCommand(
        deps.identity,
        tenantId,
        conversationId,
        teamsUserOf(context.activity),
        parsed.command,
        deps.actors,
      ),
    );
  });
}
