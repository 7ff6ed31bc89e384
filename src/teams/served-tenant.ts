/**
 * Which tenant an activity belongs to, as far as Reynolds serves it. A single-tenant bot serves
 * its own tenant only; in local mode every activity belongs to the local tenant, so the
 * Playground's mock tenant and the webhook deliveries meet.
 */
import type { Activity } from 'botbuilder';

/** The tenant of an activity, or undefined when it is not one Reynolds serves. */
export type TenantOf = (activity: Activity) => string | undefined;

export function servedTenant(settings: { localMode: boolean; tenantId: string }): TenantOf {
  return (activity) => {
    if (settings.localMode) return settings.tenantId;
    const tenant =
      activity.conversation?.tenantId ??
      (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    return tenant === settings.tenantId ? tenant : undefined;
  };
}
