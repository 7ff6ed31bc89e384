/**
 * Who may write to GitHub from Teams: the pure decision, over facts the identity book loads. No
 * framework, no store: a table test covers it (tests/teams/write-permission.test.ts).
 *
 * The rules, in order:
 * 1. Teams must tell us who the user is (an Entra object id). Anonymous and some guest users have
 *    none: refused.
 * 2. The user must have signed in to GitHub (`sign in`, the device flow in src/identity/): the
 *    link is verified by GitHub, and the write goes out with the person's own token. Links people
 *    once asserted themselves (`link github <login>`, before sign-in existed) do not count.
 * 3. An admin of the conversation may write to any repository: a tenant-wide admin (ADMIN_AAD_IDS)
 *    or the person who installed Reynolds there (in a personal chat, that is its owner).
 * 4. Anyone else needs an entry in the conversation's allow-list (`allow @user`, `allow everyone`)
 *    that covers the repository (no repositories listed = any; `owner` covers all its repositories).
 */

export type WriteAct = 'comment' | 'close' | 'reopen' | 'approve' | 'request_changes';

/** The Teams user as the activity names them; any of the keys may match an allow-list entry. */
export interface TeamsUser {
  aadObjectId?: string;
  /** The Teams user id (`29:...`), stable per bot; mentions carry it. */
  teamsId?: string;
  /** The user principal name, when known (from an allow entry's own wording, or a roster lookup). */
  upn?: string;
  name?: string;
}

export interface GitHubLink {
  aadObjectId: string;
  login: string;
  /** `self-asserted`: typed by the user before sign-in existed, cannot act; `github`: verified by GitHub's device flow. */
  proof: 'self-asserted' | 'github';
  linkedAt: number;
}

export interface AllowEntry {
  /** Principal keys: `aad:<id>`, `teams:<id>`, `upn:<lower-case upn>`, or `*` for everyone. */
  keys: string[];
  /** How people see it: `@Megan Bowen`, `megan@contoso.com`, `everyone`. */
  label: string;
  /** `owner/repo` or `owner`, lower-case; empty means any repository. */
  repos: string[];
  addedBy: string;
  addedAt: number;
}

export interface ConversationPolicy {
  /** Entra object id of the person who installed Reynolds in the conversation, when seen. */
  installer?: string;
  allow: AllowEntry[];
}

export interface PermissionFacts {
  link?: GitHubLink;
  policy: ConversationPolicy;
  /** Tenant-wide admins (ADMIN_AAD_IDS), lower-case. */
  tenantAdmins: ReadonlySet<string>;
}

export type RefusalCode = 'anonymous' | 'unlinked' | 'not_allowed';

export type WriteDecision =
  { allowed: true; githubLogin: string } | { allowed: false; code: RefusalCode; reason: string };

export const EVERYONE = '*';

export function principalKeys(user: TeamsUser): string[] {
  const keys: string[] = [];
  if (user.aadObjectId) keys.push(`aad:${user.aadObjectId.toLowerCase()}`);
  if (user.teamsId) keys.push(`teams:${user.teamsId}`);
  if (user.upn) keys.push(`upn:${user.upn.toLowerCase()}`);
  return keys;
}

export function isAdmin(
  user: TeamsUser,
  policy: ConversationPolicy,
  tenantAdmins: ReadonlySet<string>,
): boolean {
  const aad = user.aadObjectId?.toLowerCase();
  if (aad === undefined) return false;
  return tenantAdmins.has(aad) || policy.installer?.toLowerCase() === aad;
}

/** Whether an entry's repositories include `repo` (`owner/name`). */
export function coversRepo(entry: AllowEntry, repo: string): boolean {
  if (entry.repos.length === 0) return true;
  const wanted = repo.toLowerCase();
  const owner = wanted.split('/')[0];
  return entry.repos.some((scope) => scope === wanted || scope === owner);
}

export function mayWrite(
  user: TeamsUser,
  repo: string,
  act: WriteAct,
  facts: PermissionFacts,
): WriteDecision {
  if (!user.aadObjectId) {
    return {
      allowed: false,
      code: 'anonymous',
      reason:
        'Teams did not tell me who you are (anonymous or external access), so I cannot write to GitHub for you. Sign in with your work account and try again.',
    };
  }
  if (!facts.link || facts.link.proof !== 'github') {
    return {
      allowed: false,
      code: 'unlinked',
      reason:
        'Sign in to act: say `@Reynolds sign in`, approve on GitHub, then try again. I act as you, so GitHub needs to know it is you.',
    };
  }
  if (isAdmin(user, facts.policy, facts.tenantAdmins))
    return { allowed: true, githubLogin: facts.link.login };
  const keys = new Set(principalKeys(user));
  const mine = facts.policy.allow.filter((entry) =>
    entry.keys.some((key) => key === EVERYONE || keys.has(key)),
  );
  if (mine.some((entry) => coversRepo(entry, repo)))
    return { allowed: true, githubLogin: facts.link.login };
  return {
    allowed: false,
    code: 'not_allowed',
    reason:
      mine.length === 0
        ? `This conversation hasn't allowed you to write to ${repo} (${actWords(act)}); ask an admin: \`@Reynolds allow @you ${repo}\`.`
        : `This conversation allows you to write only to ${mine.flatMap((e) => e.repos).join(', ')}, not to ${repo}; ask an admin: \`@Reynolds allow @you ${repo}\`.`,
  };
}

export function actWords(act: WriteAct): string {
  return {
    comment: 'comment',
    close: 'close',
    reopen: 'reopen',
    approve: 'approve',
    request_changes: 'request changes',
  }[act];
}
