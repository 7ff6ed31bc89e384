/**
 * What a caller of `startReynolds` may replace or add beyond configuration: tests and benchmarks
 * pass a clock, a logger, fakes of the ports, extra pipeline stages, or no worker.
 */
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Clock } from '../core/clock.js';
import type { PipelineStage } from '../core/pipeline.js';
import type { GitHubReader } from '../github/github-reader.js';
import type { GitHubOAuth } from '../identity/github-oauth.js';
import type { Logger } from '../log.js';
import type { AlertUpdater } from '../models/enrichment-stage.js';
import type { ChatSetup } from '../teams/chat/register-chat.js';

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Extra pipeline stages (tests use one to observe processing). */
  stages?: PipelineStage[];
  /** Start the inbox worker (default true). */
  worker?: boolean;
  /** Edits queued/posted alert cards with enrichment; defaults to the outbox once it has enqueueUpdate. */
  alertUpdater?: AlertUpdater;
  /** A GitHubReader in place of the one built from configuration (tests use a fake of the port). */
  github?: GitHubReader;
  /** Ports the chat actions use (GitHub reader, model pool, digests, pilot gate); tests pass fakes. */
  chat?: Pick<ChatSetup, 'reader' | 'pool' | 'digest' | 'pilot'>;
  /** Replaces the bot's credentials factory (tests: Entra's token endpoint is unreachable from here). */
  botCredentialsFactory?: ServiceClientCredentialsFactory;
  /** GitHub's OAuth side for sign-in in place of the one built from configuration (tests: a fake of the port). */
  oauth?: GitHubOAuth;
}
