/**
 * Prometheus metrics for /metrics. This adapter implements the observer ports of the intake and
 * the inbox worker, so neither of them knows prom-client exists.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { InboxWorkerObserver } from '../broker/inbox-worker.js';
import type { IntakeObserver, IntakeOutcome } from '../github/intake.js';
import type { OutboxEntry } from '../routing/alerts/outbox-entry.js';
import type { NoiseObserver, NoiseOutcome } from '../routing/noise/noise-control.js';
import type { InboxItem } from '../core/inbox-item.js';
import type { Store } from '../store/store.js';
import type { SenderObserver } from '../teams/sending/proactive-sender.js';

export class ReynoldsMetrics
  implements IntakeObserver, InboxWorkerObserver, SenderObserver, NoiseObserver
{
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly deliveries: Counter<'event' | 'outcome'>;
  private readonly processed: Counter<'event'>;
  private readonly retries: Counter<'event'>;
  private readonly parked: Counter<'event'>;
  private readonly workerErrors: Counter;
  private readonly processing: Histogram<'event'>;
  private readonly verdicts: Counter<'verdict'>;
  private readonly alerts: Counter<'outcome' | 'priority'>;
  private readonly alertLatency: Histogram;
  private readonly broken: Counter;
  private readonly noise: Counter<'outcome'>;

  constructor(store: Store) {
    collectDefaultMetrics({ register: this.registry, prefix: 'reynolds_process_' });
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'reynolds_http_requests_total',
      help: 'HTTP requests by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'reynolds_webhook_deliveries_total',
      help: 'Webhook deliveries by outcome (event is "unverified" until the signature checks out).',
      labelNames: ['event', 'outcome'],
      registers,
    });
    this.processed = new Counter({
      name: 'reynolds_inbox_processed_total',
      help: 'Inbox items processed to completion.',
      labelNames: ['event'],
      registers,
    });
    this.retries = new Counter({
      name: 'reynolds_inbox_retries_total',
      help: 'Inbox items that failed and were scheduled again.',
      labelNames: ['event'],
      registers,
    });
    this.parked = new Counter({
      name: 'reynolds_inbox_parked_total',
      help: 'Inbox items parked as failed after their last attempt.',
      labelNames: ['event'],
      registers,
    });
    this.workerErrors = new Counter({
      name: 'reynolds_inbox_worker_errors_total',
      help: 'Store failures and lost leases seen by the inbox worker.',
      registers,
    });
    this.processing = new Histogram({
      name: 'reynolds_inbox_processing_seconds',
      help: 'Time to run the pipeline on one item.',
      labelNames: ['event'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.alerts = new Counter({
      name: 'reynolds_alerts_total',
      help: 'Teams alerts: sent, retried (429/5xx, with backoff) or dropped (can never be posted; logged).',
      labelNames: ['outcome', 'priority'],
      registers,
    });
    this.alertLatency = new Histogram({
      name: 'reynolds_alert_post_seconds',
      help: 'Time for the Teams connector to accept one alert.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    });
    this.verdicts = new Counter({
      name: 'reynolds_loop_verdicts_total',
      help: 'Loop verdicts given to events (proceed, dampen, break).',
      labelNames: ['verdict'],
      registers,
    });
    this.broken = new Counter({
      name: 'reynolds_loop_chains_broken_total',
      help: 'Chains stopped as runaway loops (one admin alert each).',
      registers,
    });
    this.noise = new Counter({
      name: 'reynolds_noise_total',
      help: 'Noise control: alerts collapsed into a burst card, folded into a summary (over budget), held by quiet mode; digests and quiet-end summaries queued.',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'reynolds_inbox_items',
      help: 'Inbox items by status (failed = parked, waiting for an operator).',
      labelNames: ['status'],
      registers,
      async collect() {
        try {
          const counts = await store.inboxCounts();
          for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
        } catch {
          this.reset(); // store down: report nothing rather than stale numbers; /readyz says why
        }
      },
    });
  }

  onOutcome(outcome: IntakeOutcome, event: string): void {
    this.deliveries.inc({ event, outcome });
  }

  onProcessed(item: InboxItem, durationMs: number): void {
    this.processed.inc({ event: item.event });
    this.processing.observe({ event: item.event }, durationMs / 1000);
  }

  onParked(item: InboxItem): void {
    this.parked.inc({ event: item.event });
  }

  onSent(entry: OutboxEntry, ms: number): void {
    this.alerts.inc({ outcome: 'sent', priority: entry.priority });
    this.alertLatency.observe(ms / 1000);
  }

  onRetry(entryOrItem: OutboxEntry | InboxItem): void {
    if ('conversationId' in entryOrItem)
      this.alerts.inc({ outcome: 'retried', priority: entryOrItem.priority });
    else this.retries.inc({ event: entryOrItem.event });
  }

  onDropped(entry: OutboxEntry): void {
    this.alerts.inc({ outcome: 'dropped', priority: entry.priority });
  }

  onVerdict(verdict: string): void {
    this.verdicts.inc({ verdict });
  }

  onChainBroken(): void {
    this.broken.inc();
  }

  onNoise(outcome: NoiseOutcome): void {
    this.noise.inc({ outcome });
  }

  onWorkerError(): void {
    this.workerErrors.inc();
  }
}
