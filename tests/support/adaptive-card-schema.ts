/**
 * Adaptive Card validity, checked twice because neither check is complete on its own (shared by
 * the alert-card tests and the message-extension tests):
 * - by the `adaptivecards` package's own parser (the copy installed here is 1.2.3, which stops at
 *   schema 1.2: it learns Action.Execute below, and its "version 1.5 is not supported" failure is
 *   the one failure ignored), which catches unknown element and action types and missing required
 *   properties the way a renderer sees them;
 * - by a structural validator for the part of the official Adaptive Card 1.5 JSON schema
 *   (adaptivecards.io/schemas/1.5.0/adaptive-card.json) that Reynolds's templates use, transcribed
 *   here: element and action types, required properties, allowed properties (the schema forbids
 *   any other), value types and enumerations. It allows Teams' `msteams` extension.
 */
import * as AC from 'adaptivecards';

type Json = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// Validation 1: the adaptivecards package's parser.

/** Action.Execute (schema 1.4) for the 1.2-era parser: a Submit with a verb, which it must have. */
class ExecuteAction extends AC.SubmitAction {
  verb = '';
  override getJsonTypeName(): string {
    return 'Action.Execute';
  }
  override parse(json: any, errors?: AC.IValidationError[]): void {
    super.parse(json, errors);
    this.verb = typeof json?.verb === 'string' ? json.verb : '';
  }
  override internalValidateProperties(context: AC.ValidationResults): void {
    super.internalValidateProperties(context);
    if (this.verb === '')
      context.addFailure(this, {
        error: AC.ValidationError.PropertyCantBeNull,
        message: 'An Action.Execute must have a verb.',
      });
  }
}
AC.AdaptiveCard.actionTypeRegistry.registerType('Action.Execute', () => new ExecuteAction());

export function parserErrors(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const errors: AC.IValidationError[] = [];
  parsed.parse(card, errors);
  const failures = parsed.validateProperties().failures.flatMap((failure) => failure.errors);
  return [...errors, ...failures]
    .filter((error) => error.error !== AC.ValidationError.UnsupportedCardVersion)
    .map((error) => error.message);
}

// ---------------------------------------------------------------------------------------------
// Validation 2: the 1.5 schema, for the elements and actions the templates use.

type Check = (value: unknown) => string | undefined;

const isString: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
const isNumber: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : 'must be a number';
const isObject: Check = (v) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'must be an object';
/** The schema's enums accept any letter case (its patterns say so). */
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.some((value) => value.toLowerCase() === v.toLowerCase())
      ? undefined
      : `must be one of ${values.join(', ')}`;
const httpUrl: Check = (v) =>
  typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v)
    ? undefined
    : 'must be an absolute http(s) URL';

const Colors = oneOf('default', 'dark', 'light', 'accent', 'good', 'warning', 'attention');
const ContainerStyle = oneOf('default', 'emphasis', 'good', 'attention', 'warning', 'accent');
const FontSize = oneOf('default', 'small', 'medium', 'large', 'extraLarge');
const FontWeight = oneOf('default', 'lighter', 'bolder');
const FontType = oneOf('default', 'monospace');
const Spacing = oneOf('default', 'none', 'small', 'medium', 'large', 'extraLarge', 'padding');
const HorizontalAlignment = oneOf('left', 'center', 'right');
const VerticalContentAlignment = oneOf('top', 'center', 'bottom');
const BlockElementHeight = oneOf('auto', 'stretch');
const ActionStyle = oneOf('default', 'positive', 'destructive');
const ActionMode = oneOf('primary', 'secondary');
const AssociatedInputs = oneOf('Auto', 'None');
const TextInputStyle = oneOf('text', 'tel', 'url', 'email', 'password');
const ColumnWidth: Check = (v) =>
  typeof v === 'number' || (typeof v === 'string' && /^(auto|stretch|\d+(\.\d+)?(px)?)$/i.test(v))
    ? undefined
    : 'must be auto, stretch, a weight or "<n>px"';

