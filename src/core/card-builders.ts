/**
 * The cards the pipeline asks for, as the core sees them: which family of card an event gets, and
 * the builders the routing, enrichment and loop stages are given. The templates live in
 * src/teams/cards; injecting the builders keeps the core free of Adaptive Card code.
 */
import type { BrokerEvent } from './broker-event.js';
import type { ChainSummary } from './chain-records.js';
import type { Classification } from './classification.js';
import type { EnrichmentNotes } from './enrichment-notes.js';

export type CardFamily =
  | 'pull_request'
  | 'issue'
  | 'review'
  | 'comment'
  | 'push'
  | 'release'
  | 'deployment'
  | 'workflow'
  | 'security'
  | 'discussion'
  | 'generic';

export interface AlertCardInput {
  event: BrokerEvent;
  classification: Classification;
  family: CardFamily;
  chain: { chainId: string; nodeId: string };
  /** What the model pool added after the card first went out (the enrichment stage rebuilds it). */
  enrichment?: EnrichmentNotes;
}

/** Builds the card for an alert (src/teams/cards); injected so routing stays framework-free. */
export type AlertCardBuilder = (input: AlertCardInput) => {
  card: Record<string, unknown>;
  text: string;
};

export type ChainBrokenCardBuilder = (input: { chain: ChainSummary; chainUrl: string }) => {
  card: Record<string, unknown>;
  text: string;
};
