/**
 * What enrichment adds to an alert card, and the defensive reading of model output into it: models
 * are asked for small JSON objects, but a reply in prose, fenced, truncated or with invented fields
 * must still give something sensible (or nothing), never an exception.
 */
import type { EnrichmentNotes } from '../core/enrichment-notes.js';
import type { ModelRole } from '../core/model-roles.js';

const MAX_TEXT = 600;
const MAX_ITEMS = 5;

/** The first JSON object in a reply (fences and chatter around it tolerated); undefined when none parses. */
export function jsonObjectIn(reply: string): Record<string, unknown> | undefined {
  const start = reply.indexOf('{');
  const end = reply.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const value: unknown = JSON.parse(reply.slice(start, end + 1));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A one-paragraph text: the `summary` field, else the reply itself when it is not JSON-looking. */
export function readSummary(reply: string): string | undefined {
  const json = jsonObjectIn(reply);
  const raw = json ? json['summary'] : reply.trim().startsWith('{') ? undefined : reply;
  return typeof raw === 'string' ? clean(raw, MAX_TEXT) : undefined;
}

/** A short list from `field`, else the reply's bullet lines. */
export function readList(
  reply: string,
  field: string,
  accept: (item: string) => boolean = () => true,
): string[] {
  const json = jsonObjectIn(reply);
  let items: unknown[];
  if (json) items = Array.isArray(json[field]) ? (json[field] as unknown[]) : [];
  else
    items = reply
      .split('\n')
      .filter((line) => /^\s*[-*•]\s+/.test(line))
      .map((line) => line.replace(/^\s*[-*•]\s+/, ''));
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    const text = clean(item, 200);
    if (text !== undefined && accept(text) && !out.includes(text)) out.push(text);
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

export const isLabel = (text: string): boolean => /^[\p{L}\p{N} ._:/-]{1,50}$/u.test(text);
export const isIssueRef = (text: string): boolean => /^#\d{1,9}$/.test(text);

function clean(text: string, max: number): string | undefined {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return undefined;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Several answers into one set of notes; the roles list records who contributed. */
export function mergeNotes(
  parts: Array<Partial<EnrichmentNotes> & { role: ModelRole }>,
): EnrichmentNotes {
  const notes: EnrichmentNotes = { roles: [] };
  for (const part of parts) {
    notes.roles.push(part.role);
    if (part.summary !== undefined && notes.summary === undefined) notes.summary = part.summary;
    if (part.securityNotes?.length)
      notes.securityNotes = [...(notes.securityNotes ?? []), ...part.securityNotes];
    if (part.labels?.length) notes.labels = [...(notes.labels ?? []), ...part.labels];
    if (part.duplicates?.length)
      notes.duplicates = [...(notes.duplicates ?? []), ...part.duplicates];
  }
  return notes;
}

/** Whether the notes say anything a reader would want (a role that answered "nothing" adds nothing). */
export function hasContent(notes: EnrichmentNotes): boolean {
  return (
    notes.summary !== undefined ||
    !!notes.securityNotes?.length ||
    !!notes.labels?.length ||
    !!notes.duplicates?.length
  );
}
