/**
 * The chat commands of noise control: parsing and applying them to a conversation's settings.
 *   quiet                      quiet for an hour
 *   quiet for 2h | 90m | 1h30m quiet for that long (at most 7 days)
 *   quiet until 18:00          until the next 18:00 in the conversation's time zone
 *   quiet off                  loud again (quiet hours, if set, still apply)
 *   quiet hours 22:00-07:00    every day; `quiet hours off` removes them
 *   timezone Europe/Berlin     the conversation's IANA zone (default UTC)
 *   digest at 08:30 | digest off | digest on | digest now
 */
import {
  type ChannelSettings,
  type ChannelSettingsBook,
  isValidTimeZone,
  nextLocal,
  type TimeOfDay,
} from './channel-settings.js';

export type NoiseCommand =
  | { kind: 'quiet_until'; until?: TimeOfDay; forMs?: number }
  | { kind: 'quiet_off' }
  | { kind: 'quiet_hours'; from: TimeOfDay; to: TimeOfDay }
  | { kind: 'quiet_hours_off' }
  | { kind: 'timezone'; zone: string }
  | { kind: 'digest_at'; at: TimeOfDay }
  | { kind: 'digest_off' }
  | { kind: 'digest_on' }
  | { kind: 'digest_now' };

export type ParsedNoiseCommand = { ok: true; command: NoiseCommand } | { ok: false; error: string };

/** Messages this module answers (the Teams app routes them here). */
export const NOISE_COMMAND = /^\s*(quiet|timezone|time zone|digest)\b/i;

const DEFAULT_QUIET_MS = 3600_000;
const MAX_QUIET_MS = 7 * 24 * 3600_000;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function timeOfDay(text: string): TimeOfDay | undefined {
  const m = TIME.exec(text);
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : undefined;
}

function duration(text: string): number | undefined {
  const m = /^(?:(\d+)\s*h(?:ours?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?$/i.exec(
    text.replace(/\s+/g, ''),
  );
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60_000;
}

export function parseNoiseCommand(input: string): ParsedNoiseCommand {
  const words = input
    .trim()
    .replace(/^time zone\b/i, 'timezone')
    .split(/\s+/);
  const [verb, ...rest] = words;
  const arg = rest.join(' ');
  const lower = arg.toLowerCase();
  switch (verb?.toLowerCase()) {
    case 'quiet': {
      if (arg === '')
        return { ok: true, command: { kind: 'quiet_until', forMs: DEFAULT_QUIET_MS } };
      if (lower === 'off') return { ok: true, command: { kind: 'quiet_off' } };
      if (lower.startsWith('hours')) {
        const span = arg.slice(5).trim();
        if (span.toLowerCase() === 'off') return { ok: true, command: { kind: 'quiet_hours_off' } };
        const [from, to] = span.split(/\s*-\s*/).map(timeOfDay);
        if (!from || !to || from === to)
          return {
            ok: false,
            error:
              'quiet hours want a start and an end, like `quiet hours 22:00-07:00` (or `quiet hours off`)',
          };
        return { ok: true, command: { kind: 'quiet_hours', from, to } };
      }
      if (lower.startsWith('until')) {
        const until = timeOfDay(arg.slice(5).trim());
        return until
          ? { ok: true, command: { kind: 'quiet_until', until } }
          : { ok: false, error: 'quiet until wants a 24-hour time, like `quiet until 18:00`' };
      }
      if (lower.startsWith('for')) {
        const ms = duration(arg.slice(3).trim());
        if (ms === undefined || ms <= 0)
          return {
            ok: false,
            error: 'quiet for wants hours or minutes, like `quiet for 2h` or `quiet for 45m`',
          };
        if (ms > MAX_QUIET_MS)
          return {
            ok: false,
            error: 'quiet for at most 7 days (for longer, `unsubscribe` is kinder)',
          };
        return { ok: true, command: { kind: 'quiet_until', forMs: ms } };
      }
      return {
        ok: false,
        error:
          'try `quiet`, `quiet for 2h`, `quiet until 18:00`, `quiet off` or `quiet hours 22:00-07:00`',
      };
    }
    case 'timezone': {
      if (arg === '' || !isValidTimeZone(arg))
        return {
          ok: false,
          error: `\`${arg || '(nothing)'}\` is not a time zone I know: use an IANA name like \`Europe/Berlin\` or \`America/New_York\``,
        };
      // Intl gives the canonical spelling (`europe/berlin` → `Europe/Berlin`).
      return {
        ok: true,
        command: {
          kind: 'timezone',
          zone: new Intl.DateTimeFormat('en-US', { timeZone: arg }).resolvedOptions().timeZone,
        },
      };
    }
    case 'digest': {
      if (lower === 'off') return { ok: true, command: { kind: 'digest_off' } };
      if (lower === 'on') return { ok: true, command: { kind: 'digest_on' } };
      if (lower === 'now') return { ok: true, command: { kind: 'digest_now' } };
      if (lower.startsWith('at')) {
        const at = timeOfDay(arg.slice(2).trim());
        if (at) return { ok: true, command: { kind: 'digest_at', at } };
      }
      return {
        ok: false,
        error: 'try `digest at 08:30`, `digest off`, `digest on` or `digest now`',
      };
    }
    default:
      return { ok: false, error: 'that is not a quiet, timezone or digest command' };
  }
}

/** Applies a settings command (not `digest_now`, which is an act) and returns the new settings. */
export async function applyNoiseCommand(
  book: ChannelSettingsBook,
  tenantId: string,
  conversationId: string,
  command: Exclude<NoiseCommand, { kind: 'digest_now' }>,
  now: number,
): Promise<ChannelSettings> {
  return book.change(tenantId, conversationId, (current) => {
    switch (command.kind) {
      case 'quiet_until':
        return {
          ...current,
          quietUntil: command.until
            ? nextLocal(now, command.until, current.timeZone)
            : now + command.forMs!,
        };
      case 'quiet_off': {
        const { quietUntil: _off, ...rest } = current;
        return rest;
      }
      case 'quiet_hours':
        return { ...current, quietHours: { from: command.from, to: command.to } };
      case 'quiet_hours_off': {
        const { quietHours: _off, ...rest } = current;
        return rest;
      }
      case 'timezone':
        return { ...current, timeZone: command.zone };
      case 'digest_at':
        return { ...current, digestAt: command.at, digestOff: false };
      case 'digest_off':
        return { ...current, digestOff: true };
      case 'digest_on':
        return { ...current, digestOff: false };
    }
  });
}
