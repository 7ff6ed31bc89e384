/**
 * The routing stage's card builder: turns an alert (event, classification, chain) into the card
 * posted to Teams and the one line shown in notifications.
 */
import type { ChainBrokenCardBuilder } from '../routing/loop-alerts.js';
import type { AlertCardBuilder } from '../routing/routing-stage.js';

export const buildAlert: AlertCardBuilder = ({ event, classification, chain }) => {
  const where = event.repo ? `${event.repo.fullName}${event.target?.number !== undefined ? `#${event.target.number}` : ''}` : (event.org ?? 'GitHub');
  const text = `[${classification.priority}] ${where}: ${event.title ?? `${event.kind}${event.action ? ` ${event.action}` : ''}`}`;
  const card: Record<string, unknown> = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: `${classification.priority} · ${classification.category} · ${where}`, size: 'Small', isSubtle: true, wrap: true },
      { type: 'TextBlock', text: event.title ?? `${event.kind} ${event.action ?? ''}`.trim(), weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: classification.reasons[0] ?? '', wrap: true, isSubtle: true },
    ],
    actions: event.url ? [{ type: 'Action.OpenUrl', title: 'Open on GitHub', url: event.url }] : [],
    metadata: { chainId: chain.chainId, nodeId: chain.nodeId },
  };
  return { card, text };
};

export const buildChainBroken: ChainBrokenCardBuilder = ({ chain, chainUrl }) => {
  const text = `Loop stopped on ${chain.repo ?? 'a repository'}: ${chain.root}`;
  const card: Record<string, unknown> = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Runaway loop stopped', weight: 'Bolder', color: 'Attention', wrap: true },
      { type: 'TextBlock', text: `${chain.root}, ${chain.depth} hops deep, loop score ${chain.score}.`, wrap: true },
      { type: 'TextBlock', text: `Why: ${chain.reason ?? 'repeated bot activity'}`, wrap: true, isSubtle: true },
      { type: 'TextBlock', text: 'Reynolds stopped every write and alert on this chain; people can still act as usual.', wrap: true, isSubtle: true },
    ],
    actions: [{ type: 'Action.OpenUrl', title: 'See the chain', url: chainUrl }],
  };
  return { card, text };
};
