/**
 * The id a conversation is known by in Reynolds's books (conversation references, subscriptions,
 * write policies, noise settings): Bot Framework names a reply in a channel thread
 * `<channel id>;messageid=<root message id>`, and everything Reynolds keeps is per channel, not
 * per thread. It is the inverse of the thread id the proactive sender builds for a threaded post.
 * Kept here, next to that sender, so identity/ and actions/ can use it without a folder cycle.
 */

const THREAD_SUFFIX = ';messageid=';

/** The conversation without a channel thread's `;messageid=` suffix; other ids are returned as they are. */
export function conversationScopeId(conversationId: string): string;
export function conversationScopeId(conversationId: string | undefined): string | undefined;
export function conversationScopeId(conversationId: string | undefined): string | undefined {
  return conversationId?.split(THREAD_SUFFIX)[0];
}
