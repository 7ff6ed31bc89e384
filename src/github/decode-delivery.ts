/**
 * Decodes a stored delivery into a BrokerEvent (the EventDecoder the pipeline is given).
 */
import { UndecodableItemError } from '../core/pipeline.js';
import type { InboxItem } from '../core/inbox-item.js';
import type { BrokerEvent } from '../core/broker-event.js';
import { normalise } from './normalise.js';

export function decodeDelivery(item: InboxItem): BrokerEvent {
  if (item.body === null) throw new UndecodableItemError(item.key, 'its body is no longer stored');
  let payload: unknown;
  try {
    payload = JSON.parse(item.body);
  } catch (error) {
    throw new UndecodableItemError(
      item.key,
      `stored body is not JSON (${(error as Error).message})`,
    );
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new UndecodableItemError(item.key, 'stored body is not a JSON object');
  }
  return normalise({
    tenantId: item.tenantId,
    deliveryId: item.deliveryId,
    event: item.event,
    payload: payload as Record<string, unknown>,
    receivedAt: item.receivedAt,
  });
}
