/**
 * Identity records (kind `identity`, partitioned by tenant): each Teams user's self-asserted GitHub
 * login from before sign-in existed (`link:<aad id>`; kept, shown by `whoami` as unverified, never
 * acts) and each conversation's write policy, its installer and allow-list
 * (`policy:<conversation id>`). `mayWrite` loads the facts, with the person's verified sign-in
 * (src/identity/) when there is one, and asks the pure rules in write-permission.ts.
 */
import type { Clock } from '../../core/clock.js';
import { ConflictError, type Store } from '../../store/store.js';
import {
  type AllowEntry,
  type ConversationPolicy,
  type GitHubLink,
  type TeamsUser,
  type WriteAct,
  type WriteDecision,
  isAdmin,
  mayWrite,
} from './write-permission.js';

/** GitHub's login rule: letters, digits and single inner hyphens, at most 39 characters. */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

const linkId = (aadObjectId: string) => `link:${aadObjectId.toLowerCase()}`;
const policyId = (conversationId: string) => `policy:${conversationId}`;
/** Optimistic-concurrency attempts for a policy edit before giving up (two admins at once). */
const EDIT_ATTEMPTS = 5;

export class IdentityBook {
  private readonly tenantAdmins: ReadonlySet<string>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    tenantAdmins: readonly string[] = [],
  ) {
    this.tenantAdmins = new Set(tenantAdmins.map((id) => id.toLowerCase()));
  }

  async link(tenantId: string, aadObjectId: string, login: string): Promise<GitHubLink> {
    if (!GITHUB_LOGIN.test(login))
      throw new RangeError(
        `"${login}" is not a GitHub login (letters, digits and single hyphens, up to 39 characters)`,
      );
    const link: GitHubLink = {
      aadObjectId,
      login,
      proof: 'self-asserted',
      linkedAt: this.clock.now(),
    };
    await this.store.putRecord({
      kind: 'identity',
      tenantId,
      partition: tenantId,
      id: linkId(aadObjectId),
      data: link,
    });
    return link;
  }

  async unlink(tenantId: string, aadObjectId: string): Promise<boolean> {
    return this.store.deleteRecord('identity', tenantId, linkId(aadObjectId));
  }

  async linkOf(tenantId: string, aadObjectId: string): Promise<GitHubLink | undefined> {
    return (await this.store.getRecord<GitHubLink>('identity', tenantId, linkId(aadObjectId)))
      ?.data;
  }

  async policy(tenantId: string, conversationId: string): Promise<ConversationPolicy> {
    return (
      (
        await this.store.getRecord<ConversationPolicy>(
          'identity',
          tenantId,
          policyId(conversationId),
        )
      )?.data ?? { allow: [] }
    );
  }

  /** The first person seen installing Reynolds in a conversation becomes its admin; later installs change nothing. */
  async noteInstaller(
    tenantId: string,
    conversationId: string,
    aadObjectId: string | undefined,
  ): Promise<void> {
    if (!aadObjectId) return;
    await this.edit(tenantId, conversationId, (policy) =>
      policy.installer ? undefined : { ...policy, installer: aadObjectId },
    );
  }

  /** Reynolds was removed from the conversation: its installer and allow-list go with it. */
  async forgetConversation(tenantId: string, conversationId: string): Promise<void> {
    await this.store.deleteRecord('identity', tenantId, policyId(conversationId));
  }

  isAdmin(user: TeamsUser, policy: ConversationPolicy): boolean {
    return isAdmin(user, policy, this.tenantAdmins);
  }

  /** Adds or widens an entry: an entry with the same keys is replaced. */
  async allow(
    tenantId: string,
    conversationId: string,
    entry: Omit<AllowEntry, 'addedAt'>,
  ): Promise<ConversationPolicy> {
    const added: AllowEntry = { ...entry, addedAt: this.clock.now() };
    return (await this.edit(tenantId, conversationId, (policy) => ({
      ...policy,
      allow: [...policy.allow.filter((e) => !sameKeys(e.keys, added.keys)), added],
    })))!;
  }

  /** Removes every entry that names any of `keys`; returns how many went. */
  async disallow(tenantId: string, conversationId: string, keys: string[]): Promise<number> {
    let removed = 0;
    await this.edit(tenantId, conversationId, (policy) => {
      const kept = policy.allow.filter((e) => !e.keys.some((key) => keys.includes(key)));
      removed = policy.allow.length - kept.length;
      return removed === 0 ? undefined : { ...policy, allow: kept };
    });
    return removed;
  }

  /** `verified`: the person's GitHub sign-in (src/identity/); without it, only a self-asserted link is found, and that cannot act. */
  async mayWrite(
    tenantId: string,
    user: TeamsUser,
    conversationId: string,
    repo: string,
    act: WriteAct,
    verified?: GitHubLink,
  ): Promise<WriteDecision> {
    const [link, policy] = await Promise.all([
      verified ?? (user.aadObjectId ? this.linkOf(tenantId, user.aadObjectId) : undefined),
      this.policy(tenantId, conversationId),
    ]);
    return mayWrite(user, repo, act, { link, policy, tenantAdmins: this.tenantAdmins });
  }

  /** Read, change, write with the etag; retried when someone else wrote in between. `change` returning undefined means no change. */
  private async edit(
    tenantId: string,
    conversationId: string,
    change: (policy: ConversationPolicy) => ConversationPolicy | undefined,
  ): Promise<ConversationPolicy | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.store.getRecord<ConversationPolicy>(
        'identity',
        tenantId,
        policyId(conversationId),
      );
      const current = stored?.data ?? { allow: [] };
      const next = change(current);
      if (next === undefined) return current;
      try {
        await this.store.putRecord(
          {
            kind: 'identity',
            tenantId,
            partition: tenantId,
            id: policyId(conversationId),
            data: next,
          },
          { ifMatch: stored?.etag ?? null },
        );
        return next;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= EDIT_ATTEMPTS) throw error;
      }
    }
  }
}

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((key) => b.includes(key));
}
