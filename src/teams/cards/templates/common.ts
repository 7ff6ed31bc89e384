/**
 * The pieces every alert template is made of, as Adaptive Card template JSON (adaptivecards-
 * templating syntax: `${path}` binds a value of the view in alert-card.ts, `$when` keeps an element
 * only when its expression is true).
 *
 * Every optional value is bound only under a `$when: exists(...)`: the templating engine leaves an
 * unbound `${path}` in the card as literal text, and the tests fail on any that survives.
 */

/** A template: plain JSON with binding expressions in its strings. */
export type TemplateJson = Record<string, unknown>;

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** The newest Adaptive Card version Teams renders (Action.Execute needs 1.4). */
export const CARD_VERSION = '1.5';

/** The card around a template's body and actions; `msteams.width` lets a card use the channel's width. */
export function alertCard(body: TemplateJson[], actions: TemplateJson[]): TemplateJson {
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    fallbackText: '${fallbackText}',
    msteams: { width: 'Full' },
    body,
    actions,
  };
}

/** The priority badge, the repository (linked) and the category, on one row. */
export const header: TemplateJson = {
  type: 'ColumnSet',
  columns: [
    {
      type: 'Column',
      width: 'auto',
      style: '${badge.style}',
      verticalContentAlignment: 'Center',
      items: [
        { type: 'TextBlock', text: '${badge.text}', weight: 'Bolder', color: '${badge.color}' },
      ],
    },
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
      items: [{ type: 'TextBlock', text: '${category}', size: 'Small', isSubtle: true }],
    },
  ],
};

/** The title (linked to GitHub) and, under it, what happened and who did it. */
export const headline: TemplateJson[] = [
  { type: 'TextBlock', text: '${title}', size: 'Medium', weight: 'Bolder', wrap: true },
  {
    type: 'TextBlock',
    text: '${subtitle}',
    size: 'Small',
    isSubtle: true,
    spacing: 'None',
    wrap: true,
  },
];

/** The state after the event, coloured: Merged, Failure, Open... */
export const stateLine: TemplateJson = {
  type: 'TextBlock',
  $when: '${exists(state)}',
  text: '${state.label}',
  color: '${state.color}',
  weight: 'Bolder',
  spacing: 'Small',
};

/**
 * A FactSet of the named facts the view has, in order; absent facts are dropped, and so is the
 * whole set when none is present (an empty FactSet renders as a gap).
 */
export function factSet(
  entries: ReadonlyArray<readonly [title: string, key: string]>,
): TemplateJson {
  const present = entries.map(([, key]) => `exists(facts.${key})`).join(' || ');
  return {
    type: 'FactSet',
    $when: `\${${present}}`,
    spacing: 'Small',
    facts: entries.map(([title, key]) => ({
      $when: `\${exists(facts.${key})}`,
      title,
      value: `\${facts.${key}}`,
    })),
  };
}

/** Labels, the classifier's reasons, the body's excerpt and the agent's notes, in that order. */
export const details: TemplateJson[] = [
  {
    type: 'TextBlock',
    $when: '${exists(labels)}',
    text: 'Labels: ${labels}',
    size: 'Small',
    isSubtle: true,
    wrap: true,
    spacing: 'Small',
  },
  {
    type: 'TextBlock',
    text: 'Why: ${why}',
    size: 'Small',
    isSubtle: true,
    wrap: true,
    spacing: 'Small',
  },
  {
    type: 'Container',
    $when: '${exists(excerpt)}',
    separator: true,
    items: [{ type: 'TextBlock', text: '${excerpt}', wrap: true, maxLines: 8 }],
  },
  {
    type: 'Container',
    $when: '${exists(summary) || exists(notes)}',
    style: 'emphasis',
    items: [
      { type: 'TextBlock', text: "Reynolds's notes", weight: 'Bolder', size: 'Small', wrap: true },
      { type: 'TextBlock', $when: '${exists(summary)}', text: '${summary}', wrap: true },
      { type: 'TextBlock', $when: '${exists(notes)}', text: '${notes}', size: 'Small', wrap: true },
    ],
  },
];

export const openOnGitHub: TemplateJson = {
  type: 'Action.OpenUrl',
  title: 'Open on GitHub',
  url: '${url}',
};

/**
 * A write action, present only when the view offers it (`act.<key>`). Its data is the view's
 * `{ verb, repo, number, chainId, nodeId, deliveryId }`, which the card-action handler needs to
 * run the write through the loop guard on the right chain.
 */
export function execute(
  title: string,
  verb: string,
  key: string,
  style?: 'positive' | 'destructive',
): TemplateJson {
  return {
    type: 'Action.Execute',
    $when: `\${exists(act.${key})}`,
    title,
    verb,
    data: `\${act.${key}}`,
    ...(style !== undefined && { style }),
  };
}

/** "Comment": a text box that opens under the card, posted with the `comment` verb. */
export const commentAction: TemplateJson = {
  type: 'Action.ShowCard',
  $when: '${exists(act.comment)}',
  title: 'Comment',
  card: {
    type: 'AdaptiveCard',
    body: [
      {
        type: 'Input.Text',
        id: 'comment',
        label: 'Comment',
        placeholder: 'Write a comment to post on GitHub',
        isMultiline: true,
        isRequired: true,
        errorMessage: 'Write something to post.',
        maxLength: 65_536,
      },
    ],
    actions: [
      { type: 'Action.Execute', title: 'Post comment', verb: 'comment', data: '${act.comment}' },
    ],
  },
};

/** Close or reopen, whichever the state allows; the view offers at most one. */
export const closeOrReopen: TemplateJson[] = [
  execute('Close', 'close', 'close', 'destructive'),
  execute('Reopen', 'reopen', 'reopen'),
];

/**
 * Approve or request changes: a box for an optional review comment that opens under the card,
 * submitted with the verb. Input ids differ per action (a card's inputs share one namespace).
 */
export function reviewAction(
  title: string,
  verb: string,
  key: string,
  inputId: string,
  style?: 'positive' | 'destructive',
): TemplateJson {
  return {
    type: 'Action.ShowCard',
    $when: `\${exists(act.${key})}`,
    title,
    ...(style !== undefined && { style }),
    card: {
      type: 'AdaptiveCard',
      body: [
        {
          type: 'Input.Text',
          id: inputId,
          label: 'Review comment (optional)',
          placeholder: 'Add a note to the review',
          isMultiline: true,
          maxLength: 65_536,
        },
      ],
      actions: [
        { type: 'Action.Execute', title: `Submit: ${title}`, verb, data: `\${act.${key}}` },
      ],
    },
  };
}
