/**
 * The person-link book: records of kind `person_link`, partitioned by tenant, one per Teams user
 * (`aad:<object id>`), each holding the verified link and the sealed token. One record, so the
 * link and its token are written and forgotten together, and every replica reads the same.
 *
 * It also answers the reverse question personal notifications need: which Teams user is GitHub
 * login X, or GitHub user id N (`byLogin`, `byGithubId`). One GitHub account links to at most
 * one Teams user per tenant: a new sign-in as the same GitHub user replaces the older link.
 */
import type { Store } from '../store/store.js';
import type { PersonLink } from './person-link.js';
import type { SealedToken } from './token-vault.js';

/** What the record stores: the link, a lower-case login to query by, and the sealed token. */
export interface PersonLinkData extends PersonLink {
  loginLower: string;
  sealed: SealedToken;
}

export interface StoredPersonLink {
  link: PersonLink;
  sealed: SealedToken;
}

const KIND = 'person_link' as const;
const idOf = (aadObjectId: string) => `aad:${aadObjectId.toLowerCase()}`;

export class PersonLinks {
  constructor(private readonly store: Store) {}

  /** Saves the link and its sealed token, replacing this person's earlier one and any other Teams user's link to the same GitHub user. */
  async save(link: PersonLink, sealed: SealedToken): Promise<void> {
    const aad = link.aadObjectId.toLowerCase();
    const data: PersonLinkData = {
      ...link,
      aadObjectId: aad,
      loginLower: link.login.toLowerCase(),
      sealed,
    };
    // Kept until sign-out; an expiring GitHub App token is useless once its refresh token is too.
    const expiresAt = link.refreshTokenExpiresAt;
    await this.store.putRecord({
      kind: KIND,
      tenantId: link.tenantId,
      partition: link.tenantId,
      id: idOf(aad),
      data,
      ...(expiresAt !== undefined && { expiresAt }),
    });
    for (const other of await this.store.queryRecords<PersonLinkData>({
      kind: KIND,
      tenantId: link.tenantId,
      partition: link.tenantId,
      where: { githubId: link.githubId },
      limit: 20,
    })) {
      if (other.data.aadObjectId !== aad)
        await this.store.deleteRecord(KIND, link.tenantId, other.id);
    }
  }

  async get(tenantId: string, aadObjectId: string): Promise<StoredPersonLink | undefined> {
    const record = await this.store.getRecord<PersonLinkData>(KIND, tenantId, idOf(aadObjectId));
    return record ? split(record.data) : undefined;
  }

  /** Which Teams user signed in as this GitHub login (case-insensitive, as GitHub logins are). */
  async byLogin(tenantId: string, login: string): Promise<PersonLink | undefined> {
    const [record] = await this.store.queryRecords<PersonLinkData>({
      kind: KIND,
      tenantId,
      partition: tenantId,
      where: { loginLower: login.toLowerCase() },
      limit: 1,
    });
    return record ? split(record.data).link : undefined;
  }

  /** Which Teams user signed in as this GitHub user id (survives a login rename). */
  async byGithubId(tenantId: string, githubId: number): Promise<PersonLink | undefined> {
    const [record] = await this.store.queryRecords<PersonLinkData>({
      kind: KIND,
      tenantId,
      partition: tenantId,
      where: { githubId },
      limit: 1,
    });
    return record ? split(record.data).link : undefined;
  }

  /** Forgets the link and its token; returns whether there was one. */
  async remove(tenantId: string, aadObjectId: string): Promise<boolean> {
    return this.store.deleteRecord(KIND, tenantId, idOf(aadObjectId));
  }
}

function split(data: PersonLinkData): StoredPersonLink {
  const { loginLower: _login, sealed, ...link } = data;
  return { link, sealed };
}
