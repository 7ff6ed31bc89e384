/**
 * The admins' card when the loop guard stops a chain: what happened in words, the numbers behind
 * the decision, and a link to the chain view where the nodes and signals can be read.
 */
import { CARD_SCHEMA, CARD_VERSION, type TemplateJson } from './common.js';

export const chainBrokenTemplate: TemplateJson = {
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: CARD_VERSION,
  fallbackText: '${fallbackText}',
  msteams: { width: 'Full' },
  body: [
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          width: 'auto',
          style: 'attention',
          verticalContentAlignment: 'Center',
          items: [{ type: 'TextBlock', text: '${badge}', weight: 'Bolder', color: 'attention' }],
        },
        {
          type: 'Column',
          width: 'stretch',
          verticalContentAlignment: 'Center',
          items: [{ type: 'TextBlock', text: '${repo}', size: 'Small', wrap: true }],
        },
      ],
    },
    { type: 'TextBlock', text: '${title}', size: 'Medium', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${what}', wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: 'Reason', value: '${facts.reason}', $when: '${exists(facts.reason)}' },
        { title: 'Loop score', value: '${facts.score}' },
        { title: 'Depth', value: '${facts.depth}' },
        { title: 'Events', value: '${facts.nodes}' },
        { title: 'Started with', value: '${facts.root}' },
        { title: 'Started', value: '${facts.started}' },
        { title: 'Last event', value: '${facts.updated}' },
        { title: 'Chain', value: '${facts.chain}' },
      ],
    },
  ],
  actions: [{ type: 'Action.OpenUrl', title: 'Open chain view', url: '${chainUrl}' }],
};