interface Shape {
  required: string[];
  props: Record<
    string,
    Check | 'elements' | 'actions' | 'columns' | 'facts' | 'card' | 'selectAction'
  >;
}

/** Extendable.Element (less `fallback`, which no template uses). */
const ELEMENT = {
  height: BlockElementHeight,
  separator: isBoolean,
  spacing: Spacing,
  id: isString,
  isVisible: isBoolean,
} as const;
/** Extendable.Action (less `fallback`, `iconUrl` and `requires`, which no template uses). */
const ACTION = {
  title: isString,
  id: isString,
  style: ActionStyle,
  tooltip: isString,
  isEnabled: isBoolean,
  mode: ActionMode,
} as const;

const ELEMENTS: Record<string, Shape> = {
  TextBlock: {
    required: ['text'],
    props: {
      ...ELEMENT,
      text: isString,
      color: Colors,
      fontType: FontType,
      horizontalAlignment: HorizontalAlignment,
      isSubtle: isBoolean,
      maxLines: isNumber,
      size: FontSize,
      weight: FontWeight,
      wrap: isBoolean,
      style: oneOf('default', 'heading'),
    },
  },
  Container: {
    required: ['items'],
    props: {
      ...ELEMENT,
      items: 'elements',
      selectAction: 'selectAction',
      style: ContainerStyle,
      verticalContentAlignment: VerticalContentAlignment,
      bleed: isBoolean,
      minHeight: isString,
    },
  },
  ColumnSet: {
    required: [],
    props: {
      ...ELEMENT,
      columns: 'columns',
      selectAction: 'selectAction',
      style: ContainerStyle,
      bleed: isBoolean,
      minHeight: isString,
      horizontalAlignment: HorizontalAlignment,
    },
  },
  FactSet: { required: ['facts'], props: { ...ELEMENT, facts: 'facts' } },
  ActionSet: { required: ['actions'], props: { ...ELEMENT, actions: 'actions' } },
  'Input.Text': {
    required: ['id'],
    props: {
      ...ELEMENT,
      isMultiline: isBoolean,
      maxLength: isNumber,
      placeholder: isString,
      regex: isString,
      style: TextInputStyle,
      value: isString,
      errorMessage: isString,
      isRequired: isBoolean,
      label: isString,
    },
  },
};

const COLUMN: Shape = {
  required: [],
  props: {
    items: 'elements',
    bleed: isBoolean,
    minHeight: isString,
    separator: isBoolean,
    spacing: Spacing,
    selectAction: 'selectAction',
    style: ContainerStyle,
    verticalContentAlignment: VerticalContentAlignment,
    width: ColumnWidth,
    id: isString,
    isVisible: isBoolean,
  },
};

const ACTIONS: Record<string, Shape> = {
  'Action.OpenUrl': { required: ['url', 'title'], props: { ...ACTION, url: httpUrl } },
  // The schema does not require a verb; a Reynolds card-action handler cannot route one without it.
  'Action.Execute': {
    required: ['verb', 'title'],
    props: { ...ACTION, verb: isString, data: isObject, associatedInputs: AssociatedInputs },
  },
  'Action.Submit': {
    required: ['title'],
    props: { ...ACTION, data: isObject, associatedInputs: AssociatedInputs },
  },
  'Action.ShowCard': { required: ['card', 'title'], props: { ...ACTION, card: 'card' } },
};

const CARD: Shape = {
  required: ['body'],
  props: {
    $schema: httpUrl,
    version: isString,
    body: 'elements',
    actions: 'actions',
    selectAction: 'selectAction',
    fallbackText: isString,
    speak: isString,
    lang: isString,
    minHeight: isString,
    verticalContentAlignment: VerticalContentAlignment,
    // Not in the schema: Teams' documented extension for full-width cards.
    msteams: (v) =>
      isObject(v) === undefined &&
      Object.keys(v as object).every((key) => key === 'width') &&
      (v as Json)['width'] === 'Full'
        ? undefined
        : 'must be { width: "Full" }',
  },
};

