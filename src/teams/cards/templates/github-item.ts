/**
 * Templates of the message extension and link unfurling: one card for a GitHub item (pull
 * request, issue, commit, release) and one for a notice (not found, rate limited, not configured).
 * Facts come as a list (`$data`), since each kind has its own.
 */
import { type TemplateJson, alertCard, openOnGitHub } from './common.js';

export const githubItemTemplate: TemplateJson = alertCard(
  [
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          verticalContentAlignment: 'Center',
          items: [{ type: 'TextBlock', text: '${repo}', size: 'Small', wrap: true }],
        },
        {
          type: 'Column',
          width: 'auto',
          verticalContentAlignment: 'Center',
          items: [{ type: 'TextBlock', text: '${kind}', size: 'Small', isSubtle: true }],
        },
      ],
    },
    { type: 'TextBlock', text: '${title}', size: 'Medium', weight: 'Bolder', wrap: true },
    {
      type: 'ColumnSet',
      spacing: 'Small',
      columns: [
        {
          type: 'Column',
          width: 'auto',
          items: [
            {
              type: 'TextBlock',
              text: '${state.label}',
              color: '${state.color}',
              weight: 'Bolder',
            },
          ],
        },
        {
          type: 'Column',
          width: 'auto',
          $when: '${exists(checks)}',
          items: [{ type: 'TextBlock', text: '${checks.label}', color: '${checks.color}' }],
        },
        {
          type: 'Column',
          width: 'auto',
          $when: '${exists(review)}',
          items: [{ type: 'TextBlock', text: '${review.label}', color: '${review.color}' }],
        },
      ],
    },
    {
      type: 'FactSet',
      $when: '${count(facts) > 0}',
      spacing: 'Small',
      facts: [{ $data: '${facts}', title: '${title}', value: '${value}' }],
    },
    {
      type: 'Container',
      $when: '${exists(excerpt)}',
      separator: true,
      items: [{ type: 'TextBlock', text: '${excerpt}', wrap: true, maxLines: 8 }],
    },
  ],
  [openOnGitHub],
);

export const githubNoticeTemplate: TemplateJson = alertCard(
  [
    {
      type: 'TextBlock',
      text: '${title}',
      size: 'Medium',
      weight: 'Bolder',
      color: '${color}',
      wrap: true,
    },
    { type: 'TextBlock', text: '${message}', wrap: true },
    {
      type: 'TextBlock',
      $when: '${exists(hint)}',
      text: '${hint}',
      size: 'Small',
      isSubtle: true,
      wrap: true,
    },
  ],
  [{ ...openOnGitHub, $when: '${exists(url)}' }],
);
