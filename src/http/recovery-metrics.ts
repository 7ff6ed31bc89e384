/** Prometheus counters of missed-delivery recovery, on the /metrics registry. */
import { Counter, type Registry } from 'prom-client';
import type { RecoveryObserver } from '../github/delivery-recovery.js';

export function recoveryMetrics(registry: Registry): RecoveryObserver {
  const recovered = new Counter({
    name: 'reynolds_deliveries_recovered_total',
    help: 'Webhook deliveries GitHub was asked to redeliver (failed: no 2xx; missing: 2xx but not in the inbox).',
    labelNames: ['reason', 'event'],
    registers: [registry],
  });
  const failedRuns = new Counter({
    name: 'reynolds_recovery_runs_failed_total',
    help: 'Recovery runs stopped by GitHub refusing or being unreachable (the next run tries again).',
    registers: [registry],
  });
  return {
    onRecovered: (record) => recovered.inc({ reason: record.reason, event: record.event }),
    onRunFailed: () => failedRuns.inc(),
  };
}
