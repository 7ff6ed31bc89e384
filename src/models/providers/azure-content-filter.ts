/**
 * Azure OpenAI's content filter, read from its wire format. A prompt it blocks comes back as HTTP
 * 400 with `error.code: 'content_filter'` and the verdict per category in
 * `error.innererror.content_filter_result`; a completion it blocks comes back as 200 with the
 * choice's `finish_reason: 'content_filter'` and its `content_filter_results`. Unblocked answers
 * carry the same annotations with `filtered: false`, which are not errors.
 *
 * The shapes are @azure/openai's companion types, which also augment the openai SDK's
 * ChatCompletion with `prompt_filter_results` and each choice with `content_filter_results`. The
 * body is still untrusted JSON, so every field is checked before it is believed.
 */
import type {
  ContentFilterResultDetailsForPromptOutput,
  ContentFilterResultsForChoiceOutput,
} from '@azure/openai/types';
import type { ChatCompletion } from 'openai/resources/index';
import type { ContentFilterStage } from '../model-errors.js';

export interface ContentFilterVerdict {
  stage: ContentFilterStage;
  /** Categories marked `filtered: true` (hate, sexual, violence, self_harm, jailbreak, profanity, protected_material_text...). */
  categories: string[];
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

/**
 * The categories a filter result marks as filtered, in the order sent. Read by key rather than
 * from a fixed list, so categories Azure adds later (custom blocklists, new shields) are named too.
 */
export function filteredCategories(
  results:
    ContentFilterResultDetailsForPromptOutput | ContentFilterResultsForChoiceOutput | undefined,
): string[] {
  const object = record(results);
  if (!object) return [];
  return Object.keys(object).filter((category) => record(object[category])?.['filtered'] === true);
}

/** A prompt the filter blocked, from a 400's error object (the SDK's `APIError.error`). */
export function promptFilterOf(error: unknown): ContentFilterVerdict | undefined {
  const body = record(error);
  if (body?.['code'] !== 'content_filter') return undefined;
  const result = record(record(body['innererror'])?.['content_filter_result']) as
    ContentFilterResultDetailsForPromptOutput | undefined;
  return { stage: 'prompt', categories: filteredCategories(result) };
}

/**
 * A 200 whose content the filter blocked: the completion (finish_reason `content_filter`, or a
 * category marked filtered on the choice), or, should Azure ever answer 200 to a blocked prompt,
 * the prompt. OpenAI's own API and GitHub Models also say `finish_reason: 'content_filter'`,
 * without categories.
 */
export function completionFilterOf(response: ChatCompletion): ContentFilterVerdict | undefined {
  const prompts = Array.isArray(response.prompt_filter_results)
    ? response.prompt_filter_results
    : [];
  const promptCategories = [
    ...new Set(
      prompts.flatMap((prompt) =>
        filteredCategories(
          record(prompt)?.['content_filter_results'] as
            ContentFilterResultDetailsForPromptOutput | undefined,
        ),
      ),
    ),
  ];
  if (promptCategories.length > 0) return { stage: 'prompt', categories: promptCategories };
  const choice = response.choices[0];
  const categories = filteredCategories(choice?.content_filter_results);
  if (choice?.finish_reason === 'content_filter' || categories.length > 0)
    return { stage: 'completion', categories };
  return undefined;
}
