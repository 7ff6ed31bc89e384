/**
 * Fingerprints: what makes two events "the same thing again". Content is normalised first
 * (markers removed, numbers, hashes and whitespace folded) so a bot that repeats itself with a new
 * counter or timestamp still repeats.
 */
import { createHash } from 'node:crypto';
import { stripMarkers } from './marker.js';

/** Only the start of a long text is compared; a repeat shows in its first lines. */
const CONTENT_LIMIT = 2048;

export function normaliseContent(text: string | undefined): string {
  if (!text) return '';
  return stripMarkers(text.slice(0, CONTENT_LIMIT + 512))
    .toLowerCase()
    .replace(/\b[0-9a-f]{7,64}\b/g, 'h')
    .replace(/\d+/g, '0')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, CONTENT_LIMIT);
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

export function eventFingerprint(parts: {
  kind: string;
  action?: string;
  target?: string;
  actor?: string;
  content?: string;
}): string {
  return shortHash(
    [
      parts.kind,
      parts.action ?? '',
      parts.target ?? '',
      parts.actor ?? '',
      normaliseContent(parts.content),
    ].join('\u0000'),
  );
}
