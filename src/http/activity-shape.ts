/**
 * The minimum shape of a Bot Framework activity before it reaches the adapter. botbuilder throws
 * (→ 500) on an activity without a string `type`, and the handlers read `conversation.id`,
 * `from`, `recipient`, `text` and friends as the types the schema documents; anything else is
 * the caller's mistake and gets a 400 that names the field. Unknown fields pass through.
 * Found by the fuzz suite (tests/fuzz/http-apis.test.ts).
 */
import { z } from 'zod';

const account = z
  .object({
    id: z.string().optional(),
    name: z.string().optional(),
    aadObjectId: z.string().optional(),
  })
  .passthrough();

const activityShape = z
  .object({
    type: z.string().min(1, { message: 'must be a non-empty string' }),
    id: z.string().optional(),
    channelId: z.string().optional(),
    serviceUrl: z.string().optional(),
    text: z.string().optional(),
    action: z.string().optional(),
    name: z.string().optional(),
    timestamp: z.string().optional(),
    localTimestamp: z.string().optional(),
    from: account.optional(),
    recipient: account.optional(),
    conversation: z
      .object({
        id: z.string(),
        tenantId: z.string().optional(),
        conversationType: z.string().optional(),
      })
      .passthrough()
      .optional(),
    membersAdded: z.array(account).optional(),
    membersRemoved: z.array(account).optional(),
    entities: z.array(z.object({ type: z.string().optional() }).passthrough()).optional(),
    attachments: z.array(z.object({ contentType: z.string().optional() }).passthrough()).optional(),
    channelData: z.object({}).passthrough().optional(),
  })
  .passthrough();

/** Undefined when the body can go to the adapter; otherwise what is wrong, for the 400. */
export function activityProblem(body: unknown): string | undefined {
  const result = activityShape.safeParse(body);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.') || 'activity'}: ${issue.message}`;
}
