/**
 * An MCP tool result as the few lines a chat reply can carry: its text parts (or its structured
 * content as JSON when it has no text), cut to a length that fits a Teams message and a model's
 * follow-up. Images and other binary parts are named, not shown.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export const MAX_RESULT_CHARS = 1_500;

export function toolResultText(
  result: Pick<CallToolResult, 'content' | 'structuredContent'>,
  max = MAX_RESULT_CHARS,
): string {
  const parts = (result.content ?? []).map((part) => {
    if (part.type === 'text') return part.text;
    if (part.type === 'resource')
      return 'text' in part.resource ? part.resource.text : `[resource ${part.resource.uri}]`;
    if (part.type === 'resource_link') return `[${part.name}: ${part.uri}]`;
    return `[${part.type}]`;
  });
  let text = parts.join('\n').trim();
  if (text === '' && result.structuredContent !== undefined)
    text = JSON.stringify(result.structuredContent);
  if (text === '') text = '(the tool returned nothing)';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
