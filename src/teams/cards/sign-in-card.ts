/**
 * The sign-in card: GitHub's user code, the verification link and how long the code lasts, so a
 * person can approve Reynolds on GitHub (device flow). Plain Adaptive Card JSON; the code and link
 * come from GitHub and are shown escaped. Carries no token, ever.
 */
import type { AdaptiveCardJson } from './alert-card.js';
import { link, plain, safeUrl } from './card-text.js';

export interface SignInCardInput {
  userCode: string;
  verificationUri: string;
  /** Whole minutes the code stays valid. */
  minutes: number;
  /** In a channel or group chat others can see the card: say so. */
  shared: boolean;
}

export function buildSignInCard(input: SignInCardInput): AdaptiveCardJson {
  const url = safeUrl(input.verificationUri);
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: 'Sign in to GitHub', weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'TextBlock',
      text: `1. Open ${link(input.verificationUri, input.verificationUri)}`,
      wrap: true,
    },
    { type: 'TextBlock', text: '2. Enter this code:', wrap: true },
    {
      type: 'TextBlock',
      text: plain(input.userCode, 32),
      size: 'ExtraLarge',
      weight: 'Bolder',
      fontType: 'Monospace',
      horizontalAlignment: 'Center',
      wrap: true,
    },
    {
      type: 'TextBlock',
      text: `3. Approve Reynolds. The code works for ${input.minutes} minute${input.minutes === 1 ? '' : 's'}; I'll confirm here.`,
      wrap: true,
    },
  ];
  if (input.shared)
    body.push({
      type: 'TextBlock',
      text: 'Others here can see this code: whoever enters it links their GitHub account to you, so check the name I confirm (or sign in from a personal chat with me).',
      isSubtle: true,
      size: 'Small',
      wrap: true,
    });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(url ? { actions: [{ type: 'Action.OpenUrl', title: 'Open GitHub', url }] } : {}),
  };
}
