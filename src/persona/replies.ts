/**
 * Reynolds's voice: the fixed lines it says when no model is writing. Witty, warm and brief, and
 * never at the cost of the facts: every line still tells the user what is true and what to do.
 */
export const PERSONA_NAME = 'Reynolds';
export const CATCHPHRASE = 'Maximum Effort';

export function welcomeLine(): string {
  return (
    `Hey team, ${PERSONA_NAME} here: your GitHub-to-Teams coordinator, now with ${CATCHPHRASE}™. ` +
    'I watch your repos so you do not have to, post what matters in the right thread, and stop bot ping-pong before it starts. ' +
    'Say **help** to see what I can do.'
  );
}

export function greetingLine(userName?: string): string {
  const who = userName ? userName.split(' ')[0] : 'friend';
  return `Hey ${who}! ${PERSONA_NAME} reporting for duty, ${CATCHPHRASE.toLowerCase()} engaged. Say **help** and I will show you the good stuff.`;
}

export function helpLines(): string {
  return [
    `Here is what ${PERSONA_NAME} can do for you (no capes, just webhooks):`,
    '- **help**: this list, now with 100% more charm',
    '- **status**: how I am doing: health, queue, store, model pool',
    '- **look up owner/repo#123** (or paste a GitHub link): a PR or issue with its checks, reviewers and event chain',
    '- **summarize owner/repo#123**: what a PR changes, in a few lines',
    '- **who should review owner/repo#123**: code owners of the changed files, and why',
    '- **recent chains** / **why was chain <id> stopped**: what the loop breaker saw and did',
    '- **digest now** · **pilot status**: the digest early; whether your repos get AI enrichment',
    '- **subscribe owner/repo** [features] [+label:x] [-label:y] [branch:main] [author:login] [priority:P1]: alerts for this conversation (or **subscribe owner** for a whole org)',
    '- **unsubscribe owner/repo** [features]: fewer alerts, or none',
    '- **subscriptions**: what this conversation gets',
    '- **sign in** (then **whoami**, **sign out**): prove who you are on GitHub, so you can act from cards as yourself (comment, close, approve); **who can write** shows who may; admins say **allow @someone [owner/repo]**',
    '- **quiet** [for 2h | until 18:00 | off], **quiet hours 22:00-07:00**: only P0 alerts get through; the rest waits for a summary',
    '- **timezone Europe/Berlin**: the clock quiet hours and the digest follow',
    '- **digest at 08:30** | **digest off** | **digest now**: the daily digest of what is waiting',
    '',
    'Features: issues, pulls, reviews, comments, commits, releases, deployments, workflows, discussions, security.',
    'Plain English works too: "who should review acme/app#12?" In channels and group chats, @mention me.',
  ].join('\n');
}

export function statusLine(status: {
  store: string;
  ready: boolean;
  pending: number;
  processing: number;
  failed: number;
}): string {
  const mood = status.ready ? 'Fighting fit' : 'Limping a little';
  return (
    `${mood}. Store: ${status.store} (${status.ready ? 'reachable' : 'NOT reachable'}). ` +
    `Inbox: ${status.pending} waiting, ${status.processing} in progress, ${status.failed} parked as failed` +
    (status.failed > 0 ? ': someone should look at those, and by someone I mean an admin.' : '.')
  );
}

export function errorLine(): string {
  return `Well, that did not go to plan. Something broke on my side while handling that; it has been logged. Try again in a moment; if it keeps happening, tell an admin.`;
}

export function subscribedLine(status: 'created' | 'updated' | 'unchanged', what: string): string {
  if (status === 'unchanged')
    return `Already on it: this conversation gets ${what}. Nothing changed.`;
  if (status === 'updated')
    return `Updated. This conversation now gets ${what}. Same great coordinator, new instructions.`;
  return `Done: this conversation now gets ${what}. I will keep it quiet unless it matters.`;
}

export function unsubscribedLine(
  status: 'removed' | 'reduced' | 'not_found',
  scope: string,
  remaining?: string,
): string {
  if (status === 'not_found')
    return `This conversation has no subscription to ${scope}, so there is nothing to stop. Say **subscriptions** to see what it has.`;
  if (status === 'reduced') return `Trimmed. ${scope} now sends ${remaining}.`;
  return `Unsubscribed from ${scope}. It was fun while it lasted.`;
}

export function syntaxErrorLine(problem: string): string {
  return `I could not read that. ${problem}`;
}

export function wrongTenantLine(): string {
  return 'This Reynolds works for another organization, so I cannot take instructions from here. Ask your admin to install your own.';
}

/** After a quiet/timezone/digest setting changed: what is true now, in the conversation's zone. */
export function noiseSettingsLine(
  change:
    | 'quiet_until'
    | 'quiet_off'
    | 'quiet_hours'
    | 'quiet_hours_off'
    | 'timezone'
    | 'digest_at'
    | 'digest_off'
    | 'digest_on',
  settings: {
    timeZone: string;
    quietUntil?: number;
    quietHours?: { from: string; to: string };
    digestAt?: string;
    digestOff?: boolean;
  },
  defaultDigestAt: string,
): string {
  const clock = (at: number) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: settings.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    }).format(new Date(at));
  const hours = settings.quietHours
    ? ` Quiet hours stay on: ${settings.quietHours.from}-${settings.quietHours.to}.`
    : '';
  switch (change) {
    case 'quiet_until':
      return `Shh. Quiet until ${clock(settings.quietUntil!)} (${settings.timeZone}): only P0 alerts get through; everything else waits and I will summarise it when the quiet ends. Nothing gets lost.`;
    case 'quiet_off':
      return `Volume back up. Anything I held comes as one summary card shortly.${hours}`;
    case 'quiet_hours':
      return `Quiet hours set: ${settings.quietHours!.from}-${settings.quietHours!.to} every day (${settings.timeZone}). P0 still wakes you; the rest waits politely.`;
    case 'quiet_hours_off':
      return 'Quiet hours removed. Round-the-clock coverage, Maximum Effort.';
    case 'timezone':
      return `Time zone set to ${settings.timeZone}. Quiet hours and the digest now follow your clock, not mine.`;
    case 'digest_at':
    case 'digest_on':
      return `The daily digest comes at ${settings.digestAt ?? defaultDigestAt} (${settings.timeZone}): waiting reviews, failing branches, stale issues, and who to nudge.`;
    case 'digest_off':
      return 'Daily digest off. Say **digest on** when you miss me (you will).';
  }
}

export function digestQueuedLine(): string {
  return 'One digest, coming right up: it lands here in a moment.';
}
