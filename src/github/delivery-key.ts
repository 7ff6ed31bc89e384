/**
 * The dedupe key of a webhook delivery.
 *
 * One delivery GUID can reach two hooks (a repo hook and an org hook, say), and GitHub's
 * redeliveries reuse the GUID, so the key is (hook identity, GUID): the same delivery to the same
 * hook is a duplicate; the same GUID at another hook is not.
 */
export interface DeliveryHeaders {
  deliveryId: string;
  hookId?: string;
  installationTargetType?: string;
  installationTargetId?: string;
}

export function deliveryKey(h: DeliveryHeaders, installationId?: number): string {
  if (h.hookId) return `hook-${h.hookId}:${h.deliveryId}`;
  if (h.installationTargetType && h.installationTargetId)
    return `target-${h.installationTargetType}-${h.installationTargetId}:${h.deliveryId}`;
  if (installationId !== undefined) return `installation-${installationId}:${h.deliveryId}`;
  return `any:${h.deliveryId}`;
}
