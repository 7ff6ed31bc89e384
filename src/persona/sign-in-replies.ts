/**
 * Reynolds's voice for sign-in: `sign in`, `sign out`, `whoami`, and acting from a card without a
 * usable sign-in. Each line is brief, a little cheeky, and then exact about what is true and what
 * to do next. Lines never carry a token.
 */
import { CATCHPHRASE } from './replies.js';

export function signInStartedLine(minutes: number): string {
  return `Let's make it official. Open the link, type the code, approve me on GitHub: you have ${minutes} minute${minutes === 1 ? '' : 's'}. I'll tell you here when it worked.`;
}

export function signedInLine(login: string, name?: string): string {
  return `You're in${name ? `, ${name.split(' ')[0]}` : ''}: signed in as **@${login}** on GitHub, verified by GitHub itself. When you act from a card, I act as you: your permissions, your name on it. Say **sign out** any time.`;
}

export function signInExpiredLine(): string {
  return 'That code ran out before GitHub heard from you (they last 15 minutes). No harm done: say **sign in** for a fresh one.';
}

export function signInDeniedLine(): string {
  return 'You told GitHub no. Respect. Nothing was linked; say **sign in** if you change your mind.';
}

export function signInUnavailableLine(reason: 'unreachable' | 'misconfigured'): string {
  return reason === 'misconfigured'
    ? 'GitHub refused my app settings for sign-in (client id, or device flow switched off). An admin should check docs/admin-sign-in.md; nothing was linked.'
    : 'GitHub is not answering right now, so sign-in could not finish. Not my fault, for once. Say **sign in** again in a minute.';
}

export function signInNotConfiguredLine(): string {
  return 'GitHub sign-in is not set up in this Reynolds yet: an admin sets GITHUB_OAUTH_CLIENT_ID (docs/admin-sign-in.md). Everything else still works.';
}

export function anonymousSignInLine(): string {
  return 'Teams did not tell me who you are (anonymous or external access), so there is nobody to sign in. Use your work account and try again.';
}

export function signedOutLine(login: string): string {
  return `Signed out: GitHub has revoked my token for **@${login}** and I have forgotten it. I will not act as you until you **sign in** again.`;
}

export function signedOutLocallyLine(login: string): string {
  return `Forgotten: I no longer hold a token for **@${login}**. GitHub could not be told just now, so to be thorough revoke Reynolds under GitHub → Settings → Applications.`;
}

export function legacyLinkForgottenLine(): string {
  return 'Done: I forgot the GitHub login you told me earlier (it was never verified). Say **sign in** to link one GitHub vouches for.';
}

export function signInReplacedLine(): string {
  return 'That sign-in was replaced by a newer one (or I was restarting): use the latest code, or say **sign in** again.';
}

export function notSignedInLine(): string {
  return 'You are not signed in, so there is nothing to sign out of. Say **sign in** to link your GitHub account.';
}

export function whoamiLine(link: { login: string; githubId: number; verifiedAt: number }): string {
  return `You are **@${link.login}** on GitHub (user id ${link.githubId}), verified by GitHub sign-in on ${new Date(link.verifiedAt).toISOString().slice(0, 10)}. Card actions go out as you. ${CATCHPHRASE}, personally.`;
}

export function whoamiUnverifiedLine(login: string): string {
  return `You once told me you are **@${login}**, but that was never verified, so I cannot act as you with it. Say **sign in** to prove it with GitHub.`;
}

export function whoamiNobodyLine(): string {
  return 'I do not know your GitHub account yet. Say **sign in** and GitHub will vouch for you.';
}

export function linkReplacedLine(): string {
  return 'Taking your word for it is over: say **sign in** and GitHub confirms who you are, then I can act as you from cards.';
}

export function signInToActLine(): string {
  return 'Sign in to act: say **sign in** to me, approve on GitHub, then click again. I act as you, so GitHub needs to know it is you.';
}

export function tokenExpiredLine(login: string): string {
  return `GitHub no longer accepts my token for **@${login}** (revoked or expired), so I have forgotten it. Say **sign in** again, then click again.`;
}

export function tokenUnreadableLine(): string {
  return 'I could not open your stored sign-in (the key that protects it changed), so I have forgotten it. Say **sign in** again, then click again.';
}

export function signInFailedLine(): string {
  return 'Sign-in hit a snag on my side; it has been logged and nothing was linked. Say **sign in** to try again.';
}
