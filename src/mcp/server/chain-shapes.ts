/**
 * Output schemas (zod) for what the tools return about event chains, shared by the item, chain
 * and resource tools. Objects are passthrough: the stored records may carry more fields than the
 * schema names, and a client must not be refused a field it did not know about.
 */
import { z } from 'zod';

/** A factory, not one instance: a reused instance becomes a $ref in the JSON Schema, which some clients do not follow. */
export const verdictSchema = () => z.enum(['proceed', 'dampen', 'break']);

export const chainSummarySchema = z
  .object({
    chainId: z.string(),
    repo: z.string().optional(),
    root: z.string().describe('what started the chain'),
    startedAt: z.number().describe('ms since the epoch'),
    updatedAt: z.number(),
    depth: z.number(),
    nodes: z.number(),
    score: z.number().describe('highest loop score, 0 to 1'),
    verdict: verdictSchema(),
    reason: z.string().optional().describe('why it was dampened or broken'),
  })
  .passthrough();

export const signalSchema = z.object({
  name: z.string(),
  strength: z.number(),
  detail: z.string(),
});

export const auditEntrySchema = z
  .object({
    at: z.number(),
    who: z.string(),
    what: z.string(),
    detail: z.string(),
    verdict: verdictSchema().optional(),
  })
  .passthrough();

export const chainNodeSchema = z
  .object({
    nodeId: z.string(),
    parentId: z.string().optional(),
    depth: z.number(),
    kind: z.enum(['event', 'act']),
    at: z.number(),
    summary: z.string(),
    verdict: verdictSchema(),
  })
  .passthrough();
