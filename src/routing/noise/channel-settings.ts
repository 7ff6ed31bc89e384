/**
 * Per-conversation noise settings (`channel_settings` records, one per conversation, partitioned by
 * tenant): the conversation's IANA time zone (default UTC), quiet mode (until a time, and/or daily
 * quiet hours), and the digest time (or off). Time-of-day questions are answered in the
 * conversation's zone with Intl, so "22:00" means 22:00 where the team is, DST included.
 */
import type { Store } from '../../store/store.js';

/** `HH:MM`, 24-hour. */
export type TimeOfDay = string;

export interface ChannelSettings {
  conversationId: string;
  timeZone: string;
  /** Quiet until this instant (ms since the epoch); absent when not quiet on demand. */
  quietUntil?: number;
  /** Quiet every day from..to local time (may wrap midnight: 22:00-07:00). */
  quietHours?: { from: TimeOfDay; to: TimeOfDay };
  /** Local time of the daily digest; absent means the configured default hour. */
  digestAt?: TimeOfDay;
  digestOff?: boolean;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The local date (`YYYY-MM-DD`) and minutes since local midnight of an instant in a zone. */
export function localTime(at: number, timeZone: string): { date: string; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

export function minutesOf(time: TimeOfDay): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

/** The next instant (after `now`) at which the local clock in `timeZone` shows `time`. */
export function nextLocal(now: number, time: TimeOfDay, timeZone: string): number {
  const local = localTime(now, timeZone);
  const secondsIntoMinute = now % 60_000;
  let ahead = (minutesOf(time) - local.minutes + 1440) % 1440;
  if (ahead === 0) ahead = 1440;
  return now - secondsIntoMinute + ahead * 60_000;
}

export function inQuietHours(settings: ChannelSettings, now: number): boolean {
  if (!settings.quietHours) return false;
  const t = localTime(now, settings.timeZone).minutes;
  const from = minutesOf(settings.quietHours.from);
  const to = minutesOf(settings.quietHours.to);
  return from <= to ? t >= from && t < to : t >= from || t < to;
}

export function isQuiet(settings: ChannelSettings | undefined, now: number): boolean {
  if (!settings) return false;
  return (
    (settings.quietUntil !== undefined && settings.quietUntil > now) || inQuietHours(settings, now)
  );
}

export class ChannelSettingsBook {
  constructor(private readonly store: Store) {}

  async get(tenantId: string, conversationId: string): Promise<ChannelSettings> {
    return (
      (await this.store.getRecord<ChannelSettings>('channel_settings', tenantId, conversationId))
        ?.data ?? { conversationId, timeZone: 'UTC' }
    );
  }

  /** Applies a change to the stored settings (last writer wins: settings are set by people, rarely). */
  async change(
    tenantId: string,
    conversationId: string,
    change: (current: ChannelSettings) => ChannelSettings,
  ): Promise<ChannelSettings> {
    const next = change(await this.get(tenantId, conversationId));
    await this.store.putRecord({
      kind: 'channel_settings',
      tenantId,
      partition: tenantId,
      id: conversationId,
      data: next,
    });
    return next;
  }

  /** Settings of every conversation that changed any (for the digest scheduler). */
  async all(tenantId: string): Promise<ChannelSettings[]> {
    return (
      await this.store.queryRecords<ChannelSettings>({
        kind: 'channel_settings',
        tenantId,
        partition: tenantId,
        limit: 1000,
      })
    ).map((r) => r.data);
  }
}
