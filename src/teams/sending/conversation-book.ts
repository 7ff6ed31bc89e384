/**
 * Conversation references, captured when Reynolds is installed into a team, a group chat or a
 * personal chat (and refreshed on every message), so it can post there proactively later. Removed
 * on uninstall. One record per conversation, partitioned by tenant.
 */
import type { ConversationReference } from 'botbuilder';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';

export type ConversationScope = 'personal' | 'groupChat' | 'channel';

export interface KnownConversation {
  conversationId: string;
  scope: ConversationScope;
  /** Channel or chat name when Teams says it. */
  name?: string;
  teamId?: string;
  reference: Partial<ConversationReference>;
  installedAt: number;
  updatedAt: number;
}

export class ConversationBook {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async remember(
    tenantId: string,
    reference: Partial<ConversationReference>,
    details: { scope: ConversationScope; name?: string; teamId?: string },
  ): Promise<KnownConversation> {
    const conversationId = reference.conversation?.id;
    if (!conversationId)
      throw new Error('a conversation reference without a conversation id cannot be kept');
    const existing = await this.store.getRecord<KnownConversation>(
      'conversation',
      tenantId,
      conversationId,
    );
    const now = this.clock.now();
    const known: KnownConversation = {
      conversationId,
      ...details,
      reference,
      installedAt: existing?.data.installedAt ?? now,
      updatedAt: now,
    };
    await this.store.putRecord({
      kind: 'conversation',
      tenantId,
      partition: tenantId,
      id: conversationId,
      data: known,
    });
    return known;
  }

  async find(tenantId: string, conversationId: string): Promise<KnownConversation | undefined> {
    return (await this.store.getRecord<KnownConversation>('conversation', tenantId, conversationId))
      ?.data;
  }

  /** The tenant's conversations Reynolds is installed in, most recently active first. */
  async list(tenantId: string, limit = 500): Promise<KnownConversation[]> {
    const records = await this.store.queryRecords<KnownConversation>({
      kind: 'conversation',
      tenantId,
      partition: tenantId,
      limit,
    });
    return records.map((r) => r.data).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async forget(tenantId: string, conversationId: string): Promise<boolean> {
    return this.store.deleteRecord('conversation', tenantId, conversationId);
  }
}
