/**
 * The chain marker Reynolds puts at the end of everything it writes on GitHub, as a hidden HTML
 * comment: `<!-- reynolds:v1 chain=<id> depth=<n> act=<id> sig=<hmac> -->`.
 *
 * When the content comes back in a webhook, the marker links the event to the act that caused it.
 * Only a marker that is the last thing in the body counts (that is where we put it), and only
 * outside code blocks and quotes, so a quoted or pasted copy of our comment does not count. Only a
 * marker whose HMAC verifies counts, so another user or bot cannot forge a link. The body is
 * scanned once, from the end, with a bounded look-back: hostile bodies of any size cost the same.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ChainMark {
  chainId: string;
  depth: number;
  actId: string;
}

const ID = '[A-Za-z0-9_-]{1,80}';
const MARKER = new RegExp(
  `<!--\\s*reynolds:v1 chain=(${ID}) depth=(\\d{1,4}) act=(${ID}) sig=([A-Za-z0-9_-]{22})\\s*-->`,
);
const ANY_MARKER = /<!--\s*reynolds:[^>]{0,400}-->/g;
/** The marker and the whitespace around it fit in this many trailing characters. */
const TAIL = 400;

function signature(key: string, mark: ChainMark): string {
  return createHmac('sha256', key)
    .update(`v1|${mark.chainId}|${mark.depth}|${mark.actId}`)
    .digest('base64url')
    .slice(0, 22);
}

export function formatMarker(mark: ChainMark, key: string): string {
  return `<!-- reynolds:v1 chain=${mark.chainId} depth=${mark.depth} act=${mark.actId} sig=${signature(key, mark)} -->`;
}

/** Appends the marker to a body Reynolds is about to write. */
export function withMarker(body: string, mark: ChainMark, key: string): string {
  return `${body.replace(/\s+$/, '')}\n\n${formatMarker(mark, key)}`;
}

/** Removes markers (ours, forged or quoted) from text, for display and fingerprints. */
export function stripMarkers(text: string): string {
  return text.replace(ANY_MARKER, '');
}

/** The verified marker at the end of `body`, or undefined. Never throws. */
export function parseMarker(body: string | undefined, key: string): ChainMark | undefined {
  if (typeof body !== 'string' || body.length === 0) return undefined;
  const trimmed = body.replace(/\s+$/, '');
  const tail = trimmed.slice(-TAIL);
  const match = MARKER.exec(tail);
  if (!match || match.index + match[0].length !== tail.length) return undefined; // must be last
  const markerStart = trimmed.length - tail.length + match.index;
  if (insideCodeOrQuote(trimmed, markerStart)) return undefined;
  const mark: ChainMark = { chainId: match[1]!, depth: Number(match[2]), actId: match[3]! };
  const expected = Buffer.from(signature(key, mark));
  const given = Buffer.from(match[4]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? mark : undefined;
}

/**
 * True when position `at` sits inside a fenced code block, inline code, or a quoted line. Fences
 * are counted over the whole body, but the body a BrokerEvent carries is already capped.
 */
function insideCodeOrQuote(body: string, at: number): boolean {
  const lineStart = body.lastIndexOf('\n', at - 1) + 1;
  const line = body.slice(lineStart, at);
  if (/^\s{0,3}>/.test(line)) return true; // a quote
  if ((line.match(/`/g) ?? []).length % 2 === 1) return true; // inline code left open
  if (/^( {4}|\t)/.test(line) && line.trim() === '') return true; // indented code block
  let open: string | undefined;
  for (const fence of body.slice(0, lineStart).matchAll(/^\s{0,3}(`{3,}|~{3,})/gm)) {
    const mark = fence[1]!;
    if (open === undefined) open = mark;
    else if (mark[0] === open[0] && mark.length >= open.length) open = undefined;
  }
  return open !== undefined;
}
