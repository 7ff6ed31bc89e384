/**
 * What the pipeline needs from parts made after it: the proactive sender (to wake it when an alert
 * is queued; it needs the Teams adapter, which comes later) and the public base URL (for links in
 * cards; without PUBLIC_BASE_URL it is the address the server listens on, known once it listens).
 * Until they are bound, a wake does nothing: the sender reads the outbox when it starts anyway.
 */
import type { ProactiveSender } from '../teams/sending/proactive-sender.js';

export class LateBindings {
  sender?: ProactiveSender;

  constructor(public publicUrl: string) {}

  readonly wakeSender = (): void => this.sender?.wake();

  readonly chainUrl = (chainId: string): string => `${this.publicUrl}/api/chains/${chainId}`;
}
