/**
 * The recorded GitHub webhook payloads of `@octokit/webhooks-examples` (api.github.com flavour),
 * flattened to one entry per payload.
 *
 * The payloads are deep-frozen and shared by every test: a test that needs a variant must copy
 * first (`structuredClone(example.payload)`), so no test can quietly change another's fixture.
 */
import { createRequire } from 'node:module';

export interface WebhookExample {
  /** The `X-GitHub-Event` this payload is delivered under, e.g. `pull_request`. */
  event: string;
  /** `payload.action` when it is a string. */
  action?: string;
  payload: Record<string, unknown>;
  /** Position among the recorded examples of the same event, for naming test cases. */
  index: number;
}

const require = createRequire(import.meta.url);

let cached: WebhookExample[] | undefined;

export function loadWebhookExamples(): WebhookExample[] {
  cached ??= readExamples();
  return cached;
}

/** Throws for an event with no recording, so a typo cannot make a test pass over nothing. */
export function examplesFor(event: string): WebhookExample[] {
  const examples = loadWebhookExamples().filter((example) => example.event === event);
  if (examples.length === 0) throw new Error(`no recorded webhook examples for event "${event}"`);
  return examples;
}

/** The example of `event` whose action is `action` and that passes `where`; throws when none does. */
export function exampleOf(
  event: string,
  action: string | undefined,
  where: (payload: Record<string, unknown>) => boolean = () => true,
): WebhookExample {
  const found = examplesFor(event).find(
    (example) => example.action === action && where(example.payload),
  );
  if (!found)
    throw new Error(
      `no recorded "${event}" example with action "${action ?? '(none)'}" matching the filter`,
    );
  return found;
}

function readExamples(): WebhookExample[] {
  // The package's main entry is api.github.com/index.json: [{ name, actions, examples: [...] }, ...].
  const definitions: unknown = require('@octokit/webhooks-examples');
  if (!Array.isArray(definitions))
    throw new Error('@octokit/webhooks-examples: expected an array of definitions');
  const examples: WebhookExample[] = [];
  for (const definition of definitions) {
    const { name, examples: payloads } = definition as { name?: unknown; examples?: unknown };
    if (typeof name !== 'string' || !Array.isArray(payloads))
      throw new Error('@octokit/webhooks-examples: a definition lacks a name or an examples array');
    payloads.forEach((payload: unknown, index) => {
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
        throw new Error(`@octokit/webhooks-examples: ${name} example ${index} is not an object`);
      const record = deepFreeze(payload as Record<string, unknown>);
      const action = record['action'];
      examples.push({
        event: name,
        ...(typeof action === 'string' && { action }),
        payload: record,
        index,
      });
    });
  }
  return examples;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