export function schemaErrors(card: unknown): string[] {
  const errors: string[] = [];
  const inputIds = new Set<string>();

  function shaped(value: unknown, shape: Shape, path: string, typeName: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`${path}: must be an object`);
      return;
    }
    const object = value as Json;
    if (object['type'] !== typeName) errors.push(`${path}: type must be ${typeName}`);
    for (const key of shape.required)
      if (!(key in object)) errors.push(`${path}: ${key} is required`);
    for (const [key, field] of Object.entries(object)) {
      if (key === 'type') continue;
      const check = shape.props[key];
      const at = `${path}.${key}`;
      if (check === undefined) errors.push(`${at}: not a ${typeName} property`);
      else if (check === 'elements') list(field, at, element);
      else if (check === 'actions') list(field, at, action);
      else if (check === 'columns')
        list(field, at, (column, p) => shaped(column, COLUMN, p, 'Column'));
      else if (check === 'facts') list(field, at, fact);
      else if (check === 'card') shaped(field, CARD, at, 'AdaptiveCard');
      else if (check === 'selectAction') action(field, at, true);
      else {
        const problem = check(field);
        if (problem !== undefined) errors.push(`${at}: ${problem} (got ${JSON.stringify(field)})`);
      }
    }
  }

  function list(value: unknown, path: string, each: (item: unknown, path: string) => void): void {
    if (!Array.isArray(value)) errors.push(`${path}: must be an array`);
    else value.forEach((item, i) => each(item, `${path}[${i}]`));
  }

  function element(value: unknown, path: string): void {
    const type = (value as Json | null)?.['type'];
    const shape = typeof type === 'string' ? ELEMENTS[type] : undefined;
    if (shape === undefined)
      return void errors.push(`${path}: unknown element type ${JSON.stringify(type)}`);
    shaped(value, shape, path, type);
    if (type === 'Input.Text') {
      const id = (value as Json)['id'];
      if (inputIds.has(id)) errors.push(`${path}: duplicate input id ${id}`);
      inputIds.add(id);
    }
  }

  function action(value: unknown, path: string, select = false): void {
    const type = (value as Json | null)?.['type'];
    const shape = typeof type === 'string' ? ACTIONS[type] : undefined;
    if (shape === undefined)
      return void errors.push(`${path}: unknown action type ${JSON.stringify(type)}`);
    if (select && type === 'Action.ShowCard')
      errors.push(`${path}: Action.ShowCard cannot be a selectAction`);
    shaped(value, shape, path, type);
    const title = (value as Json)['title'];
    if (!select && (typeof title !== 'string' || title.trim() === ''))
      errors.push(`${path}: a button needs a title`);
  }

  function fact(value: unknown, path: string): void {
    const object = value as Json;
    for (const key of ['title', 'value'])
      if (typeof object?.[key] !== 'string') errors.push(`${path}.${key}: must be a string`);
    for (const key of Object.keys(object ?? {}))
      if (key !== 'title' && key !== 'value') errors.push(`${path}.${key}: not a Fact property`);
  }

  shaped(card, CARD, '$', 'AdaptiveCard');
  if ((card as Json)?.['version'] !== '1.5')
    errors.push('$.version: must be 1.5 (the top-level card needs a version)');
  if ((card as Json)?.['$schema'] !== 'http://adaptivecards.io/schemas/adaptive-card.json')
    errors.push('$.$schema: must name the Adaptive Card schema');
  // Teams rejects messages over about 28 KB; an alert card has no business coming near that.
  if (JSON.stringify(card).length > 28_000) errors.push('$: larger than Teams accepts');
  return errors;
}

/** Both checks' problems, prefixed by which check found them. */
export function cardProblems(card: unknown): string[] {
  return [
    ...parserErrors(card).map((e) => `parser: ${e}`),
    ...schemaErrors(card).map((e) => `schema: ${e}`),
  ];
}
