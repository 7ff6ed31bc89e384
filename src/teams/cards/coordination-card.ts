/**
 * The small card a coordination notice is posted as, in the dependent's thread: one line saying
 * what happened to what it depends on ("unblocked: acme/api#12 merged", or a heads-up), and a link
 * to the dependency. Plain JSON rather than a template: two text blocks and a button.
 */
import type { CoordinationCardBuilder } from '../../core/coordination.js';
import { plain, safeUrl } from './card-text.js';
import { CARD_SCHEMA, CARD_VERSION } from './templates/common.js';

export const buildCoordinationCard: CoordinationCardBuilder = (notice) => {
  const text = plain(notice.text);
  const url = safeUrl(notice.url);
  const unblocked = notice.kind === 'unblocked';
  const card = {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    fallbackText: text,
    body: [
      {
        type: 'TextBlock',
        text: unblocked ? 'Unblocked' : 'Heads up',
        weight: 'Bolder',
        color: unblocked ? 'good' : 'warning',
      },
      { type: 'TextBlock', text, wrap: true },
    ],
    ...(url && { actions: [{ type: 'Action.OpenUrl', title: 'Open on GitHub', url }] }),
  };
  return { card, text };
};
