/**
 * The sign-in chat commands, in any chat:
 *   sign in     starts GitHub's device flow: a card with the code and link; when the person has
 *               approved on GitHub, a follow-up in the same conversation says who they are
 *   sign out    revokes the token at GitHub and forgets the link
 *   whoami      who Reynolds thinks you are on GitHub, verified or not
 * Parsing is pure (parseSignInCommand), answering returns what to say (runSignInCommand), and the
 * registration sends it; the follow-up goes out proactively, as the turn is long over by then.
 */
import type { Application, TurnState } from '@microsoft/teams-ai';
import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import type { Logger } from '../../log.js';
import { GitHubOAuthError } from '../../identity/github-oauth.js';
import type { SignInOutcome, SignInService } from '../../identity/sign-in-service.js';
import * as lines from '../../persona/sign-in-replies.js';
import { type AdaptiveCardJson } from '../cards/alert-card.js';
import { buildSignInCard } from '../cards/sign-in-card.js';
import type { IdentityBook } from './identity-book.js';
import { teamsUserOf } from './identity-commands.js';
import type { TeamsUser } from './write-permission.js';

export const SIGN_IN_COMMAND = /^\s*(sign\s*-?\s*in|sign\s*-?\s*out|who\s*am\s*i)\s*[.!?]*\s*$/i;

export type SignInCommand = 'sign_in' | 'sign_out' | 'whoami';

export function parseSignInCommand(text: string): SignInCommand | undefined {
  const match = SIGN_IN_COMMAND.exec(text);
  if (!match) return undefined;
  const verb = match[1]!.toLowerCase().replace(/[\s-]+/g, '');
  return verb === 'signin' ? 'sign_in' : verb === 'signout' ? 'sign_out' : 'whoami';
}

export interface SignInCommandDeps {
  /** Absent when GITHUB_OAUTH_CLIENT_ID is not set: `sign in` says so. */
  signIn?: SignInService;
  /** The old self-asserted links: `whoami` names them as unverified; `sign out` drops them too. */
  identity: IdentityBook;
  logger: Logger;
}

export type SignInReply =
  | { text: string }
  /** The sign-in card now; `followUp` settles (never rejects) with what to say when the flow ends. */
  | { card: AdaptiveCardJson; text: string; followUp: Promise<string> };

/** What to answer; never throws for GitHub trouble (that is a line), only for a broken store. */
export async function runSignInCommand(
  deps: SignInCommandDeps,
  command: SignInCommand,
  tenantId: string,
  user: TeamsUser,
  shared: boolean,
): Promise<SignInReply> {
  const aad = user.aadObjectId;
  switch (command) {
    case 'whoami': {
      if (!aad) return { text: lines.anonymousSignInLine() };
      const verified = await deps.signIn?.whoami(tenantId, aad);
      if (verified) return { text: lines.whoamiLine(verified) };
      const legacy = await deps.identity.linkOf(tenantId, aad);
      return { text: legacy ? lines.whoamiUnverifiedLine(legacy.login) : lines.whoamiNobodyLine() };
    }
    case 'sign_out': {
      if (!aad) return { text: lines.anonymousSignInLine() };
      const hadLegacy = await deps.identity.unlink(tenantId, aad);
      const outcome = deps.signIn
        ? await deps.signIn.signOut(tenantId, aad)
        : { kind: 'not_signed_in' as const };
      if (outcome.kind === 'signed_out') return { text: lines.signedOutLine(outcome.login) };
      if (outcome.kind === 'forgotten_only')
        return { text: lines.signedOutLocallyLine(outcome.login) };
      return { text: hadLegacy ? lines.legacyLinkForgottenLine() : lines.notSignedInLine() };
    }
    case 'sign_in': {
      if (!deps.signIn) return { text: lines.signInNotConfiguredLine() };
      if (!aad) return { text: lines.anonymousSignInLine() };
      let started;
      try {
        started = await deps.signIn.start(tenantId, aad);
      } catch (error) {
        if (!(error instanceof GitHubOAuthError)) throw error;
        deps.logger.warn(
          { err: error, kind: error.kind },
          'GitHub gave no device code; sign-in not started',
        );
        return {
          text: lines.signInUnavailableLine(
            error.kind === 'misconfigured' ? 'misconfigured' : 'unreachable',
          ),
        };
      }
      const minutes = Math.max(1, Math.floor(started.code.expiresInSeconds / 60));
      const followUp = started.done.then(
        (outcome) => outcomeLine(outcome, user.name),
        (error: unknown) => {
          deps.logger.error({ err: error }, 'sign-in failed after the code was shown');
          return lines.signInFailedLine();
        },
      );
      return {
        card: buildSignInCard({
          userCode: started.code.userCode,
          verificationUri: started.code.verificationUri,
          minutes,
          shared,
        }),
        text: lines.signInStartedLine(minutes),
        followUp,
      };
    }
  }
}

function outcomeLine(outcome: SignInOutcome, name: string | undefined): string {
  switch (outcome.kind) {
    case 'signed_in':
      return lines.signedInLine(outcome.link.login, name);
    case 'expired':
      return lines.signInExpiredLine();
    case 'denied':
      return lines.signInDeniedLine();
    case 'unavailable':
      return lines.signInUnavailableLine(outcome.reason);
    case 'cancelled':
      return lines.signInReplacedLine();
  }
}

/** Registers the commands on the Teams AI application (before its catch-all message route). */
export function registerSignInCommands(
  app: Application<TurnState>,
  deps: SignInCommandDeps & {
    botAppId: string;
    tenantOf: (context: TurnContext) => string | undefined;
  },
): void {
  app.message(SIGN_IN_COMMAND, async (context) => {
    const tenantId = deps.tenantOf(context);
    if (!tenantId) return; // the app's beforeTurn already answered an activity from another tenant
    const command = parseSignInCommand(context.activity.text ?? '')!;
    const shared =
      context.activity.conversation?.conversationType === 'channel' ||
      context.activity.conversation?.conversationType === 'groupChat';
    const reply = await runSignInCommand(
      deps,
      command,
      tenantId,
      teamsUserOf(context.activity),
      shared,
    );
    if (!('card' in reply)) {
      await context.sendActivity(reply.text);
      return;
    }
    await context.sendActivity(
      MessageFactory.attachment(CardFactory.adaptiveCard(reply.card), reply.text),
    );
    const reference = TurnContext.getConversationReference(context.activity);
    const adapter = context.adapter as unknown as {
      continueConversationAsync(
        botAppId: string,
        reference: unknown,
        logic: (context: TurnContext) => Promise<void>,
      ): Promise<void>;
    };
    void reply.followUp
      .then((text) =>
        adapter.continueConversationAsync(
          deps.botAppId,
          reference,
          async (later) => void (await later.sendActivity(text)),
        ),
      )
      .catch((err: unknown) =>
        deps.logger.warn({ err }, 'could not post the sign-in result; the person can say whoami'),
      );
  });
}
