/** What `status` (chat command and action) reports about the store: reachable, and the inbox's counts. */
import type { Store } from '../store/store.js';
import type { StatusSource } from '../teams/actions/chat-action.js';

export function storeStatus(store: Store): StatusSource {
  return {
    async status() {
      let ready = true;
      try {
        await store.ping();
      } catch {
        ready = false;
      }
      const counts = ready ? await store.inboxCounts() : { pending: 0, processing: 0, failed: 0 };
      return {
        store: store.kind,
        ready,
        pending: counts.pending,
        processing: counts.processing,
        failed: counts.failed,
      };
    },
  };
}
