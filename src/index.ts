/**
 * The entry point: telemetry first, then configuration (a bad value stops start-up with one
 * CONFIG line per problem and exit code 78), then the composition root
 * (src/composition/start-reynolds.ts), and a clean stop on SIGTERM/SIGINT.
 */
// First: OpenTelemetry must be set up before anything it instruments is loaded (composition/telemetry.ts).
import './composition/telemetry.js';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startReynolds } from './composition/start-reynolds.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.message.split('\n')) console.error(`CONFIG: ${line}`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const reynolds = await startReynolds(config);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second Ctrl-C means now
    reynolds.logger.info({ signal }, 'shutting down: finishing work in flight');
    reynolds.stop().then(
      () => process.exit(0),
      (err) => {
        reynolds.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(
      `Reynolds could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  });
}
