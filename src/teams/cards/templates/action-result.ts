/**
 * The card a card action answers with (it replaces the alert card): what happened, by whom, and
 * the write actions that still apply, built from the same pieces as the alert cards.
 */
import {
  type TemplateJson,
  alertCard,
  closeOrReopen,
  commentAction,
  openOnGitHub,
  reviewAction,
} from './common.js';

export const actionResultTemplate: TemplateJson = alertCard(
  [
    { type: 'TextBlock', text: '${repo}', size: 'Small', wrap: true },
    {
      type: 'TextBlock',
      text: '${title}',
      size: 'Medium',
      weight: 'Bolder',
      wrap: true,
      spacing: 'None',
    },
    {
      type: 'TextBlock',
      text: '${outcome.text}',
      color: '${outcome.color}',
      weight: 'Bolder',
      wrap: true,
      spacing: 'Small',
    },
    {
      type: 'TextBlock',
      $when: '${exists(detail)}',
      text: '${detail}',
      size: 'Small',
      wrap: true,
      spacing: 'Small',
    },
  ],
  [
    openOnGitHub,
    reviewAction('Approve', 'approve', 'approve', 'approveComment', 'positive'),
    reviewAction('Request changes', 'request_changes', 'requestChanges', 'changesComment'),
    commentAction,
    ...closeOrReopen,
  ],
);
