/**
 * Templates for security findings and for everything without a family of its own.
 *
 * Security cards never carry write actions: dismissing or closing an alert from a chat button,
 * one click from a notification, is not a decision Reynolds should make that easy.
 */
import {
  type TemplateJson,
  alertCard,
  details,
  factSet,
  header,
  headline,
  openOnGitHub,
} from './common.js';

/** Severity as a coloured badge beside the alert's state, because severity is what to read first. */
const severityAndState: TemplateJson = {
  type: 'ColumnSet',
  $when: '${exists(severity) || exists(state)}',
  spacing: 'Small',
  columns: [
    {
      type: 'Column',
      $when: '${exists(severity)}',
      width: 'auto',
      style: '${severity.style}',
      items: [
        {
          type: 'TextBlock',
          text: 'Severity: ${severity.text}',
          weight: 'Bolder',
          color: '${severity.color}',
        },
      ],
    },
    {
      type: 'Column',
      $when: '${exists(state)}',
      width: 'stretch',
      verticalContentAlignment: 'Center',
      items: [
        { type: 'TextBlock', text: '${state.label}', weight: 'Bolder', color: '${state.color}' },
      ],
    },
  ],
};

export const securityTemplate: TemplateJson = alertCard(
  [header, ...headline, severityAndState, ...details],
  [openOnGitHub],
);

export const genericTemplate: TemplateJson = alertCard(
  [
    header,
    ...headline,
    factSet([
      ['Event', 'event'],
      ['State', 'stateText'],
      ['Branch', 'branch'],
    ]),
    ...details,
  ],
  [openOnGitHub],
);
