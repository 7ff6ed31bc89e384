/**
 * Who acts for a card click: the clicking person, with their own GitHub token from their verified
 * sign-in (src/identity/), so GitHub applies their permissions and shows them as the author.
 * Resolves the token (refreshed if it is about to expire) into a writer behind the write guard,
 * or says, in Reynolds's voice, why there is none.
 */
import type { SignInService } from '../../identity/sign-in-service.js';
import type { GuardedGitHub } from '../../loops/guarded-github.js';
import {
  signInNotConfiguredLine,
  tokenExpiredLine,
  tokenUnreadableLine,
} from '../../persona/sign-in-replies.js';
import type { GitHubLink } from '../identity/write-permission.js';

export interface ActingPersonDeps {
  /** Verified sign-in; absent when GITHUB_OAUTH_CLIENT_ID is not set: nobody can act. */
  signIn?: SignInService;
  /** The guarded GitHub writer acting with a person's token (src/composition builds it). */
  writerFor?: (token: string) => GuardedGitHub;
}

export type ActingPerson =
  /** Signed in, token at hand; `link` feeds the write permission (proof: github). */
  | { kind: 'person'; link: GitHubLink; github: GuardedGitHub }
  /** Not signed in (or only a self-asserted login): the permission check says "sign in to act". */
  | { kind: 'none' }
  | { kind: 'refused'; text: string; detail?: string };

/** A chat line as a card's detail: cards escape markdown, so the chat's **bold** would show its asterisks. */
export function cardLine(line: string): string {
  return line.replaceAll('**', '');
}

export async function actingPerson(
  deps: ActingPersonDeps,
  tenantId: string,
  aadObjectId: string | undefined,
): Promise<ActingPerson> {
  if (!deps.signIn || !deps.writerFor)
    return {
      kind: 'refused',
      text: 'Not done: GitHub sign-in is not set up here, so nobody can act as themselves yet.',
      detail: cardLine(signInNotConfiguredLine()),
    };
  if (!aadObjectId) return { kind: 'none' };
  const lookup = await deps.signIn.tokenFor(tenantId, aadObjectId);
  switch (lookup.kind) {
    case 'token':
      return {
        kind: 'person',
        link: {
          aadObjectId,
          login: lookup.link.login,
          proof: 'github',
          linkedAt: lookup.link.verifiedAt,
        },
        github: deps.writerFor(lookup.token),
      };
    case 'none':
      return { kind: 'none' };
    case 'expired':
      return {
        kind: 'refused',
        text: 'Not done: your GitHub sign-in has lapsed.',
        detail: cardLine(tokenExpiredLine(lookup.login)),
      };
    case 'unreadable':
      return {
        kind: 'refused',
        text: 'Not done: your GitHub sign-in could not be read.',
        detail: cardLine(tokenUnreadableLine()),
      };
    case 'unavailable':
      return {
        kind: 'refused',
        text: 'Not done: GitHub could not be reached to renew your sign-in; nothing was written.',
        detail: 'Try again in a minute.',
      };
  }
}
