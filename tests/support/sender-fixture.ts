/**
 * A proactive sender wired as in production (src/index.ts) against the connector stand-in: an
 * in-memory store, one channel installed, the write guard, Teams' rate limits, and an adapter with
 * a turn-error handler (production's swallows errors of proactive turns; the sender must not).
 */
import { TeamsAdapter } from '@microsoft/teams-ai';
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/log.js';
import { ChainTracker } from '../../src/loops/chain-tracker.js';
import { DEFAULT_LOOP_SETTINGS } from '../../src/loops/loop-settings.js';
import { WriteGuard } from '../../src/loops/write-guard.js';
import { AlertOutbox } from '../../src/routing/alerts/alert-outbox.js';
import { PostedAlerts } from '../../src/routing/alerts/posted-alerts.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { ProactiveSender } from '../../src/teams/sending/proactive-sender.js';
import { TeamsRateLimits } from '../../src/teams/sending/teams-rate-limits.js';
import { ThreadBook } from '../../src/teams/sending/thread-book.js';
import { startConnectorStub, type ConnectorStub } from './connector-stub.js';

export interface SenderFixture {
  connector: ConnectorStub;
  store: SqliteStore;
  outbox: AlertOutbox;
  tracker: ChainTracker;
  sender: ProactiveSender;
  /** `<alert id>: <reason>` of every alert the sender gave up on. */
  dropped: string[];
  stop(): Promise<void>;
}

export async function startSenderFixture(
  tenantId: string,
  channelId: string,
  owner: string,
): Promise<SenderFixture> {
  const connector = await startConnectorStub();
  const store = new SqliteStore({ file: ':memory:', clock: systemClock, deliveryTtlMs: 3600_000 });
  await store.init();
  const outbox = new AlertOutbox(store, systemClock, tenantId);
  const tracker = new ChainTracker(store, systemClock, {
    ...DEFAULT_LOOP_SETTINGS,
    markerKey: `${owner}-marker-key-0123456789`,
  });
  const conversations = new ConversationBook(store, systemClock);
  await conversations.remember(
    tenantId,
    {
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id: channelId, conversationType: 'channel', isGroup: true, name: 'alerts' },
      bot: { id: 'bot', name: 'Reynolds' },
    },
    { scope: 'channel' },
  );
  const adapter = new TeamsAdapter({}, new ConfigurationServiceClientCredentialFactory({}));
  adapter.onTurnError = async () => undefined;
  const dropped: string[] = [];
  const sender = new ProactiveSender({
    adapter,
    botAppId: '',
    tenantId,
    outbox,
    conversations,
    threads: new ThreadBook(store, systemClock),
    posted: new PostedAlerts(store, systemClock),
    guard: new WriteGuard(tracker, store, systemClock),
    limits: new TeamsRateLimits(),
    clock: systemClock,
    logger: createLogger({ level: 'silent', secretValues: [] }),
    owner,
    observer: { onDropped: (entry, reason) => dropped.push(`${entry.id}: ${reason}`) },
    pollMs: 20,
  });
  return {
    connector,
    store,
    outbox,
    tracker,
    sender,
    dropped,
    async stop() {
      await sender.stop(1000);
      await store.close();
      await connector.stop();
    },
  };
}
