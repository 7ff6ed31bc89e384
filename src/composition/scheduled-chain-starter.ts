/**
 * A chain for a post no event caused (a digest, an intervention raised by a periodic tick): the
 * loop tracker assesses a `reynolds_schedule` event, so the write guard can place the post on a
 * chain like any other. Shared by the digest and orchestration's intervention alerts.
 */
import type { Clock } from '../core/clock.js';
import type { ChainTracker } from '../loops/chain-tracker.js';
import type { ScheduledChainStarter } from '../routing/noise/digest.js';

export function scheduledChainStarter(tracker: ChainTracker, clock: Clock): ScheduledChainStarter {
  return async (tenantId, what) => {
    const at = new Date(clock.now()).toISOString();
    const { node } = await tracker.assess(
      {
        tenantId,
        deliveryId: what,
        kind: 'reynolds_schedule',
        known: false,
        labels: [],
        occurredAt: at,
        receivedAt: at,
        actor: { login: 'reynolds', isBot: true },
      },
      `schedule:${what}`,
    );
    return { chainId: node.chainId, nodeId: node.nodeId, depth: node.depth };
  };
}
