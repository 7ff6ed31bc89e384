/**
 * The chat side of noise control: `quiet ...`, `quiet hours ...`, `timezone ...`, `digest ...`
 * parsed by src/routing/noise/noise-commands.ts, applied to the conversation's settings, answered in
 * Reynolds's voice. The Teams app routes matching messages here.
 */
import type { Clock } from '../../core/clock.js';
import { digestQueuedLine, noiseSettingsLine, syntaxErrorLine } from '../../persona/replies.js';
import type { ChannelSettingsBook, TimeOfDay } from '../../routing/noise/channel-settings.js';
import type { DigestSource } from '../../routing/noise/digest.js';
import {
  applyNoiseCommand,
  NOISE_COMMAND,
  parseNoiseCommand,
} from '../../routing/noise/noise-commands.js';

export class NoiseChat {
  readonly pattern = NOISE_COMMAND;

  constructor(
    private readonly settings: ChannelSettingsBook,
    private readonly digests: DigestSource,
    private readonly clock: Clock,
    private readonly defaultDigestAt: TimeOfDay,
  ) {}

  /** The reply to one command message. */
  async answer(tenantId: string, conversationId: string, text: string): Promise<string> {
    const parsed = parseNoiseCommand(text);
    if (!parsed.ok) return syntaxErrorLine(parsed.error);
    const { command } = parsed;
    if (command.kind === 'digest_now') {
      await this.digests.digestNow(tenantId, conversationId);
      return digestQueuedLine();
    }
    const settings = await applyNoiseCommand(
      this.settings,
      tenantId,
      conversationId,
      command,
      this.clock.now(),
    );
    return noiseSettingsLine(command.kind, settings, this.defaultDigestAt);
  }
}
