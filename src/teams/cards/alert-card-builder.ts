/**
 * The routing stage's card builders, over the templated cards in src/teams/cards: the alert card
 * for an event (with the model pool's notes once enrichment arrives), and the admins' card when a
 * loop is stopped, each with the line Teams shows in notifications.
 *
 * Write actions on cards (comment, close, approve...) appear only when the card-action handler
 * (card-actions.ts) can run them: GitHub credentials exist and CARD_ACTIONS is not off. A button
 * that can only fail is worse than none.
 */
import type { EnrichmentNotes } from '../../core/enrichment-notes.js';
import type { ChainBrokenCardBuilder } from '../../core/card-builders.js';
import type { AlertCardBuilder } from '../../core/card-builders.js';
import { buildAlertCard, buildChainBrokenCard } from './alert-card.js';

export function alertCardBuilder(canAct: boolean): AlertCardBuilder {
  return ({ event, classification, chain, enrichment }) => {
    const card = buildAlertCard({
      event,
      classification,
      chain,
      canAct,
      enrichment: enrichment && notesOf(enrichment),
    });
    return { card, text: String(card.fallbackText ?? event.title ?? event.kind) };
  };
}

/** Alert cards without write buttons. */
export const buildAlert: AlertCardBuilder = alertCardBuilder(false);

/** Whether cards carry write buttons: credentials to write with, and not switched off. */
export function cardActionsEnabled(config: {
  CARD_ACTIONS: 'on' | 'off';
  GITHUB_OAUTH_CLIENT_ID?: string;
}): boolean {
  // People act with their own tokens (sign-in), so the buttons need sign-in, not Reynolds's credentials.
  return config.CARD_ACTIONS === 'on' && config.GITHUB_OAUTH_CLIENT_ID !== undefined;
}

export const buildChainBroken: ChainBrokenCardBuilder = (input) => {
  const card = buildChainBrokenCard(input);
  return { card, text: String(card.fallbackText ?? `Loop stopped: ${input.chain.root}`) };
};

/** The model pool's notes as the card's notes section: a summary, then one line per kind of note. */
function notesOf(notes: EnrichmentNotes): { summary?: string; notes: string[] } {
  const lines = [
    ...(notes.securityNotes ?? []).slice(0, 2).map((note) => `Security: ${note}`),
    notes.labels?.length ? `Suggested labels: ${notes.labels.join(', ')}` : undefined,
    notes.duplicates?.length ? `Possible duplicates: ${notes.duplicates.join(', ')}` : undefined,
    notes.roles.length
      ? `From the ${notes.roles.join(', ')} model${notes.roles.length === 1 ? '' : 's'}`
      : undefined,
  ];
  return {
    summary: notes.summary,
    notes: lines.filter((line): line is string => line !== undefined),
  };
}
