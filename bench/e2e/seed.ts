/**
 * Installs the bench's channels into a fresh store before Reynolds starts on it: N channel
 * conversations whose references point at the connector stand-in, and one subscription each, to
 * its own repository. Reynolds has no API for subscriptions yet (they come from chat commands), and
 * the child owns the SQLite file once it runs, so they are written through the same books Reynolds
 * uses, on the file, first.
 */
import path from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { SubscriptionBook } from '../../src/routing/subscriptions/subscription-book.js';
import { DEFAULT_FEATURES } from '../../src/routing/subscriptions/subscription.js';
import { SQLITE_FILE_NAME, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { BENCH_OWNER, repoName } from './events.js';

/** The tenant of local mode (no BOT_TENANT_ID): where Reynolds routes and sends. */
export const LOCAL_TENANT = 'local';

export function conversationId(index: number): string {
  return `19:bench-${index}@thread.tacv2`;
}

export async function seedStore(
  dataDir: string,
  conversations: number,
  serviceUrl: string,
): Promise<void> {
  const store = new SqliteStore({
    file: path.join(dataDir, SQLITE_FILE_NAME),
    clock: systemClock,
    deliveryTtlMs: 24 * 3600_000,
  });
  await store.init();
  try {
    await seedInto(store, conversations, serviceUrl);
  } finally {
    await store.close();
  }
}

/** The same, into a store that is already open (a shared Cosmos). */
export async function seedInto(
  store: Store,
  conversations: number,
  serviceUrl: string,
): Promise<void> {
  const book = new ConversationBook(store, systemClock);
  const subscriptions = new SubscriptionBook(store, systemClock);
  const indexes = Array.from({ length: conversations }, (_, i) => i);
  // All at once: the store group-commits writes asked for in one turn, so this is a few commits.
  await Promise.all(
    indexes.map((i) =>
      book.remember(
        LOCAL_TENANT,
        {
          channelId: 'msteams',
          serviceUrl,
          conversation: {
            id: conversationId(i),
            name: `alerts-${i}`,
            conversationType: 'channel',
            isGroup: true,
          },
          bot: { id: 'bot', name: 'Reynolds' },
        },
        { scope: 'channel', name: `alerts-${i}`, teamId: '19:bench-team@thread.tacv2' },
      ),
    ),
  );
  // Comments too, so issue_comment.created yields a card like the other two kinds.
  await Promise.all(
    indexes.map((i) =>
      subscriptions.subscribe(
        LOCAL_TENANT,
        conversationId(i),
        {
          scope: { owner: BENCH_OWNER, repo: repoName(i) },
          features: [...DEFAULT_FEATURES, 'comments'],
          filters: {},
        },
        'bench',
      ),
    ),
  );
}
