/**
 * The chat side of orchestration: `what's blocking owner/repo#N`, `dependencies of owner/repo#N`,
 * `train status <name>`, `portfolio <scope> [7d|30d|90d]`, `portfolio define <name> <repos...>`,
 * parsed and answered by src/orchestration/orchestration-commands.ts. The Teams app routes
 * matching messages here (as it does noise-chat.ts's).
 */
import type { Clock } from '../../core/clock.js';
import { syntaxErrorLine } from '../../persona/replies.js';
import {
  answerOrchestrationCommand,
  ORCHESTRATION_COMMAND,
  parseOrchestrationCommand,
  type OrchestrationParts,
} from '../../orchestration/orchestration-commands.js';
import { InvalidScopeError } from '../../orchestration/portfolio-scopes.js';

export class OrchestrationChat {
  readonly pattern = ORCHESTRATION_COMMAND;

  constructor(
    private readonly parts: OrchestrationParts,
    private readonly clock: Clock,
  ) {}

  /** The reply to one command message. */
  async answer(tenantId: string, text: string): Promise<string> {
    const parsed = parseOrchestrationCommand(text);
    if (!parsed.ok) return syntaxErrorLine(parsed.error);
    try {
      return await answerOrchestrationCommand(
        this.parts,
        tenantId,
        parsed.command,
        this.clock.now(),
      );
    } catch (error) {
      if (error instanceof InvalidScopeError) return syntaxErrorLine(error.message);
      throw error;
    }
  }
}
