import assert from 'node:assert/strict';
import {
  ChannelSettingsBook,
  inQuietHours,
  isQuiet,
  localTime,
  nextLocal,
} from '../../../src/routing/noise/channel-settings.js';
import {
  applyNoiseCommand,
  NOISE_COMMAND,
  parseNoiseCommand,
} from '../../../src/routing/noise/noise-commands.js';
import { manualStore, TENANT } from './noise-fixtures.js';

describe('quiet, timezone and digest commands', function () {
  const good: Array<[string, unknown]> = [
    ['quiet', { kind: 'quiet_until', forMs: 3600_000 }],
    ['quiet for 2h', { kind: 'quiet_until', forMs: 2 * 3600_000 }],
    ['Quiet for 1h30m', { kind: 'quiet_until', forMs: 90 * 60_000 }],
    ['quiet for 45m', { kind: 'quiet_until', forMs: 45 * 60_000 }],
    ['quiet until 18:00', { kind: 'quiet_until', until: '18:00' }],
    ['quiet until 7:05', { kind: 'quiet_until', until: '07:05' }],
    ['quiet off', { kind: 'quiet_off' }],
    ['quiet hours 22:00-07:00', { kind: 'quiet_hours', from: '22:00', to: '07:00' }],
    ['quiet hours 22:00 - 7:00', { kind: 'quiet_hours', from: '22:00', to: '07:00' }],
    ['quiet hours off', { kind: 'quiet_hours_off' }],
    ['timezone europe/berlin', { kind: 'timezone', zone: 'Europe/Berlin' }],
    ['time zone America/New_York', { kind: 'timezone', zone: 'America/New_York' }],
    ['digest at 08:30', { kind: 'digest_at', at: '08:30' }],
    ['digest off', { kind: 'digest_off' }],
    ['digest on', { kind: 'digest_on' }],
    ['digest now', { kind: 'digest_now' }],
  ];
  for (const [text, command] of good) {
    it(`reads "${text}"`, function () {
      assert.ok(NOISE_COMMAND.test(text));
      assert.deepEqual(parseNoiseCommand(text), { ok: true, command });
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['quiet until noon', /24-hour time/],
    ['quiet until 25:00', /24-hour time/],
    ['quiet for ever', /hours or minutes/],
    ['quiet for 200h', /at most 7 days/],
    ['quiet hours 22:00', /start and an end/],
    ['quiet please', /try `quiet`/],
    ['timezone Mars/Olympus', /not a time zone I know/],
    ['timezone', /not a time zone I know/],
    ['digest at lunch', /digest at 08:30/],
  ];
  for (const [text, error] of bad) {
    it(`explains what is wrong with "${text}"`, function () {
      const parsed = parseNoiseCommand(text);
      assert.equal(parsed.ok, false);
      assert.match(!parsed.ok ? parsed.error : '', error);
    });
  }

  it('answers time questions in the conversation zone, quiet hours wrapping midnight', function () {
    const settings = {
      conversationId: 'c',
      timeZone: 'Europe/Berlin',
      quietHours: { from: '22:00', to: '07:00' },
    };
    // 21:30 UTC in June is 23:30 in Berlin (CEST).
    assert.deepEqual(localTime(Date.UTC(2026, 5, 1, 21, 30), 'Europe/Berlin'), {
      date: '2026-06-01',
      minutes: 23 * 60 + 30,
    });
    assert.equal(inQuietHours(settings, Date.UTC(2026, 5, 1, 21, 30)), true);
    assert.equal(inQuietHours(settings, Date.UTC(2026, 5, 1, 4, 59)), true, '06:59 Berlin');
    assert.equal(inQuietHours(settings, Date.UTC(2026, 5, 1, 5, 0)), false, '07:00 Berlin');
    assert.equal(
      inQuietHours({ ...settings, timeZone: 'UTC' }, Date.UTC(2026, 5, 1, 21, 30)),
      false,
      '21:30 UTC is not quiet',
    );
    assert.equal(isQuiet({ conversationId: 'c', timeZone: 'UTC', quietUntil: 100 }, 99), true);
    assert.equal(isQuiet({ conversationId: 'c', timeZone: 'UTC', quietUntil: 100 }, 100), false);
    assert.equal(isQuiet(undefined, 0), false);
    // The next 18:00 in New York (EDT, UTC-4) after 12:00 UTC is 22:00 UTC the same day; after 23:00 UTC, the next day.
    assert.equal(
      nextLocal(Date.UTC(2026, 5, 1, 12, 0), '18:00', 'America/New_York'),
      Date.UTC(2026, 5, 1, 22, 0),
    );
    assert.equal(
      nextLocal(Date.UTC(2026, 5, 1, 23, 0), '18:00', 'America/New_York'),
      Date.UTC(2026, 5, 2, 22, 0),
    );
  });

  it('applies commands to the stored settings of one conversation', async function () {
    const { store, clock } = await manualStore(Date.UTC(2026, 5, 1, 12, 0));
    const book = new ChannelSettingsBook(store);
    await applyNoiseCommand(
      book,
      TENANT,
      'c1',
      { kind: 'timezone', zone: 'Europe/Berlin' },
      clock.now(),
    );
    const quiet = await applyNoiseCommand(
      book,
      TENANT,
      'c1',
      { kind: 'quiet_until', until: '18:00' },
      clock.now(),
    );
    assert.equal(quiet.quietUntil, Date.UTC(2026, 5, 1, 16, 0), '18:00 in Berlin');
    await applyNoiseCommand(book, TENANT, 'c1', { kind: 'digest_at', at: '08:30' }, clock.now());
    await applyNoiseCommand(book, TENANT, 'c1', { kind: 'quiet_off' }, clock.now());
    assert.deepEqual(await book.get(TENANT, 'c1'), {
      conversationId: 'c1',
      timeZone: 'Europe/Berlin',
      digestAt: '08:30',
      digestOff: false,
    });
    assert.deepEqual(
      await book.get(TENANT, 'c2'),
      { conversationId: 'c2', timeZone: 'UTC' },
      'others keep the defaults',
    );
    await store.close();
  });
});
