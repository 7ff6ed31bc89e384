/**
 * Enrichment, after routing: for an event that queued at least one alert, on a chain that may
 * proceed, in a repo the pilot includes, the relevant roles run in parallel through the pool and the
 * queued cards are rebuilt with their notes and handed to the AlertUpdater (which edits the posted
 * card in place).
 *
 * It never holds an alert back: run() starts the work and returns at once, so the card goes out
 * first. The work is bounded by the enrichment deadline, tracked so shutdown can wait for it or
 * abandon it, and its failures are logged and counted, never thrown into the inbox item.
 */
import type { PipelineContext, PipelineStage } from '../core/pipeline.js';
import type { Clock } from '../core/clock.js';
import { raceTimeout } from '../core/race-timeout.js';
import type { BrokerEvent } from '../core/broker-event.js';
import type { AlertCardBuilder } from '../core/card-builders.js';
import { hasContent, mergeNotes } from './enrichment-notes.js';
import { type EnrichmentNotes } from '../core/enrichment-notes.js';
import { DeadlineExceededError } from './model-errors.js';
import type { ModelPool } from './model-pool.js';
import type { ModelRole } from '../core/model-roles.js';
import { tasksFor, type Candidate, type EnrichmentTask } from './enrichment-prompts.js';

/** Edits an alert already queued or posted; the alert outbox implements it (`enqueueUpdate`). */
export interface AlertUpdater {
  enqueueUpdate(
    alertId: string,
    update: { card: Record<string, unknown>; text: string },
  ): Promise<void>;
}

export type EnrichmentOutcome = 'updated' | 'empty' | 'timeout' | 'failed' | 'abandoned';

export interface EnrichmentObserver {
  onEnrichment?(outcome: EnrichmentOutcome, ms: number): void;
  onTask?(role: ModelRole, outcome: 'ok' | 'timeout' | 'failed'): void;
}

/** The log calls it makes; the pino logger fits. */
export interface EnrichmentLog {
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface EnrichmentStageParts {
  pool: ModelPool;
  pilot: { includes(tenantId: string, repo: string): boolean };
  updater: AlertUpdater;
  buildCard: AlertCardBuilder;
  clock: Clock;
  deadlineMs: number;
  /** Recent issues to check an opened issue against (GitHubReader.search); optional. */
  candidates?: (event: BrokerEvent) => Promise<Candidate[]>;
  observer?: EnrichmentObserver;
  log?: EnrichmentLog;
}

export class EnrichmentStage implements PipelineStage {
  readonly name = 'enrichment';
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly parts: EnrichmentStageParts) {}

  async run(context: PipelineContext): Promise<void> {
    const { event, loop, classification, alerts } = context;
    if (!alerts?.length || !loop || loop.verdict !== 'proceed' || !classification || !event.repo)
      return;
    if (
      this.stopping.signal.aborted ||
      !this.parts.pilot.includes(event.tenantId, event.repo.fullName)
    )
      return;
    const tasks = tasksFor(event).filter((task) => this.parts.pool.serves(task.role));
    if (tasks.length === 0) return;
    const chain = { chainId: loop.node.chainId, nodeId: loop.node.nodeId };
    const job = this.enrich(event, tasks).then(
      (notes) => this.update(notes, { event, classification, chain, alerts }),
      (error: unknown) =>
        this.parts.log?.warn(
          { err: error, delivery: event.deliveryId },
          'enrichment failed; the alert stays as it was',
        ),
    );
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Enrichments still running (for tests and shutdown). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Waits up to `graceMs` for enrichments in flight, then abandons the rest (their cards stay as posted). */
  async stop(graceMs: number): Promise<void> {
    const all = Promise.allSettled([...this.pending]);
    await raceTimeout(all, graceMs, () => undefined);
    this.stopping.abort(new Error('enrichment abandoned: shutting down'));
    await all;
  }

  /** Waits for every enrichment in flight (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async enrich(
    event: BrokerEvent,
    tasks: EnrichmentTask[],
  ): Promise<{ notes: EnrichmentNotes; started: number; outcome?: EnrichmentOutcome }> {
    const { pool, clock, deadlineMs, observer } = this.parts;
    const started = clock.now();
    const signal = this.stopping.signal;
    const candidates =
      tasks.some((task) => task.wantsCandidates) && this.parts.candidates
        ? await this.candidatesFor(event)
        : [];
    const remaining = Math.max(0, deadlineMs - (clock.now() - started));
    const answers = await Promise.allSettled(
      tasks.map(async (task) => {
        const result = await pool.complete(
          task.role,
          {
            messages: task.messages(event, candidates),
            maxTokens: 400,
            temperature: 0.2,
            tenantId: event.tenantId,
            repo: event.repo?.fullName,
          },
          { deadlineMs: remaining, signal },
        );
        return { role: task.role, ...task.read(result.text, candidates) };
      }),
    );
    const parts: Array<Partial<EnrichmentNotes> & { role: ModelRole }> = [];
    let timedOut = 0;
    answers.forEach((answer, i) => {
      const role = tasks[i]!.role;
      if (answer.status === 'fulfilled') {
        observer?.onTask?.(role, 'ok');
        parts.push(answer.value);
        return;
      }
      const timeout = answer.reason instanceof DeadlineExceededError;
      if (timeout) timedOut += 1;
      observer?.onTask?.(role, timeout ? 'timeout' : 'failed');
      this.parts.log?.warn(
        { err: answer.reason, role, delivery: event.deliveryId },
        `enrichment: the ${role} model gave no answer`,
      );
    });
    const notes = mergeNotes(parts);
    if (parts.length === 0)
      return {
        notes,
        started,
        outcome: signal.aborted ? 'abandoned' : timedOut > 0 ? 'timeout' : 'failed',
      };
    return { notes, started, outcome: hasContent(notes) ? undefined : 'empty' };
  }

  private async candidatesFor(event: BrokerEvent): Promise<Candidate[]> {
    try {
      return (await this.parts.candidates!(event))
        .filter((c) => c.number !== event.target?.number)
        .slice(0, 20);
    } catch (error) {
      this.parts.log?.debug(
        { err: error },
        'enrichment: could not list recent issues; triage without duplicate hints',
      );
      return [];
    }
  }

  private async update(
    result: { notes: EnrichmentNotes; started: number; outcome?: EnrichmentOutcome },
    input: Omit<Parameters<AlertCardBuilder>[0], 'family' | 'enrichment'> & {
      alerts: NonNullable<PipelineContext['alerts']>;
    },
  ): Promise<void> {
    const { clock, observer, deadlineMs } = this.parts;
    const ms = clock.now() - result.started;
    // Past the deadline (or shutting down), a late answer is dropped rather than edit a card late.
    const outcome =
      result.outcome ??
      (this.stopping.signal.aborted ? 'abandoned' : ms > deadlineMs ? 'timeout' : undefined);
    if (outcome !== undefined) {
      observer?.onEnrichment?.(outcome, ms);
      return;
    }
    const { alerts, ...card } = input;
    for (const alert of alerts) {
      const built = this.parts.buildCard({
        ...card,
        family: alert.family,
        enrichment: result.notes,
      });
      try {
        await this.parts.updater.enqueueUpdate(alert.alertId, built);
      } catch (error) {
        this.parts.log?.warn(
          { err: error, alert: alert.alertId },
          'enrichment: could not queue the card update',
        );
      }
    }
    observer?.onEnrichment?.('updated', ms);
  }
}
