/**
 * Who may make a change that is not a GitHub write: a conversation's subscriptions (MCP
 * `subscribe`/`unsubscribe`), or a tool of another MCP server that writes (chat). The same people
 * who may act from a card there (write-permission.ts), minus the GitHub link, which only matters
 * when Reynolds writes to GitHub in someone's name: an admin of the conversation (tenant-wide
 * ADMIN_AAD_IDS or its installer), or someone its allow-list covers for the repository.
 */
import type { IdentityBook } from './identity-book.js';
import { EVERYONE, coversRepo, principalKeys, type TeamsUser } from './write-permission.js';

export type ChangeDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * `repo` is `owner/name` when the change concerns one repository; undefined means any, which only
 * an admin or an allow entry without repositories covers.
 */
export async function mayChange(
  identity: IdentityBook,
  tenantId: string,
  user: TeamsUser,
  conversationId: string,
  repo: string | undefined,
  what: string,
): Promise<ChangeDecision> {
  if (!user.aadObjectId)
    return {
      allowed: false,
      reason: `I do not know who you are, so I cannot ${what} for you. Sign in with your work account.`,
    };
  const policy = await identity.policy(tenantId, conversationId);
  if (identity.isAdmin(user, policy)) return { allowed: true };
  const keys = new Set(principalKeys(user));
  const mine = policy.allow.filter((entry) =>
    entry.keys.some((key) => key === EVERYONE || keys.has(key)),
  );
  if (
    mine.some((entry) => (repo === undefined ? entry.repos.length === 0 : coversRepo(entry, repo)))
  )
    return { allowed: true };
  const target = repo ?? 'any repository';
  return {
    allowed: false,
    reason:
      mine.length === 0
        ? `This conversation hasn't allowed you to ${what}; ask an admin of it: \`@Reynolds allow @you${repo ? ` ${repo}` : ''}\`.`
        : `This conversation allows you to change only ${mine.flatMap((e) => e.repos).join(', ')}, not ${target}; ask an admin of it: \`@Reynolds allow @you${repo ? ` ${repo}` : ''}\`.`,
  };
}
