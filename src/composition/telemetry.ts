/**
 * OpenTelemetry to Azure Application Insights, on only when APPLICATIONINSIGHTS_CONNECTION_STRING
 * is set (process environment, or the env files config.ts reads). The entry point (src/index.ts)
 * imports this module first, and so does start-reynolds.ts (which tests and benchmarks import
 * without the entry point); it does all its work synchronously while it is evaluated: ES modules
 * evaluate in import order, so everything imported after it (restify and its `http`, botbuilder,
 * the Cosmos SDK loaded later) is instrumented. That is also why the SDK is loaded with a
 * synchronous require here and not a dynamic import (which would let the other imports run first).
 * Without the variable, nothing is loaded and nothing changes.
 */
import { createRequire } from 'node:module';
import type * as AzureMonitor from '@azure/monitor-opentelemetry';
import { APPINSIGHTS_CONNECTION_STRING, readEnvFiles } from '../config.js';

export interface TelemetryState {
  enabled: boolean;
  reason: string;
}

function connectionString(): string | undefined {
  const fromProcess = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (fromProcess) return fromProcess;
  try {
    return (
      readEnvFiles(process.env.REYNOLDS_ENV || 'local').APPLICATIONINSIGHTS_CONNECTION_STRING ||
      undefined
    );
  } catch {
    return undefined; // unreadable env files are config.ts's to report
  }
}

function start(): TelemetryState {
  const value = connectionString();
  if (!value) return { enabled: false, reason: 'APPLICATIONINSIGHTS_CONNECTION_STRING is not set' };
  // A malformed value is reported by config.ts (one CONFIG line), which stops start-up.
  if (!APPINSIGHTS_CONNECTION_STRING.test(value))
    return { enabled: false, reason: 'APPLICATIONINSIGHTS_CONNECTION_STRING is malformed' };
  const require = createRequire(import.meta.url);
  // The loader registers OpenTelemetry's ESM hooks for modules loaded from here on.
  require('@azure/monitor-opentelemetry/loader');
  const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof AzureMonitor;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: value },
    // Live metrics keep a long poll open to Azure; the exported telemetry is what we need.
    enableLiveMetrics: false,
  });
  return { enabled: true, reason: 'exporting to Application Insights' };
}

export const telemetry: TelemetryState = start();
