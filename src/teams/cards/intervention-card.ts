/**
 * The card an intervention is posted as: what is about to go wrong, before it does ("acme/api#12
 * has waited 14h for a first review; the SLA is 24h"), with a link to the item when it is an issue
 * or PR. Plain JSON rather than a template, like the coordination card.
 */
import type { InterventionCardBuilder } from '../../core/coordination.js';
import { plain, safeUrl } from './card-text.js';
import { CARD_SCHEMA, CARD_VERSION } from './templates/common.js';

const TITLES: Record<string, string> = {
  review_wait: 'Waiting for review',
  branch_red: 'Default branch red',
  train_blocked: 'Train item at risk',
  deployment_wait: 'Deployment waiting for approval',
  dependency_moved: 'Dependency moved on',
};

export const buildInterventionCard: InterventionCardBuilder = (notice) => {
  const text = plain(notice.text);
  const match = /^([^#@!]+\/[^#@!]+)#(\d+)$/.exec(notice.item);
  const url = match ? safeUrl(`https://github.com/${match[1]}/issues/${match[2]}`) : undefined;
  const card = {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    fallbackText: text,
    body: [
      {
        type: 'TextBlock',
        text: `Before it bites: ${TITLES[notice.rule] ?? notice.rule}`,
        weight: 'Bolder',
        color: 'warning',
        wrap: true,
      },
      { type: 'TextBlock', text, wrap: true },
    ],
    ...(url && { actions: [{ type: 'Action.OpenUrl', title: 'Open on GitHub', url }] }),
  };
  return { card, text };
};
